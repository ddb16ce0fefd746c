import type { Connection } from "mongoose";

/** A state change of the database as an operator should read it. */
export interface MongoStateChange {
  state: "unreachable" | "reachable";
  message: string;
}

/**
 * Says when MongoDB goes away while the process runs and when it is back, one line each, as
 * Redis's are said (queue/redis-health.ts). Meanwhile requests wait up to the server selection
 * time for it and then fail with a 503, and jobs retry; without these lines an operator would
 * see only those failures, one by one, and not what to fix.
 *
 * Mongoose tells both through the connection: 'disconnected' when the driver has lost the
 * server of a direct connection or the primary of a replica set, 'reconnected' when it is
 * back (mongoose drivers/node-mongodb-native/connection.js, _setClient, from the driver's
 * serverDescriptionChanged and topologyDescriptionChanged events). 'disconnected' also comes
 * from a close on purpose (shutdown), which is not news and is not said.
 */
export function watchMongo(conn: Connection, report: (change: MongoStateChange) => void): void {
  let since: number | null = null;
  let closing = false;
  const where = () => {
    try {
      // Parsed by the driver from MONGODB_URI: hosts only, never the credentials beside them.
      const { hosts, srvHost } = conn.getClient().options;
      return srvHost ?? hosts.map(String).join(",");
    } catch {
      return "MONGODB_URI";
    }
  };
  // A close on purpose passes through 'disconnecting' (mongoose connection.js, _close) before
  // its 'disconnected'; a lost server never does.
  conn.on("disconnecting", () => (closing = true));
  conn.on("disconnected", () => {
    if (closing || since !== null) return;
    since = Date.now();
    report({
      state: "unreachable",
      message:
        `MongoDB unreachable at ${where()} (MONGODB_URI): no server to write to; requests ` +
        "fail with 503 and jobs retry until it is back, which is said once",
    });
  });
  conn.on("reconnected", () => {
    if (since === null) return;
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    since = null;
    report({
      state: "reachable",
      message: `MongoDB reachable again at ${where()} (MONGODB_URI), after ${seconds} s`,
    });
  });
}
