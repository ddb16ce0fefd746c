import type { Redis } from "ioredis";

/**
 * GitHub limits content-creating requests per installation: "no more than 80
 * content-generating requests per minute and no more than 500 per hour", and a `retry-after`
 * answer says how long to wait
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
 * This schedules those requests per installation, in Redis so every process shares one
 * schedule, with GCRA (a "next free slot" per limit; https://brandur.org/rate-limiting):
 * a slot is booked at max(now, next free of the minute, next free of the hour, blocked until),
 * and booking moves the next free slot on by one interval. Clocks are Redis's (TIME), not the
 * processes'.
 */
export interface InstallationPace {
  /**
   * Books the installation's next slot for one request made now, in this process; resolves
   * with how long to wait for it (ms).
   */
  book(installationId: number): Promise<number>;
  /**
   * A queue job asks, before it starts, for the slot of the content request it will make.
   * "go": its slot is at most `waitWithinMs` away (wait `waitMs`, then run); "later": come
   * back in `waitMs`, off the worker slot. A job told "later" with its slot booked keeps the
   * booking under `jobKey` and finds it on its return. `bulk` jobs (reviews, notices) book at
   * most `bulkHorizonMs` ahead, so an interactive job (chat, a command's answer) never waits
   * longer than that behind a burst of them.
   */
  admit(
    installationId: number,
    jobKey: string,
    lane: PaceLane,
  ): Promise<{ status: "go" | "later"; waitMs: number }>;
  /** No content request for the installation before `untilMs` (epoch ms): GitHub said so. */
  block(installationId: number, untilMs: number): Promise<void>;
  /** The spacing of booked slots, ms. */
  readonly intervalMs: number;
}

export type PaceLane = "interactive" | "bulk";

export interface PaceOptions {
  prefix: string;
  /**
   * Content requests per minute. Default 79, one under GitHub's 80: a job may use its booked
   * slot up to half an interval late (see paced-auth.ts), which can fit one more into a minute.
   */
  perMinute?: number;
  /** Content requests per hour; default GitHub's 500. */
  perHour?: number;
  /** How far ahead bulk jobs may book; default 3 s. */
  bulkHorizonMs?: number;
  /** A job whose slot is this close runs and waits for it in its worker slot; default 250 ms. */
  waitWithinMs?: number;
}

/**
 * KEYS[1] the installation's schedule (hash: m = next free of the minute limit, h = of the
 * hour limit's GCRA, b = blocked until, d = next wake-up of deferred bulk jobs), KEYS[2] the
 * job's held booking (admit only). ARGV: mode, interval, hour interval, hour burst tolerance,
 * bulk horizon (-1: none), wait within, block for (ms from now: the block is kept on Redis's
 * clock, like every slot, whatever this process's clock says).
 * Returns {status, wait ms}: status 1 go, 0 later.
 */
const SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local mode = ARGV[1]
local interval = tonumber(ARGV[2])
local hourInterval = tonumber(ARGV[3])
local hourTolerance = tonumber(ARGV[4])
local horizon = tonumber(ARGV[5])
local within = tonumber(ARGV[6])
local s = redis.call('HMGET', KEYS[1], 'm', 'h', 'b', 'd')
local m = tonumber(s[1]) or 0
local h = tonumber(s[2]) or 0
local b = tonumber(s[3]) or 0
local d = tonumber(s[4]) or 0
local function keep()
  redis.call('HSET', KEYS[1], 'm', tostring(m), 'h', tostring(h), 'b', tostring(b), 'd', tostring(d))
  redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(h, b, d, m) - now) + 3600000)
end
if mode == 'block' then
  b = math.max(b, now + tonumber(ARGV[7]))
  keep()
  return {1, 0}
end
if mode == 'admit' then
  local held = redis.call('GET', KEYS[2])
  if held then
    local wait = tonumber(held) - now
    if wait <= within then
      redis.call('DEL', KEYS[2])
      return {1, math.max(0, math.ceil(wait))}
    end
    return {0, math.ceil(wait - within / 2)}
  end
end
local slot = math.max(now, m, h - hourTolerance, b)
if horizon >= 0 and slot - now > horizon then
  -- Deferred without a booking; deferred jobs wake one interval apart, each when its
  -- booking would be about the horizon ahead, so they do not all come back at once.
  local wake = math.max(slot - horizon, d)
  d = wake + interval
  keep()
  return {0, math.ceil(wake - now)}
end
m = slot + interval
h = math.max(h, slot) + hourInterval
keep()
local wait = slot - now
if mode == 'admit' and wait > within then
  redis.call('SET', KEYS[2], tostring(slot), 'PX', math.ceil(wait) + 600000)
  return {0, math.ceil(wait - within / 2)}
end
return {1, math.ceil(wait)}
`;

export function createInstallationPace(redis: Redis, o: PaceOptions): InstallationPace {
  const intervalMs = 60_000 / (o.perMinute ?? 79);
  const hourIntervalMs = 3_600_000 / (o.perHour ?? 500);
  // GCRA's burst tolerance: a fresh hour may spend its whole budget, then one per interval.
  const hourTolerance = 3_600_000 - hourIntervalMs;
  const horizon = o.bulkHorizonMs ?? 3_000;
  const within = o.waitWithinMs ?? 250;
  const key = (installationId: number) => `${o.prefix}:pace:${installationId}`;

  async function run(
    mode: "book" | "admit" | "block",
    installationId: number,
    { jobKey = "", lane = "interactive" as PaceLane, until = 0 } = {},
  ): Promise<[number, number]> {
    const reply = (await redis.eval(
      SCRIPT,
      2,
      key(installationId),
      `${o.prefix}:pace-held:${jobKey}`,
      mode,
      intervalMs,
      hourIntervalMs,
      hourTolerance,
      mode === "admit" && lane === "bulk" ? horizon : -1,
      within,
      Math.max(0, until - Date.now()),
    )) as [number, number];
    return reply;
  }

  return {
    intervalMs,
    async book(installationId) {
      const [, wait] = await run("book", installationId);
      return wait;
    },
    async admit(installationId, jobKey, lane) {
      const [go, waitMs] = await run("admit", installationId, { jobKey, lane });
      return { status: go === 1 ? "go" : "later", waitMs: Math.max(0, waitMs) };
    },
    async block(installationId, untilMs) {
      await run("block", installationId, { until: untilMs });
    },
  };
}
