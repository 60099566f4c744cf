/**
 * The Logger port on pino. JSON lines (`--log-format json`, the default off a TTY) or short human
 * lines (`pretty`, the default on a TTY), always on stderr so stdout stays the command's result.
 * Every line passes through the redactor: secret values never reach the output.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { LogFields, Logger } from '../core/ports/logger.js';
import { redact } from '../config/secrets.js';

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  format: LogFormat;
  /** Default "info". */
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Secret values to mask (read on every line, so secrets learnt after start are masked too). */
  secrets: () => readonly string[];
  /** Where lines go. Default process.stderr. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const out = options.destination ?? process.stderr;
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const line = redact(chunk.toString('utf8'), options.secrets());
      out.write(options.format === 'pretty' ? prettyLine(line) : line);
      cb();
    },
  });
  const base = pino(
    { level: options.level ?? 'info', base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    sink,
  );
  return wrap(base);
}

function wrap(p: pino.Logger): Logger {
  return {
    debug: (msg, f) => p.debug(f ?? {}, msg),
    info: (msg, f) => p.info(f ?? {}, msg),
    warn: (msg, f) => p.warn(f ?? {}, msg),
    error: (msg, f) => p.error(f ?? {}, msg),
    child: (fields: LogFields) => wrap(p.child(fields)),
  };
}

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A pino JSON line as a short human line: time, level, message, fields. */
export function prettyLine(json: string): string {
  try {
    const { level, time, msg, ...rest } = JSON.parse(json);
    const fields = Object.entries(rest)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    const t = typeof time === 'string' ? time.slice(11, 19) : '';
    return `${t} ${(LEVELS[level] ?? String(level)).padEnd(5)} ${msg}${fields ? `  ${fields}` : ''}\n`;
  } catch {
    return json;
  }
}
