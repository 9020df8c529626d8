/**
 * `startRun` (api.ts): the tests of a suite one after another, each on a fresh connection, with
 * the configured pause between them; RunnerEvents with frozen payloads as it goes; one frozen
 * RunResult at the end. The runner knows no sink: reports and metrics subscribe or read the result.
 */
import type { Context as RunSpanContext } from '@opentelemetry/api';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../version.ts';
import { redactCredentials } from '../result/redact.ts';
import type { RunHandle, RunnerEmitter, RunSuiteOptions, StartRun } from './api.ts';
import { judgeRun } from './graduation.ts';
import { makeRunId } from '../result/id.ts';
import { notRunTest } from '../result/not-run.ts';
import { endRunSpan, regressedMeasures, spanIds, startRunSpan } from './spans.ts';
import { guardReview, runReruns } from './review-phase.ts';
import { runLoadTest } from './load.ts';
import { deepFreeze, runTest } from './test-run.ts';
import type { SuiteTest } from '../config/types.ts';
import type { RunnerEvents, RunResult, TestResult } from '../result/types.ts';

export interface StartRunTuning {
  /** How often test:progress fires during a test; default 1,000 ms (and never more often). */
  progressIntervalMs?: number;
  /** Bound on waiting for a restarting executor before each test; default 15,000 ms. */
  readyTimeoutMs?: number;
}

export const startRun: StartRun = (options: RunSuiteOptions): RunHandle => startRunWith(options, {});

export function startRunWith(options: RunSuiteOptions, tuning: StartRunTuning): RunHandle {
  const { suite, signal } = options;
  const id = makeRunId();
  const events = new EventEmitter() as RunnerEmitter;
  const startedAt = new Date();
  const tests: TestResult[] = [];
  const reruns: TestResult[] = [];
  const review = guardReview(options.review);
  let final: RunResult | null = null;
  let traceId: string | null = null;

  const snapshot = (): RunResult =>
    final ?? {
      id,
      suite: suite.suite,
      description: suite.description,
      config_path: suite.path,
      executor: redactCredentials(options.executor.url),
      status: 'running',
      trigger: options.trigger,
      started_at: startedAt.toISOString(),
      ended_at: null,
      duration_seconds: null,
      graduated: false,
      verdict: null,
      tests_total: suite.tests.length,
      tests_passed: tests.filter((t) => t.outcome === 'passed').length,
      tests: [...tests],
      trace_id: traceId,
      stressd_version: VERSION,
      ...(reruns.length > 0 ? { reruns: [...reruns] } : {}),
    };

  // A throwing listener is a bug in a sink; it must not end the run.
  const emit = <K extends keyof RunnerEvents>(event: K, payload: RunnerEvents[K]): void => {
    try {
      events.emit(event, deepFreeze(payload));
    } catch (err) {
      process.emitWarning(`stressd runner: a '${event}' listener threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const runOne = async (test: SuiteTest, ctx: { ctx: RunSpanContext; rerunOf?: string; attempt?: number; suspects?: (r: TestResult) => Promise<readonly string[]> }): Promise<TestResult> => {
    // A restarting embedded executor is waited for (bounded) rather than failed as connect_failed.
    await executorReady(options.executor, tuning.readyTimeoutMs ?? READY_BOUND_MS, signal);
    // A test under load runs its sessions, each through runTest (load.ts).
    return (test.load ? runLoadTest : runTest)(test, {
      suite,
      runId: id,
      executor: options.executor,
      reportsDir: options.reportsDir,
      signal,
      traceContext: ctx.ctx,
      progressIntervalMs: Math.max(1000, tuning.progressIntervalMs ?? 1000),
      onProgress: (p) => emit('test:progress', { runId: id, testId: test.id, ...p }),
      ...(ctx.rerunOf === undefined ? {} : { rerunOf: ctx.rerunOf, logName: `${test.id}.rerun-${ctx.attempt ?? 1}` }),
      ...(ctx.suspects ? { suspects: ctx.suspects } : {}),
    });
  };

  const run = async (): Promise<RunResult> => {
    const { span, ctx } = startRunSpan(suite.suite, id, suite.tests.length);
    traceId = spanIds(span).traceId;
    emit('run:start', { run: snapshot() });
    const suspects: { test: SuiteTest; measures: readonly string[] }[] = [];
    const total = suite.tests.length;
    for (const [index, test] of suite.tests.entries()) {
      if (signal?.aborted) break;
      const decision = review.mayStart([...tests, ...reruns], test);
      if (!decision.allowed) {
        // Past the budget: the test is recorded as not run, never started, and the next one is asked too.
        tests.push(deepFreeze(notRunTest(test, new Date().toISOString(), decision.reason ?? 'the cost budget is spent', 'budget')));
        continue;
      }
      emit('test:start', { runId: id, suite: suite.suite, index, total, test: { id: test.id, name: test.name, category: test.category } });
      let measures: readonly string[] = [];
      const result = await runOne(test, { ctx, suspects: async (r) => (measures = await review.suspects(r)) });
      if (measures.length > 0) suspects.push({ test, measures });
      tests.push(result);
      emit('test:end', { runId: id, suite: suite.suite, result });
      if (index < total - 1 && !signal?.aborted) await pause(suite.pause_between_tests, signal);
    }
    await runReruns({
      suspects, review, finished: () => [...tests, ...reruns], aborted: () => signal?.aborted === true,
      runOne: async (test, attempt) => {
        emit('test:start', { runId: id, suite: suite.suite, index: total + reruns.length, total, test: { id: test.id, name: test.name, category: test.category }, rerun_of: test.id });
        const result = await runOne(test, { ctx, rerunOf: test.id, attempt });
        reruns.push(result);
        emit('test:end', { runId: id, suite: suite.suite, result });
        return result;
      },
    });
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
      ...snapshot(),
      status: aborted ? 'aborted' : 'finished',
      ended_at: endedAt.toISOString(),
      duration_seconds: (endedAt.getTime() - startedAt.getTime()) / 1000,
      graduated,
      verdict,
      tests_passed: passed,
      abort_cause: cause,
    };
    final = deepFreeze({ ...complete, ...review.finish(complete) } satisfies RunResult);
    emit('run:end', { run: final });
    return final;
  };

  // Started on the next tick so listeners attached right after startRun() see run:start.
  const done = new Promise<void>((resolve) => setImmediate(resolve)).then(run);
  return { id, events, done, snapshot };
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
