/**
 * Recording and reading the audit log. Every caller (API routes, the operators' use cases,
 * the Stripe webhook, the ledger's onEntry hook, the dashboard's sign-in) records through
 * `record`, which checks the entry before the store sees it; admins and operators read
 * through `list`, a page at a time, newest first.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AccountId } from "../accounts/types.js";
import { InvalidInputError } from "../shared/errors.js";
import { decodeKeysetCursor, encodeKeysetCursor } from "../shared/keyset-cursor.js";
import { joinIssues, zodIssues } from "../shared/zod-issues.js";
import type { AuditStore } from "./audit-store.js";
import {
  AUDIT_ACTIONS,
  AUDIT_INTERFACES,
  type AuditAction,
  type AuditActor,
  type AuditDetails,
  type AuditEntry,
  type AuditInterface,
} from "./types.js";

/** Details are a note, not a document: big enough for what changed, small enough to list. */
export const MAX_DETAILS_BYTES = 4_096;
export const MAX_AUDIT_PAGE = 100;
export const DEFAULT_AUDIT_PAGE = 25;

export interface AuditRecord {
  accountId: AccountId;
  actor: AuditActor;
  action: AuditAction;
  interface: AuditInterface;
  details?: AuditDetails;
  /** One entry per key and account; default a fresh one (the action happens once anyway). */
  idempotencyKey?: string;
}

export interface AuditListQuery {
  actions?: readonly AuditAction[] | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

const actorSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("github_user"),
    id: z.number().int().positive(),
    login: z.string().min(1).max(100),
  }),
  z.strictObject({ kind: z.literal("api_key"), id: z.string().min(1).max(100) }),
  z.strictObject({ kind: z.literal("operator"), name: z.string().trim().min(1).max(100) }),
  z.strictObject({ kind: z.literal("stripe") }),
  z.strictObject({ kind: z.literal("app") }),
]);

const recordSchema = z.strictObject({
  accountId: z.number().int().positive(),
  actor: actorSchema,
  action: z.enum(AUDIT_ACTIONS),
  interface: z.enum(AUDIT_INTERFACES),
  details: z
    .record(z.string(), z.unknown())
    .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= MAX_DETAILS_BYTES, {
      message: `must be at most ${MAX_DETAILS_BYTES} bytes of JSON`,
    })
    .optional(),
  idempotencyKey: z
    .string()
    .min(1)
    .max(300)
    .regex(/^[\x21-\x7e]+$/)
    .optional(),
});

export interface AuditLogOptions {
  store: AuditStore;
  now?: () => Date;
}

export interface AuditLog {
  /** Writes the entry (once per key); returns it, or the one already under its key. */
  record(input: AuditRecord): Promise<AuditEntry>;
  list(accountId: AccountId, query?: AuditListQuery): Promise<AuditPage>;
}

export function createAuditLog(options: AuditLogOptions): AuditLog {
  const now = options.now ?? (() => new Date());
  return {
    async record(input) {
      const parsed = parse(recordSchema, input);
      const { entry } = await options.store.append({
        accountId: input.accountId,
        at: now(),
        actor: parsed.actor,
        action: parsed.action,
        interface: parsed.interface,
        details: parsed.details ?? {},
        idempotencyKey: parsed.idempotencyKey ?? `audit:${randomUUID()}`,
      });
      return entry;
    },
    async list(accountId, query = {}) {
      const limit = query.limit ?? DEFAULT_AUDIT_PAGE;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) {
        throw new InvalidInputError(`limit: must be 1 to ${MAX_AUDIT_PAGE}`, [
          { path: "limit", message: `must be 1 to ${MAX_AUDIT_PAGE}` },
        ]);
      }
      const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
      // One more than asked tells whether another page exists.
      const found = await options.store.list(accountId, {
        actions: query.actions,
        from: query.from,
        to: query.to,
        before,
        limit: limit + 1,
      });
      const entries = found.slice(0, limit);
      const last = entries.at(-1);
      return {
        entries,
        nextCursor: found.length > limit && last ? encodeAuditCursor(last) : null,
      };
    },
  };
}

export const encodeAuditCursor = (entry: Pick<AuditEntry, "at" | "id">): string =>
  encodeKeysetCursor(entry);

/** An entry's id is an ObjectId's 24 hex digits (mongo-audit-store.ts reads it as one). */
export const decodeAuditCursor = (cursor: string): { at: Date; id: string } =>
  decodeKeysetCursor(cursor, /^[0-9a-f]{24}$/);

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error, "(audit)");
  throw new InvalidInputError(joinIssues(issues), issues);
}
