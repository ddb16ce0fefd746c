import mongoose, { type ConnectOptions, type Connection } from "mongoose";
import { MongoUnreachableError } from "./mongo-unreachable-error.js";

/**
 * How long a majority write waits for the majority (the write concern's wtimeout), and how
 * long the server may work on a read (maxTimeMS, on every find, findOne, distinct, count and
 * aggregate of the connection: mongoose query.js and aggregate.js, applyGlobalMaxTimeMS).
 * Past either, the store throws a StoreTimeoutError (time-limits.ts), answered 503.
 */
export const WRITE_TIME_LIMIT_MS = 10_000;
export const READ_TIME_LIMIT_MS = 10_000;

/**
 * How every Jasper process talks to MongoDB: the app, the migration and ledger:verify. Given
 * here, each option wins over the same one in MONGODB_URI: the driver takes the options object
 * before the URI's query (mongodb connection_string.js, parseOptions), and mongoose passes it
 * through to `new MongoClient` (mongoose drivers/node-mongodb-native/connection.js,
 * createClient). test/store/mongo-connection.test.ts checks both on a connection that never
 * reaches a server.
 */
export const CONNECTION_OPTIONS = {
  // Balances are read and then written on: a secondary's stale copy must never be used.
  readPreference: "primary",
  // A write is acknowledged once a majority of the replica set has it, so a failover cannot
  // roll it back: without this the cluster's default applies, which is w:1 on a replica set
  // with an arbiter, and a Stripe grant we acknowledged could vanish with the old primary.
  // With a time limit: while no majority can acknowledge (a PSA set with its secondary
  // down), a write would otherwise wait forever, and with it the request or job. Past it the
  // server answers with a writeConcernError (code 64) which the driver throws as a
  // MongoWriteConcernError (sdam/server.js, throwIfWriteConcernError): the write may stand on
  // the primary alone, so every money path is keyed by a unique index and safe to send again.
  // wtimeoutMS, not the driver's timeoutMS: that one bounds whole operations, cursors
  // included (a CSV export or ledger:verify reading for minutes would be cut off), and
  // rewrites the write concern (cmap/connection.js, CSOT); this one is only the wait for the
  // majority, sent as `wtimeout` in each command's writeConcern (write_concern.js, apply).
  writeConcern: { w: "majority", wtimeoutMS: WRITE_TIME_LIMIT_MS },
  // Long enough to ride out a primary election (10-12 s), short enough that a database that
  // is really gone fails requests, and start-up, in seconds rather than the default 30.
  serverSelectionTimeoutMS: 15_000,
  // No mongoose buffering: every operation goes to the driver at once and waits in its server
  // selection (above). With buffering, mongoose queues operations while it thinks the
  // connection is down, which it does for a replica set without a primary, that is during
  // every election (drivers/node-mongodb-native/connection.js, _setClient), and fails them
  // after bufferTimeoutMS, 10 s (connection.js, _waitForConnect; in mongoose 9 that queue
  // holds connection-level calls such as createCollection, and model calls only until the
  // first connect: collection.js, onOpen). We connect before using any model.
  bufferCommands: false,
  // Opening a connection creates nothing: no collections (mongoose model.js, Model.init calls
  // createCollection unless autoCreate is false, and mongoose's own default is true) and no
  // indexes. Both are the migration's job (migrate-mongo.ts), so a read-only user can connect
  // and a start never waits for an index build.
  autoCreate: false,
  autoIndex: false,
} as const satisfies ConnectOptions;

/** Tests shorten the first connect's wait and the monitor's pace; the app never passes these. */
export type ConnectOverrides = Pick<
  ConnectOptions,
  "serverSelectionTimeoutMS" | "heartbeatFrequencyMS"
>;

/**
 * Starts connecting to `uri`; `await connection.asPromise()` before using it (with buffering
 * off, a model used earlier fails at once), or use openMongo. A connection of our own rather
 * than mongoose's global one, so that nothing else in the process shares (or closes) it.
 */
export function connectMongo(uri: string, overrides: ConnectOverrides = {}): Connection {
  // Filters built from input (an idempotency key, a login) stay values: an object such as
  // { $ne: "" } passed where a string was expected is wrapped in $eq instead of matching
  // everything. The stores mark their own operators with mongoose.trusted().
  mongoose.set("sanitizeFilter", true);
  // A filter on a field the schema does not know is a bug: fail loudly rather than drop the
  // condition and match more than was asked for.
  mongoose.set("strictQuery", "throw");
  const conn = mongoose.createConnection(uri, { ...CONNECTION_OPTIONS, ...overrides });
  // A connection option of mongoose's, not the driver's (a MongoClient refuses unknown
  // options): set on the connection, mongoose puts it on every query and aggregation of its
  // models that does not set its own (helpers/query/applyGlobalOption.js).
  conn.set("maxTimeMS", READ_TIME_LIMIT_MS);
  return conn;
}

/**
 * Connects to `uri` and waits until it is usable. A first connect that fails (no server
 * selected within serverSelectionTimeoutMS, credentials refused, a URI the driver rejects)
 * throws a MongoUnreachableError of one line: the driver's error comes with the topology's
 * whole description and a stack, and never says which setting to fix.
 */
export async function openMongo(
  uri: string,
  overrides: ConnectOverrides = {},
): Promise<Connection> {
  const conn = connectMongo(uri, overrides);
  try {
    return await conn.asPromise();
  } catch (err) {
    await conn.close().catch(() => {});
    throw new MongoUnreachableError(connectFailure(conn, err as Error));
  }
}

function connectFailure(conn: Connection, err: Error): string {
  let where = "";
  let password: string | undefined;
  try {
    // Parsed by the driver from MONGODB_URI: hosts without the credentials beside them.
    const { hosts, srvHost, credentials } = conn.getClient().options;
    where = srvHost ?? hosts.map(String).join(",");
    password = credentials?.password;
  } catch {
    // No client: the URI did not parse. The reason says why.
  }
  let reason = (err.message || err.name).split("\n")[0]!;
  if (password) reason = reason.split(password).join("***");
  const at = where ? ` at ${where}` : "";
  return /ServerSelectionError$/.test(err.name)
    ? `MongoDB unreachable${at} (MONGODB_URI): ${reason}`
    : `MongoDB connection failed${at} (MONGODB_URI): ${reason}`;
}
