/**
 * The cron schedule of one suite, on node-cron 4. The fire handler only *triggers* a run and
 * returns: overlap is decided by the run coordinator (which logs and counts a skipped trigger),
 * not by node-cron's `noOverlap`, which would skip silently.
 */
import { createTask, validate, type ScheduledTask } from 'node-cron';
import { ErrorCode, StressdError } from '../errors.ts';
import { cronLogger, type Logger } from './logger.ts';

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
  const publishNext = (): void => {
    try {
      options.onNextRun(task?.getNextRun() ?? null);
    } catch (err) {
      log.warn({ err }, 'could not publish the next run time');
    }
  };
  task = createTask(
    expression,
    (ctx) => {
      // node-cron has already moved getNextRun() past this fire when the handler runs.
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
  log.info({ schedule: expression, next_run: task.getNextRun()?.toISOString() ?? null }, 'schedule armed');
  return {
    expression,
    get armed() {
      return !closed;
    },
    nextRun: () => (closed ? null : (task?.getNextRun() ?? null)),
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
