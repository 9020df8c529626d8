/** The runner's public face (implemented in runner.ts): what `stressd run` and the daemon call. */
import type { EventEmitter } from 'node:events';
import type { Suite, SuiteTest } from '../config/types.ts';
import type { RunResult, RunnerEvents, TestResult } from '../result/types.ts';

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
  /** Regression verdicts and the budget, judged by the command (the runner imports no analysis). */
  review?: RunReview;
  /** `--only`: the names the suite was narrowed to; recorded as the run's `only` (a partial run). */
  only?: readonly string[];
}

/** Whether a test may start; `reason` says why not in words (it becomes the not-run test's detail). */
export interface StartDecision {
  allowed: boolean;
  reason?: string;
}

/**
 * What the command injects to judge a run as it happens (DESIGN section 10): src/commands/review.ts
 * implements it with src/analysis/ and the history. Every call may throw: the runner then runs on
 * as if there were no review (a broken judge must not stop a run).
 */
export interface RunReview {
  /** Most re-runs a suspected regression gets at the end of the run (regression.max_reruns). */
  readonly confirmReruns: number;
  /** Before each test and re-run; `finished` holds this run's tests and re-runs so far. */
  mayStart(finished: readonly TestResult[], next: SuiteTest): StartDecision;
  /** After each test: the measures suspected of regressing (empty: none); they are re-run at the end. */
  suspects(test: TestResult): readonly string[] | Promise<readonly string[]>;
  /**
   * Whether a suspect needs another re-run given its re-runs so far (sequential confirmation stops
   * once decided); absent: always, up to `confirmReruns`.
   */
  more?(test: TestResult, reruns: readonly TestResult[]): boolean;
  /** At the end, for every test: the test with its final `regressions`, given its re-runs (none for most). */
  settle(test: TestResult, reruns: readonly TestResult[]): TestResult;
  /** Run-level figures once the result is complete (graduation over runs, the budget's state). */
  finish?(run: RunResult): Pick<RunResult, 'success_ratio' | 'budget' | 'regression_settings'>;
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
