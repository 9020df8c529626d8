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

/** What the supervisor keeps between restarts: the current child, the address it answers at, the backoff. */
interface Supervision {
  readonly options: SupervisorOptions;
  readonly initial: number;
  readonly max: number;
  readonly stableAfter: number;
  readonly stop: AbortController;
  child: ExecutorChild | null;
  lastUrl: string;
  lastToken: string | undefined;
  restarts: number;
  loop: Promise<void>;
  // A child that keeps dying young backs off further each time; one that lived a while resets it.
  nextBackoff: number;
  // Runners waiting (target.ready) for the next child; woken by a restart or by close.
  waiters: (() => void)[];
}

export async function superviseExecutor(options: SupervisorOptions): Promise<ExecutorSupervisor> {
  const initial = options.initialBackoffMs ?? 250;
  const stop = new AbortController();
  const first = await options.spawn(undefined);
  const s: Supervision = {
    options, initial, max: options.maxBackoffMs ?? 10_000, stableAfter: options.stableAfterMs ?? 30_000, stop,
    child: first, lastUrl: first.url, lastToken: first.token, restarts: 0, loop: Promise.resolve(), nextBackoff: initial, waiters: [],
  };
  options.log.info({ url: first.url, executorPid: first.pid }, 'embedded executor started');
  watch(s, first);

  const target = liveTarget(s);
  let closing: Promise<void> | null = null;
  return {
    target,
    get pid() {
      return s.child?.pid ?? null;
    },
    get up() {
      return s.child !== null;
    },
    get restarts() {
      return s.restarts;
    },
    killNow() {
      stop.abort();
      wake(s);
      s.child?.kill('SIGTERM');
    },
    close() {
      closing ??= (async () => {
        stop.abort();
        wake(s);
        const c = s.child;
        s.child = null;
        await c?.close();
        await s.loop;
      })();
      return closing;
    },
  };
}

function wake(s: Supervision): void {
  const w = s.waiters;
  s.waiters = [];
  for (const f of w) f();
}

/** On the child's unexpected exit: count it, back off, respawn on the same port, watch the new one. */
function watch(s: Supervision, c: ExecutorChild): void {
  const { log } = s.options;
  const startedAt = Date.now();
  s.loop = c.exited.then(async ({ code, signal }) => {
    if (s.stop.signal.aborted) return;
    s.child = null;
    s.restarts += 1;
    log.warn({ executorPid: c.pid, code, signal }, 'embedded executor exited unexpectedly; restarting');
    try {
      s.options.onRestart();
    } catch (err) {
      log.warn({ err }, 'metrics.onExecutorRestart failed');
    }
    if (Date.now() - startedAt >= s.stableAfter) s.nextBackoff = s.initial;
    const backoff = s.nextBackoff;
    s.nextBackoff = Math.min(s.max, backoff * 2);
    const next = await respawn({ spawn: () => s.options.spawn(portOf(s.lastUrl)), backoff, max: s.max, stop: s.stop.signal, log });
    if (next === null) return;
    s.child = next;
    s.lastUrl = next.url;
    s.lastToken = next.token;
    log.info({ url: next.url, executorPid: next.pid, restarts: s.restarts }, 'embedded executor restarted');
    watch(s, next);
    wake(s);
  });
}

/** The target the runner holds: its getters follow whichever child is current. */
function liveTarget(s: Supervision): ExecutorTarget {
  return {
    get url() {
      return s.lastUrl;
    },
    get token() {
      return s.lastToken;
    },
    get localPid() {
      return s.child?.pid ?? null;
    },
    // A child killed a moment ago may not have been seen to exit yet: it is not ready either.
    ready: () => (s.child && (process.platform !== 'linux' || isRunning(s.child.pid))) || s.stop.signal.aborted ? Promise.resolve() : new Promise<void>((resolve) => s.waiters.push(resolve)),
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
