import { Schema, type Connection, type Model, type Types } from "mongoose";
import type { Learning } from "../../../learnings/types.js";

/** A learning as stored: the domain learning with `_id` in place of `id`. */
export type LearningDoc = Omit<Learning, "id" | "accountId"> & {
  _id: Types.ObjectId;
  accountId: number;
};

const integer = { validator: Number.isInteger, message: "{PATH} must be an integer" };

export const learningSchema = new Schema<LearningDoc>(
  {
    accountId: { type: Number, required: true, validate: integer },
    scope: { type: String, enum: ["repository", "organization"], required: true },
    repositoryId: { type: Number, required: true, validate: integer },
    repository: { type: String, required: true },
    text: { type: String, required: true },
    rule: { type: String, default: null },
    paths: { type: String, default: null },
    author: {
      _id: false,
      id: { type: Number, required: true, validate: integer },
      login: { type: String, required: true },
    },
    source: {
      _id: false,
      number: { type: Number, required: true, validate: integer },
      commentId: { type: Number, required: true, validate: integer },
    },
    createdAt: { type: Date, required: true },
    sourceKey: { type: String, required: true },
  },
  { collection: "learnings", strict: true, versionKey: false },
);

// One learning per teaching comment: a redelivered webhook or a retried job records it once.
learningSchema.index({ accountId: 1, sourceKey: 1 }, { unique: true });
// list(): an account's learnings newest first; the cursor continues on (createdAt, _id).
learningSchema.index({ accountId: 1, createdAt: -1, _id: -1 });

export type LearningModel = Model<LearningDoc>;

/** Models belong to one connection; createMongoStore builds this one on its own. */
export const learningModel = (conn: Connection): LearningModel =>
  conn.model<LearningDoc>("Learning", learningSchema);
