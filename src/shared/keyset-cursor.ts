/**
 * The page cursor of a newest-first list ordered by (time, id): opaque to clients (base64url
 * JSON), checked on the way back in, so that anything but a cursor the API handed out is a
 * 400 and never reaches a query.
 */
import { InvalidInputError } from "./errors.js";

export interface KeysetPosition {
  at: Date;
  id: string;
}

export function encodeKeysetCursor(position: KeysetPosition): string {
  const json = JSON.stringify({ v: 1, at: position.at.getTime(), id: position.id });
  return Buffer.from(json).toString("base64url");
}

/** The position in `cursor`, whose id must match `idPattern`; else InvalidInputError. */
export function decodeKeysetCursor(cursor: string, idPattern: RegExp): KeysetPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const c = (parsed ?? {}) as { v?: unknown; at?: unknown; id?: unknown };
  if (
    c.v !== 1 ||
    !Number.isSafeInteger(c.at) ||
    typeof c.id !== "string" ||
    !idPattern.test(c.id)
  ) {
    throw new InvalidInputError("cursor: malformed", [{ path: "cursor", message: "malformed" }]);
  }
  return { at: new Date(c.at as number), id: c.id };
}
