/**
 * Keeps the embedded executor child alive. On an unexpected exit it is restarted with backoff on
 * the SAME port (the runner takes one ExecutorTarget per run and the client connects afresh per
 * test, so the next test finds the new child at the old address); `target` is also a live view
 * whose url/token/localPid getters follow the current child, for a runner that re-reads it.
 * The test in flight when the child dies ends `error` through its lost connection.
 */
import { isRunning } from '../proc-state.ts';
import { setTimeout as delay } from 'node:timers/promises';
import type { ExecutorTarget } from '../runner/api.ts';
import type { Logger } from '../logger.ts';

/** What the daemon uses of src/executor/child.ts's handle. */
export interface ExecutorChild {
  url: string;
  token?: string;
  pid: number;
  exited: Promise<{ code: number | null; signal: string | null }>;
  close(): Promise<void>;
  /** Sends a signal without waiting: for a forced exit, when there is no time for close(). */
  kill(signal: NodeJS.Signals): void;
}

export interface SupervisorOptions {
  /** Starts a child; `port` is the previous child's port on a restart, undefined the first time. */
  spawn: (port: number | undefined) => Promise<ExecutorChild>;
  log: Logger;
  /** Called once per unexpected exit (metrics.onExecutorRestart). */
  onRestart: () => void;
  /** First restart delay; doubles per consecutive failure up to maxBackoffMs. Default 250. */
  initialBackoffMs?: number;
  /** Default 10,000. */
  maxBackoffMs?: number;
  /** A child that lived this long resets the backoff. Default 30,000. */
  stableAfterMs?: number;
}

export interface ExecutorSupervisor {
  readonly target: ExecutorTarget;
  /** The current child's pid; null while restarting. */
  readonly pid: number | null;
  /** False while an embedded child is down or restarting (or after close); a remote one is assumed up. */
  readonly up: boolean;
  readonly restarts: number;
  close(): Promise<void>;
  /** Synchronous: SIGTERMs the current child (which ends its commands) and stops restarting. For a forced exit. */
  killNow(): void;
}

function portOf(url: string): number | undefined {
  try {
    const p = Number(new URL(url).port);
    return Number.isInteger(p) && p > 0 ? p : undefined;
  } catch {
    return undefined;
  }
}


/** A remote executor (a ws:// URL): nothing to supervise. */
export function remoteExecutor(url: string, token: string | undefined): ExecutorSupervisor {
  const target: ExecutorTarget = { url, localPid: null, ...(token ? { token } : {}) };
  return { target, pid: null, up: true, restarts: 0, close: async () => undefined, killNow: () => undefined };
}

export async function superviseExecutor(options: SupervisorOptions): Promise<ExecutorSupervisor> {
  const { log } = options;
  const initial = options.initialBackoffMs ?? 250;
  const max = options.maxBackoffMs ?? 10_000;
  const stableAfter = options.stableAfterMs ?? 30_000;
  const stop = new AbortController();
  let child: ExecutorChild | null = await options.spawn(undefined);
  let lastUrl = child.url;
  let lastToken = child.token;
  let restarts = 0;
  let loop: Promise<void> = Promise.resolve();
  // A child that keeps dying young backs off further each time; one that lived a while resets it.
  let nextBackoff = initial;
  // Runners waiting (target.ready) for the next child; woken by a restart or by close.
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  log.info({ url: child.url, executorPid: child.pid }, 'embedded executor started');

  const watch = (c: ExecutorChild): void => {
    const startedAt = Date.now();
    loop = c.exited.then(async ({ code, signal }) => {
      if (stop.signal.aborted) return;
      child = null;
      restarts += 1;
      log.warn({ executorPid: c.pid, code, signal }, 'embedded executor exited unexpectedly; restarting');
      try {
        options.onRestart();
      } catch (err) {
        log.warn({ err }, 'metrics.onExecutorRestart failed');
      }
      if (Date.now() - startedAt >= stableAfter) nextBackoff = initial;
      const backoff = nextBackoff;
      nextBackoff = Math.min(max, backoff * 2);
      const next = await respawn({ spawn: () => options.spawn(portOf(lastUrl)), backoff, max, stop: stop.signal, log });
      if (next === null) return;
      child = next;
      lastUrl = next.url;
      lastToken = next.token;
      log.info({ url: next.url, executorPid: next.pid, restarts }, 'embedded executor restarted');
      watch(next);
      wake();
    });
  };
  watch(child);

  const target: ExecutorTarget = {
    get url() {
      return lastUrl;
    },
    get token() {
      return lastToken;
    },
    get localPid() {
      return child?.pid ?? null;
    },
    // A child killed a moment ago may not have been seen to exit yet: it is not ready either.
    ready: () => (child && (process.platform !== 'linux' || isRunning(child.pid))) || stop.signal.aborted ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve)),
  };
  let closing: Promise<void> | null = null;
  return {
    target,
    get pid() {
      return child?.pid ?? null;
    },
    get up() {
      return child !== null;
    },
    get restarts() {
      return restarts;
    },
    killNow() {
      stop.abort();
      wake();
      child?.kill('SIGTERM');
    },
    close() {
      closing ??= (async () => {
        stop.abort();
        wake();
        const c = child;
        child = null;
        await c?.close();
        await loop;
      })();
      return closing;
    },
  };
}

/** Spawns again after `backoff`, doubling it (up to `max`) per failed try; null once `stop` fires. */
async function respawn(o: { spawn: () => Promise<ExecutorChild>; backoff: number; max: number; stop: AbortSignal; log: Logger }): Promise<ExecutorChild | null> {
  let backoff = o.backoff;
  for (;;) {
    try {
      await delay(backoff, undefined, { signal: o.stop });
    } catch {
      return null; // closing
    }
    try {
      const next = await o.spawn();
      if (!o.stop.aborted) return next;
      await next.close();
      return null;
    } catch (err) {
      backoff = Math.min(o.max, backoff * 2);
      o.log.error({ err, retryInMs: backoff }, 'embedded executor failed to restart');
    }
  }
}
