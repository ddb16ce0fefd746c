import { once } from "node:events";
import { createServer, type Server, type Socket } from "node:net";
import mongoose from "mongoose";

const { BSON, Long } = mongoose.mongo;
type Doc = Record<string, unknown>;

/** One command the stub received, as the driver sent it (database, name, whole document). */
export interface Received {
  db: string;
  name: string;
  command: Doc;
}

interface Collection {
  indexes: Doc[];
  docs: Doc[];
}

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/**
 * A stand-in for mongod on the loopback, for tests that cannot have a MongoDB: it speaks just
 * enough of the wire protocol (the OP_QUERY handshake, then OP_MSG) for the real driver to
 * connect to a standalone server, and answers the few commands the store sends with an
 * in-memory catalog: create, createIndexes and listIndexes keep and return index specs as
 * given, insert keeps documents, find, aggregate and distinct answer with nothing, update
 * matches nothing (answerNext scripts any other answer). It is not MongoDB: it
 * checks no filter, enforces no index and ignores concerns. What it is for is `received`,
 * every command exactly as the driver put it on the wire.
 */
export class MongoWireStub {
  readonly received: Received[] = [];
  /** Replies to give instead of the catalog's, in order, per command name (answerNext). */
  private readonly scripted = new Map<string, Doc[]>();
  private readonly collections = new Map<string, Collection>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((socket) => this.serve(socket));
  }

  static async start(): Promise<MongoWireStub> {
    const stub = new MongoWireStub();
    stub.server.listen(0, "127.0.0.1");
    await once(stub.server, "listening");
    return stub;
  }

  /** A URI for `db` on the stub; directConnection, as it is one standalone server. */
  uri(db: string): string {
    const { port } = this.server.address() as { port: number };
    return `mongodb://127.0.0.1:${port}/${db}?directConnection=true`;
  }

  /** The commands received, without the handshakes, heartbeats and session ends. */
  commands(): Received[] {
    const chatter = new Set(["ismaster", "isMaster", "hello", "endSessions"]);
    return this.received.filter((r) => !chatter.has(r.name));
  }

  /**
   * The next `name` command is answered with `reply` instead of the catalog's answer (still
   * recorded in `received`): a server's refusal, or a write concern error, on demand.
   */
  answerNext(name: string, reply: Doc): void {
    this.scripted.set(name, [...(this.scripted.get(name) ?? []), reply]);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, "close");
  }

  /** Listens again on the port it had before stop(): the same server, back. */
  async restart(port: number): Promise<void> {
    this.server.listen(port, "127.0.0.1");
    await once(this.server, "listening");
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private serve(socket: Socket): void {
    this.sockets.add(socket);
    socket.on("close", () => this.sockets.delete(socket));
    socket.on("error", () => undefined);
    let pending = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= pending.readInt32LE(0)) {
        const message = pending.subarray(0, pending.readInt32LE(0));
        pending = pending.subarray(message.length);
        const reply = this.answer(message);
        if (reply) socket.write(reply);
      }
    });
  }

  private answer(message: Buffer): Buffer | null {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    if (opCode === OP_QUERY) {
      // flags (4), then the namespace as a C string, skip (4), return (4), the query.
      const nsEnd = message.indexOf(0, 20);
      const db = message.toString("utf8", 20, nsEnd).split(".")[0]!;
      const query = BSON.deserialize(message.subarray(nsEnd + 9)) as Doc;
      return replyQuery(requestId, this.run(db, query));
    }
    if (opCode !== OP_MSG) return null;
    const flags = message.readUInt32LE(16);
    const end = flags & 1 ? message.length - 4 : message.length;
    let command: Doc = {};
    for (let at = 20; at < end;) {
      const kind = message[at]!;
      const size = message.readInt32LE(at + 1);
      if (kind === 0) {
        command = { ...BSON.deserialize(message.subarray(at + 1, at + 1 + size)), ...command };
        at += 1 + size;
      } else {
        // A document sequence: its identifier names the field the documents belong in.
        const idEnd = message.indexOf(0, at + 5);
        const field = message.toString("utf8", at + 5, idEnd);
        const docs: Doc[] = [];
        for (let d = idEnd + 1; d < at + 1 + size; d += message.readInt32LE(d)) {
          docs.push(BSON.deserialize(message.subarray(d, d + message.readInt32LE(d))) as Doc);
        }
        command[field] = docs;
        at += 1 + size;
      }
    }
    const moreToCome = (flags & 2) !== 0;
    const result = this.run(String(command.$db ?? "admin"), command);
    return moreToCome ? null : replyMsg(requestId, result);
  }

  private run(db: string, command: Doc): Doc {
    const name = Object.keys(command)[0]!;
    this.received.push({ db, name, command });
    const scripted = this.scripted.get(name)?.shift();
    if (scripted) return scripted;
    const target = command[name];
    const key = `${db}.${String(target)}`;
    const collection = this.collections.get(key);
    switch (name) {
      case "ismaster":
      case "isMaster":
      case "hello":
        return {
          helloOk: true,
          ismaster: true,
          isWritablePrimary: true,
          maxBsonObjectSize: 16 * 1024 * 1024,
          maxMessageSizeBytes: 48_000_000,
          maxWriteBatchSize: 100_000,
          localTime: new Date(),
          minWireVersion: 0,
          maxWireVersion: 21,
          ok: 1,
        };
      case "ping":
      case "endSessions":
      case "dropDatabase":
        return { ok: 1 };
      case "create":
        if (collection) return failure(48, "NamespaceExists", `Collection ${key} already exists`);
        this.collections.set(key, { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }], docs: [] });
        return { ok: 1 };
      case "createIndexes": {
        const into = collection ?? { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }], docs: [] };
        this.collections.set(key, into);
        const before = into.indexes.length;
        for (const spec of command.indexes as Doc[]) {
          if (!into.indexes.some((index) => index.name === spec.name)) {
            into.indexes.push({ v: 2, ...spec });
          }
        }
        return {
          ok: 1,
          createdCollectionAutomatically: !collection,
          numIndexesBefore: before,
          numIndexesAfter: into.indexes.length,
        };
      }
      case "listIndexes":
        if (!collection) return failure(26, "NamespaceNotFound", `ns does not exist: ${key}`);
        return cursor(key, collection.indexes);
      case "insert": {
        const into = collection ?? { indexes: [{ v: 2, key: { _id: 1 }, name: "_id_" }], docs: [] };
        this.collections.set(key, into);
        into.docs.push(...(command.documents as Doc[]));
        return { ok: 1, n: (command.documents as Doc[]).length };
      }
      case "find":
      case "aggregate":
        return cursor(key, []);
      case "distinct":
        return { values: [], ok: 1 };
      case "update":
        // Matches nothing: the stub keeps no documents to update.
        return { ok: 1, n: 0, nModified: 0 };
      default:
        return failure(59, "CommandNotFound", `no such command: '${name}'`);
    }
  }
}

function failure(code: number, codeName: string, errmsg: string): Doc {
  return { ok: 0, errmsg, code, codeName };
}

function cursor(ns: string, firstBatch: Doc[]): Doc {
  return { cursor: { id: Long.fromNumber(0), ns, firstBatch }, ok: 1 };
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(0, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

function replyQuery(responseTo: number, doc: Doc): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const fields = Buffer.alloc(20); // responseFlags, cursorID (8), startingFrom, numberReturned
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(16 + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}

function replyMsg(responseTo: number, doc: Doc): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const flags = Buffer.alloc(5); // flagBits 0, then section kind 0
  return Buffer.concat([header(16 + 5 + body.length, responseTo, OP_MSG), flags, body]);
}
