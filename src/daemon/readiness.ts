/**
 * GET /readyz: ready means the daemon can do its job now — config loaded, scheduler armed, and an
 * executor to run tests on. While the embedded executor is down or restarting the answer is 503
 * with the reason, as Kubernetes readiness expects; liveness (/healthz) stays 200 meanwhile.
 */
import { redactCredentials } from '../result/redact.ts';
import type { ExecutorSupervisor } from './executor.ts';
import type { Readiness } from '../result/types.ts';
import type { Scheduler } from './scheduler.ts';

export interface ReadinessState {
  suite: string;
  stopping: boolean;
  scheduler: Pick<Scheduler, 'armed' | 'expression' | 'nextRun'>;
  executor: Pick<ExecutorSupervisor, 'up' | 'pid' | 'restarts' | 'target'>;
  /** With several suites: every one's scheduler must be armed; the detail lists them all. */
  suites?: readonly { suite: string; scheduler: Pick<Scheduler, 'armed' | 'expression' | 'nextRun'> }[];
}

export function readinessOf(state: ReadinessState): Readiness {
  const { scheduler, executor } = state;
  if (state.stopping) return { ready: false, why: 'shutting down' };
  if (!scheduler.armed) return { ready: false, why: 'scheduler not armed' };
  const unarmed = state.suites?.find((s) => !s.scheduler.armed);
  if (unarmed) return { ready: false, why: `scheduler of suite ${unarmed.suite} not armed` };
  if (!executor.up) return { ready: false, why: `embedded executor is down (restarts so far: ${executor.restarts}); restarting` };
  return {
    ready: true,
    detail: {
      suite: state.suite,
      schedule: scheduler.expression,
      next_run: scheduler.nextRun()?.toISOString() ?? null,
      executor: { url: redactCredentials(executor.target.url), pid: executor.pid, restarts: executor.restarts },
      ...(state.suites
        ? { suites: state.suites.map((s) => ({ suite: s.suite, schedule: s.scheduler.expression, next_run: s.scheduler.nextRun()?.toISOString() ?? null })) }
        : {}),
    },
  };
}
