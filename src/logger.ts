/**
 * The daemon's structured log: pino, one JSON object per line on stdout. Run and test log lines
 * carry `runId` / `testId` as fields (child loggers), so a log pipeline can join them to reports.
 */
import { pino, type Logger } from 'pino';
import type { Logger as CronLogger } from 'node-cron';

export type { Logger };

export interface LoggerOptions {
  /** Default: STRESSD_LOG_LEVEL, else "info". */
  level?: string;
  /** Default: stdout (fd 1), written synchronously so nothing is lost on exit. */
  destination?: NodeJS.WritableStream | pino.DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.STRESSD_LOG_LEVEL ?? 'info';
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino({ name: 'stressd', level, base: { pid: process.pid } }, destination);
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
