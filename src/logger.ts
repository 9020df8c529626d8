/**
 * The daemon's structured log: pino. On a terminal, one readable line per entry in local time
 * (`14:03:07.512 INFO  listening url=…`); otherwise, or with STRESSD_LOG_FORMAT=json, one JSON
 * object per line on stdout for a log pipeline. Run and test log lines carry `runId` / `testId`
 * as fields (child loggers), so a pipeline can join them to reports.
 */
import { pino, type Logger } from 'pino';
import type { Logger as CronLogger } from 'node-cron';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Default: STRESSD_LOG_LEVEL, else "info". */
  level?: string;
  /** Default: STRESSD_LOG_FORMAT, else "pretty" when stdout is a terminal, "json" otherwise. */
  format?: LogFormat;
  /** Default: stdout (fd 1), written synchronously so nothing is lost on exit. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
}

/** STRESSD_LOG_FORMAT wins; unset or empty, a terminal gets pretty lines and anything else JSON. */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty = process.stdout.isTTY === true): LogFormat {
  const value = (env.STRESSD_LOG_FORMAT ?? '').trim().toLowerCase();
  if (value === 'json' || value === 'pretty') return value;
  if (value !== '') throw new Error(`STRESSD_LOG_FORMAT must be "json" or "pretty", got ${JSON.stringify(env.STRESSD_LOG_FORMAT)}`);
  return isTty ? 'pretty' : 'json';
}

/**
 * A line's own fields without the empty ones: `reason=null` on a passed test says nothing. Only
 * the top level: a null inside a value (a list of changes) is part of what it says.
 */
export function withoutEmptyFields(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined));
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.STRESSD_LOG_LEVEL ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const format = options.format ?? logFormat();
  const formatters = { log: withoutEmptyFields };
  if (format === 'json') return pino({ name: 'stressd', level, base: { pid: process.pid }, formatters }, destination);
  const colour = options.destination === undefined && process.stdout.isTTY === true && !('NO_COLOR' in process.env);
  // pino hands each entry to write() as one JSON line; the pretty form is made from that line
  // in the same call, so it stays as synchronous as the JSON one (no worker, unlike pino-pretty).
  const pretty: pino.DestinationStream = {
    write: (line: string) => {
      destination.write(prettyLine(line, colour));
    },
  };
  return pino({ name: 'stressd', level, base: undefined, formatters }, pretty);
}

const LEVELS: Readonly<Record<number, { name: string; colour: string }>> = {
  10: { name: 'TRACE', colour: '\x1b[90m' },
  20: { name: 'DEBUG', colour: '\x1b[36m' },
  30: { name: 'INFO ', colour: '\x1b[32m' },
  40: { name: 'WARN ', colour: '\x1b[33m' },
  50: { name: 'ERROR', colour: '\x1b[31m' },
  60: { name: 'FATAL', colour: '\x1b[35m' },
};
/** Fields the line shows in its own place, or that say nothing to a person at a terminal. */
const SHOWN = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname', 'err']);

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `HH:MM:SS.mmm` in the machine's time zone. */
export function localTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value) ?? String(value);
}

interface SerializedError {
  type?: string;
  message?: string;
  stack?: string;
}

/** One pino JSON line → `time LEVEL msg key=value …`, and an error's stack indented below. */
export function prettyLine(json: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).toUpperCase().padEnd(5), colour: '' };
  const time = typeof entry.time === 'number' ? localTime(entry.time) : '--:--:--.---';
  const fields = Object.entries(entry)
    .filter(([key, value]) => !SHOWN.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  const err = entry.err as SerializedError | string | undefined;
  if (typeof err === 'string') fields.push(`err=${fieldValue(err)}`);
  const levelText = colour ? `${level.colour}${level.name}\x1b[0m` : level.name;
  const head = [time, levelText, typeof entry.msg === 'string' ? entry.msg : '', ...fields].filter((s) => s !== '').join(' ');
  if (typeof err !== 'object' || err === null) return `${head}\n`;
  const stack = err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`;
  return `${head}\n${stack.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
}

/**
 * node-cron prints coloured warnings to the console unless given a logger; route them into pino
 * at debug level (info chatter) or warn (its warnings, e.g. missed executions), never to stderr.
 */
export function cronLogger(log: Logger): CronLogger {
  return {
    info: (message) => log.debug({ source: 'node-cron' }, message),
    warn: (message) => log.warn({ source: 'node-cron' }, message),
    error: (message, err) => log.error({ source: 'node-cron', err: err ?? message }, String(message)),
    debug: (message) => log.debug({ source: 'node-cron' }, String(message)),
  };
}
