/**
 * `startRun` (api.ts): the tests of a suite one after another, each on a fresh connection, with
 * the configured pause between them; RunnerEvents with frozen payloads as it goes; one frozen
 * RunResult at the end. The runner knows no sink: reports and metrics subscribe or read the result.
 */
import type { Context as RunSpanContext, Span } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../version.ts';
import { redactCredentials } from '../result/redact.ts';
import { logWriteErrors } from '../result/write-errors.ts';
import type { RunHandle, RunnerEmitter, RunSuiteOptions, StartRun } from './api.ts';
import { judgeRun } from './graduation.ts';
import { makeRunId } from '../result/id.ts';
import { notRunTest } from '../result/not-run.ts';
import { endRunSpan, regressedMeasures, spanIds, startRunSpan } from './spans.ts';
import { guardReview, runReruns, type GuardedReview } from './review-phase.ts';
import { waitForCalm } from './pressure-wait.ts';
import { runLoadTest } from './load.ts';
import { rerunLogParts } from './log-paths.ts';
import { deepFreeze, runTest } from './test-run.ts';
import type { SuiteTest } from '../config/types.ts';
import type { RunnerEvents, RunResult, TestResult } from '../result/types.ts';

export interface StartRunTuning {
  /** How often test:progress fires during a test; default 1,000 ms (and never more often). */
  progressIntervalMs?: number;
  /** Bound on waiting for a restarting executor before each test; default 15,000 ms. */
  readyTimeoutMs?: number;
  /** Where the host's pressure is read; default `/proc` (tests give fixture files). */
  procRoot?: string;
}

export const startRun: StartRun = (options: RunSuiteOptions): RunHandle => startRunWith(options, {});

export function startRunWith(options: RunSuiteOptions, tuning: StartRunTuning): RunHandle {
  const events = new EventEmitter() as RunnerEmitter;
  const state: RunState = {
    id: makeRunId(),
    options,
    tuning,
    startedAt: new Date(),
    tests: [],
    reruns: [],
    review: guardReview(options.review),
    emit: emitterFor(events),
    traceId: null,
    final: null,
  };
  const snapshot = (): RunResult => state.final ?? runningSnapshot(state);
  const run = async (): Promise<RunResult> => {
    const { span, ctx } = startRunSpan(options.suite.suite, state.id, options.suite.tests.length);
    state.traceId = spanIds(span).traceId;
    state.emit('run:start', { run: snapshot() });
    const suspects = await runSuiteTests(state, ctx);
    await rerunSuspects(state, ctx, suspects);
    state.final = finishRun(state, span);
    state.emit('run:end', { run: state.final });
    return state.final;
  };
  // Started on the next tick so listeners attached right after startRun() see run:start.
  const done = new Promise<void>((resolve) => setImmediate(resolve)).then(run);
  return { id: state.id, events, done, snapshot };
}

type Emit = <K extends keyof RunnerEvents>(event: K, payload: RunnerEvents[K]) => void;

/** What one run carries from phase to phase: the results so far and how to announce them. */
interface RunState {
  readonly id: string;
  readonly options: RunSuiteOptions;
  readonly tuning: StartRunTuning;
  readonly startedAt: Date;
  readonly tests: TestResult[];
  readonly reruns: TestResult[];
  readonly review: GuardedReview;
  readonly emit: Emit;
  traceId: string | null;
  final: RunResult | null;
}

interface Suspect {
  test: SuiteTest;
  measures: readonly string[];
  result: TestResult;
}

function emitterFor(events: RunnerEmitter): Emit {
  // A throwing listener is a bug in a sink; it must not end the run.
  return (event, payload) => {
    try {
      events.emit(event, deepFreeze(payload));
    } catch (err) {
      process.emitWarning(`stressd runner: a '${event}' listener threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}

/** The run as it stands while it is still running. */
function runningSnapshot(state: RunState): RunResult {
  const { suite, executor, trigger, only } = state.options;
  return {
    id: state.id,
    suite: suite.suite,
    description: suite.description,
    config_path: suite.path,
    executor: redactCredentials(executor.url),
    status: 'running',
    trigger,
    started_at: state.startedAt.toISOString(),
    ended_at: null,
    duration_seconds: null,
    graduated: false,
    verdict: null,
    tests_total: suite.tests.length,
    tests_passed: state.tests.filter((t) => t.outcome === 'passed').length,
    tests: [...state.tests],
    trace_id: state.traceId,
    stressd_version: VERSION,
    sut: { executor: state.tests.find((t) => t.versions?.executor)?.versions?.executor ?? null, stressd_version: VERSION },
    ...(state.reruns.length > 0 ? { reruns: [...state.reruns] } : {}),
    ...(only !== undefined && only.length > 0 ? { only: [...only] } : {}),
  };
}

interface RunOneContext {
  ctx: RunSpanContext;
  rerunOf?: string;
  attempt?: number;
  suspects?: (r: TestResult) => Promise<readonly string[]>;
}

async function runOne(state: RunState, test: SuiteTest, ctx: RunOneContext): Promise<TestResult> {
  const { options, tuning, id } = state;
  // A restarting embedded executor is waited for (bounded) rather than failed as connect_failed.
  await executorReady(options.executor, tuning.readyTimeoutMs ?? READY_BOUND_MS, options.signal);
  // A test under load runs its sessions, each through runTest (load.ts).
  return (test.load ? runLoadTest : runTest)(test, {
    suite: options.suite,
    runId: id,
    executor: options.executor,
    reportsDir: options.reportsDir,
    signal: options.signal,
    traceContext: ctx.ctx,
    progressIntervalMs: Math.max(1000, tuning.progressIntervalMs ?? 1000),
    ...(tuning.procRoot === undefined ? {} : { procRoot: tuning.procRoot }),
    onProgress: (p) => state.emit('test:progress', { runId: id, testId: test.id, ...p }),
    ...(ctx.rerunOf === undefined ? {} : { rerunOf: ctx.rerunOf, logParts: rerunLogParts(test.id, ctx.attempt ?? 1) }),
    ...(ctx.suspects ? { suspects: ctx.suspects } : {}),
  });
}

/** The suite's tests in order, with the pause between them; returns the tests the review suspects. */
async function runSuiteTests(state: RunState, ctx: RunSpanContext): Promise<Suspect[]> {
  const { suite, signal } = state.options;
  const { id, tests, reruns, review } = state;
  const suspects: Suspect[] = [];
  const total = suite.tests.length;
  for (const [index, test] of suite.tests.entries()) {
    if (signal?.aborted) break;
    const decision = review.mayStart([...tests, ...reruns], test);
    if (!decision.allowed) {
      // Past the budget: the test is recorded as not run, never started, and the next one is asked too.
      tests.push(deepFreeze(notRunTest(test, new Date().toISOString(), decision.reason ?? 'the cost budget is spent', 'budget')));
      continue;
    }
    state.emit('test:start', { runId: id, suite: suite.suite, index, total, test: { id: test.id, name: test.name, category: test.category } });
    let measures: readonly string[] = [];
    const result = await runOne(state, test, { ctx, suspects: async (r) => (measures = await review.suspects(r)) });
    if (measures.length > 0) suspects.push({ test, measures, result });
    tests.push(result);
    state.emit('test:end', { runId: id, suite: suite.suite, result });
    if (index < total - 1 && !signal?.aborted) await pause(suite.pause_between_tests, signal);
  }
  return suspects;
}

async function rerunSuspects(state: RunState, ctx: RunSpanContext, suspects: Suspect[]): Promise<void> {
  const { suite, signal } = state.options;
  const { id, tests, reruns, review } = state;
  const total = suite.tests.length;
  await runReruns({
    suspects, review, finished: () => [...tests, ...reruns], aborted: () => signal?.aborted === true,
    waitSeconds: suite.regression.pressure_wait_seconds,
    spaceOut: async (previous, deadlineMs) => {
      const waited = await waitForCalm(previous, { stepSeconds: suite.pause_between_tests, deadlineMs, ...(state.tuning.procRoot === undefined ? {} : { procRoot: state.tuning.procRoot }), ...(signal ? { signal } : {}) });
      if (!waited.calm && waited.last !== null && signal?.aborted !== true) {
        process.emitWarning(`stressd runner: ${previous.id}: the host stayed under pressure for ${waited.waitedSeconds.toFixed(0)} s (regression.pressure_wait_seconds); re-running anyway (${waited.last?.reason ?? 'no reading'})`);
      }
    },
    runOne: async (test, attempt) => {
      state.emit('test:start', { runId: id, suite: suite.suite, index: total + reruns.length, total, test: { id: test.id, name: test.name, category: test.category }, rerun_of: test.id });
      const result = await runOne(state, test, { ctx, rerunOf: test.id, attempt });
      reruns.push(result);
      state.emit('test:end', { runId: id, suite: suite.suite, result });
      return result;
    },
  });
}

/** Settles the suspects, judges the run, ends its span and freezes the final result. */
function finishRun(state: RunState, span: Span): RunResult {
  const { suite, signal } = state.options;
  const { tests, reruns, review } = state;
  const settled = tests.map((t) => deepFreeze(review.settle(t, reruns.filter((r) => r.rerun_of === t.id))));
  tests.splice(0, tests.length, ...settled);
  const aborted = signal?.aborted === true;
  const { graduated, ...verdict } = judgeRun(tests, suite.graduation, aborted);
  const cause = aborted ? abortCause(signal) : null;
  // The tests the abort kept from starting stay in the result, so every total counts the suite.
  if (aborted) {
    const at = new Date().toISOString();
    for (const test of suite.tests.slice(tests.length)) tests.push(notRunTest(test, at, `not started: ${cause ?? 'the run was aborted'}`));
  }
  const passed = tests.filter((t) => t.outcome === 'passed').length;
  endRunSpan(span, passed, graduated, verdict.reasons, regressedMeasures(tests));
  const endedAt = new Date();
  const complete: RunResult = {
    ...runningSnapshot(state),
    status: aborted ? 'aborted' : 'finished',
    ended_at: endedAt.toISOString(),
    duration_seconds: (endedAt.getTime() - state.startedAt.getTime()) / 1000,
    graduated,
    verdict,
    tests_passed: passed,
    abort_cause: cause,
  };
  // A log that could not be written whole is the run's too: its record lists every file it lacks.
  const logs = logWriteErrors([...tests, ...reruns]);
  if (logs.length > 0) complete.write_errors = logs;
  return deepFreeze({ ...complete, ...review.finish(complete) } satisfies RunResult);
}

/** The reason the signal was aborted with, in words ("stressd is shutting down"). */
function abortCause(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name !== 'AbortError') return reason.message;
  if (typeof reason === 'string' && reason !== '') return reason;
  return 'the run was aborted';
}

const READY_BOUND_MS = 15_000;

/** Waits, bounded, for an executor that is restarting: past the bound the test runs and fails with the real cause. */
async function executorReady(executor: RunSuiteOptions['executor'], ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!executor.ready) return;
  const bound = new AbortController();
  const stop = signal ? AbortSignal.any([signal, bound.signal]) : bound.signal;
  try {
    await Promise.race([executor.ready(), sleep(ms, undefined, { signal: stop })]);
  } catch {
    // Aborted: the test sees the signal.
  } finally {
    bound.abort();
  }
}

async function pause(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  if (seconds <= 0) return;
  try {
    await sleep(seconds * 1000, undefined, { signal });
  } catch {
    // Aborted: the loop sees the signal and stops.
  }
}
