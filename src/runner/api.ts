/** The runner's public face (implemented in runner.ts): what `stressd run` and the daemon call. */
import type { EventEmitter } from 'node:events';
import type { Suite } from '../config/types.ts';
import type { RunResult, RunnerEvents } from '../result/types.ts';

export interface ExecutorTarget {
  /** ws://HOST:PORT/ws/mcp */
  url: string;
  token?: string;
  /** Pid of the executor process when it runs on this host (its peaks are sampled too); null for a remote one. */
  localPid: number | null;
  /**
   * Resolves once the executor can take a connection (an embedded one restarting after a crash);
   * the runner awaits it, bounded, before each test. Absent: assumed ready.
   */
  ready?: () => Promise<void>;
}

export interface RunSuiteOptions {
  suite: Suite;
  executor: ExecutorTarget;
  /** Test logs go to <reportsDir>/<suite>/<runId>/<testId>.log */
  reportsDir: string;
  trigger: RunResult['trigger'];
  /** Aborting cancels the test in flight, skips the rest, and ends the run with status `aborted`. */
  signal?: AbortSignal;
}

/** A typed view of the EventEmitter the runner emits RunnerEvents on. */
export interface RunnerEmitter extends EventEmitter {
  on<K extends keyof RunnerEvents>(event: K, listener: (payload: RunnerEvents[K]) => void): this;
  off<K extends keyof RunnerEvents>(event: K, listener: (payload: RunnerEvents[K]) => void): this;
  emit<K extends keyof RunnerEvents>(event: K, payload: RunnerEvents[K]): boolean;
}

export interface RunHandle {
  id: string;
  events: RunnerEmitter;
  /** Resolves with the final, frozen RunResult (status finished or aborted); never rejects for test failures. */
  done: Promise<RunResult>;
  /** The result so far (status running while in progress), for the API and the status page. */
  snapshot(): RunResult;
}

/** Starts a run on the next tick, so listeners attached to `events` right away see every event. */
export type StartRun = (options: RunSuiteOptions) => RunHandle;
