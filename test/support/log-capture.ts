import { pino, type Logger } from "pino";

export interface CapturedLog {
  /** A logger writing JSON lines into memory, at `debug` so that little escapes it. */
  log: Logger;
  text(): string;
  bytes(): number;
}

/** A logger whose output a test can read back and measure. */
export function captureLog(level: pino.Level = "debug"): CapturedLog {
  const lines: string[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(line) });
  return {
    log,
    text: () => lines.join(""),
    bytes: () => lines.reduce((n, line) => n + Buffer.byteLength(line), 0),
  };
}
