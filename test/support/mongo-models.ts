import { jest } from "@jest/globals";
import mongoose from "mongoose";
import { storeOn } from "../../src/store/mongo/connect-mongo.js";
import {
  declaredIndexes,
  type AnyModel,
  type ListedIndex,
} from "../../src/store/mongo/index-check.js";

/**
 * The store's real models on a connection that never connects, for the index check and the
 * migration without a MongoDB: their listIndexes (and createIndexes, createCollection) are
 * replaced by what a server would answer.
 */
export function storeModels(): { conn: mongoose.Connection; models: Map<string, AnyModel> } {
  const conn = mongoose.createConnection();
  storeOn(conn);
  const models = new Map(Object.values(conn.models).map((m) => [m.collection.collectionName, m]));
  return { conn, models };
}

/** What listIndexes answers for a collection that has exactly the declared indexes. */
export function listedAsDeclared(model: AnyModel): ListedIndex[] {
  return [
    { key: { _id: 1 }, name: "_id_" },
    ...declaredIndexes(model).map((index) => ({
      key: index.key,
      name: Object.entries(index.key).flat().join("_"),
      ...(index.unique ? { unique: true } : {}),
      ...(index.partialFilterExpression
        ? { partialFilterExpression: index.partialFilterExpression }
        : {}),
    })),
  ];
}

/** The server's answer to listIndexes on a collection that does not exist. */
export const namespaceNotFound = (): Error =>
  Object.assign(new Error("ns does not exist"), { code: 26, codeName: "NamespaceNotFound" });

/** Makes the model's listIndexes answer `answers` in turn (the last one from then on). */
export function listIndexesAnswers(model: AnyModel, ...answers: (ListedIndex[] | Error)[]) {
  let i = 0;
  return jest.spyOn(model, "listIndexes").mockImplementation(async () => {
    const answer = answers[Math.min(i++, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  });
}
