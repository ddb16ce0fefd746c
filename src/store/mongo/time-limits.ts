import { StoreTimeoutError } from "../../shared/errors.js";

/** MongoDB's codes for a time limit run out (mongodb error.js, MONGODB_ERROR_CODES). */
const MAX_TIME_MS_EXPIRED = 50;
const WRITE_CONCERN_TIMEOUT = 64; // WriteConcernFailed before MongoDB 8.1

/**
 * The store's time limits (mongo-connection.ts) run out as a StoreTimeoutError; anything
 * else is left as it is. The driver copies a writeConcernError's code onto the error it
 * throws (MongoWriteConcernError), and a read's server error carries its own.
 */
export function translated(err: unknown): unknown {
  if (typeof err !== "object" || err === null) return err;
  const { code, errInfo } = err as { code?: unknown; errInfo?: { wtimeout?: unknown } };
  if (code === MAX_TIME_MS_EXPIRED) return new StoreTimeoutError("read", { cause: err });
  if (code === WRITE_CONCERN_TIMEOUT || errInfo?.wtimeout === true) {
    return new StoreTimeoutError("write", { cause: err });
  }
  return err;
}

/**
 * `store` with every method's failure translated: promises, and async iterables (streams)
 * while they are read. One wrapper rather than a try in each method, so a method added later
 * is covered too.
 */
export function withTimeLimitErrors<T extends object>(store: T): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          throw translated(err);
        }
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            throw translated(err);
          });
        }
        if (isAsyncIterable(result)) return translating(result);
        return result;
      };
    },
  });
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

async function* translating<V>(source: AsyncIterable<V>): AsyncIterable<V> {
  try {
    yield* source;
  } catch (err) {
    throw translated(err);
  }
}
