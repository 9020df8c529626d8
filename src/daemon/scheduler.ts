/**
 * The cron schedule of one suite, on node-cron 4. The fire handler only *triggers* a run and
 * returns: overlap is decided by the run coordinator (which logs and counts a skipped trigger),
 * not by node-cron's `noOverlap`, which would skip silently.
 */
import { createTask, validate, type ScheduledTask } from 'node-cron';
import { ErrorCode, StressdError } from '../errors.ts';
import { cronLogger, type Logger } from '../logger.ts';

export interface SchedulerOptions {
  /** Cron expression (five or six fields); null = manual triggers only. */
  expression: string | null;
  /** Label of the node-cron task. */
  name: string;
  /** Called on every scheduled fire; must not throw (errors are caught and logged anyway). */
  onFire: (at: Date) => void;
  /** Called with the next fire time at arm, after every fire, and with null at close. */
  onNextRun: (at: Date | null) => void;
  log: Logger;
}

export interface Scheduler {
  readonly expression: string | null;
  /** True once started (also in manual mode: there is simply nothing to fire). */
  readonly armed: boolean;
  nextRun(): Date | null;
  close(): Promise<void>;
}

export function assertCronExpression(expression: string): void {
  if (!validate(expression)) {
    throw new StressdError(ErrorCode.config, `schedule: expected a cron expression (5 or 6 fields), found "${expression}"`);
  }
}

export async function startScheduler(options: SchedulerOptions): Promise<Scheduler> {
  const { expression, log } = options;
  if (expression === null) {
    log.info({ schedule: null }, 'no schedule: runs start only on manual triggers (POST /api/runs)');
    options.onNextRun(null);
    let stopped = false;
    return {
      expression,
      get armed() {
        return !stopped;
      },
      nextRun: () => null,
      close: async () => {
        stopped = true;
      },
    };
  }
  assertCronExpression(expression);
  let task: ScheduledTask | null = null;
  let closed = false;
  let published: Date | null = null;
  const nextRunAt = (): Date | null => published;
  const publishNext = (): void => {
    try {
      // node-cron computes the next match from the wall clock; a fire handled a hair before its
      // second (timer vs clock skew) would still see the fire itself as "next". The next run is
      // the first match after the one published before.
      const next = task?.getNextRuns(2).find((d) => published === null || d.getTime() > published.getTime()) ?? null;
      published = next;
      options.onNextRun(next);
    } catch (err) {
      log.warn({ err }, 'could not publish the next run time');
    }
  };
  task = createTask(
    expression,
    (ctx) => {
      publishNext();
      try {
        options.onFire(ctx.date);
      } catch (err) {
        log.error({ err }, 'scheduled trigger failed');
      }
    },
    { name: options.name, logger: cronLogger(log) },
  );
  await task.start();
  publishNext();
  log.info({ schedule: expression, next_run: nextRunAt()?.toISOString() ?? null }, 'schedule armed');
  return {
    expression,
    get armed() {
      return !closed;
    },
    nextRun: () => (closed ? null : nextRunAt()),
    async close() {
      if (closed) return;
      closed = true;
      const t = task;
      task = null;
      await t?.stop();
      await t?.destroy();
      try {
        options.onNextRun(null);
      } catch {
        // telemetry never throws into shutdown
      }
    },
  };
}
