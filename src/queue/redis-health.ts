import type { Redis } from "ioredis";
import type { Logger } from "pino";

export interface RedisHealth {
  /** Reports `connection` going down and coming back, with the process's other connections. */
  watch(connection: Redis): Redis;
}

/**
 * Says when Redis goes away and when it is back, one line each, for all of a process's
 * connections together: ioredis emits an error on every reconnect attempt of every
 * connection (several a second), and while Redis stays down nothing new is learned from
 * them. The lines name the setting and where it points (host and port, never the password
 * REDIS_URL may carry) so that an operator knows what to fix.
 *
 * The process is down from the first connection that fails until every one is ready again.
 * A lost connection counts at once (its 'reconnecting'), not only when reconnecting fails,
 * so a Redis restarted quickly (and maybe empty) is still told.
 */
export function watchRedis(log: Logger, setting = "REDIS_URL"): RedisHealth {
  const down = new Set<Redis>();
  let since = 0;
  const goDown = (connection: Redis, reason: string) => {
    if (down.has(connection)) return;
    down.add(connection);
    if (down.size > 1) return;
    since = Date.now();
    log.error(
      { redis: addressOf(connection), setting },
      `Redis unreachable at ${addressOf(connection)} (${setting}): ${reason}; ` +
        "retrying, and saying so again only once it is back",
    );
  };
  const comeBack = (connection: Redis) => {
    if (!down.delete(connection) || down.size > 0) return;
    const seconds = ((Date.now() - since) / 1000).toFixed(1);
    log.info(
      { redis: addressOf(connection), setting, downForSeconds: Number(seconds) },
      `Redis reachable again at ${addressOf(connection)} (${setting}), after ${seconds} s`,
    );
  };
  return {
    watch(connection) {
      connection.on("error", (err: Error) => goDown(connection, err.message || String(err)));
      connection.on("reconnecting", () => goDown(connection, "connection lost"));
      connection.on("ready", () => comeBack(connection));
      // Closed on purpose (shutdown): nothing to wait for any more.
      connection.on("end", () => comeBack(connection));
      return connection;
    },
  };
}

/** host:port (or the socket path) ioredis connects to, parsed from the URL without its password. */
function addressOf(connection: Redis): string {
  const { host, port, path } = connection.options;
  return path ? path : `${host ?? "127.0.0.1"}:${port ?? 6379}`;
}
