/**
 * `startRun` (api.ts): the tests of a suite one after another, each on a fresh connection, with
 * the configured pause between them; RunnerEvents with frozen payloads as it goes; one frozen
 * RunResult at the end. The runner knows no sink: reports and metrics subscribe or read the result.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { VERSION } from '../version.ts';
import { redactCredentials } from '../result/redact.ts';
import type { RunHandle, RunnerEmitter, RunSuiteOptions, StartRun } from './api.ts';
import { judgeRun } from './graduation.ts';
import { makeRunId } from '../result/id.ts';
import { endRunSpan, spanIds, startRunSpan } from './spans.ts';
import { deepFreeze, runTest } from './test-run.ts';
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
    };

  // A throwing listener is a bug in a sink; it must not end the run.
  const emit = <K extends keyof RunnerEvents>(event: K, payload: RunnerEvents[K]): void => {
    try {
      events.emit(event, deepFreeze(payload));
    } catch (err) {
      process.emitWarning(`stressd runner: a '${event}' listener threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const run = async (): Promise<RunResult> => {
    const { span, ctx } = startRunSpan(suite.suite, id, suite.tests.length);
    traceId = spanIds(span).traceId;
    emit('run:start', { run: snapshot() });
    for (const [index, test] of suite.tests.entries()) {
      if (signal?.aborted) break;
      emit('test:start', { runId: id, suite: suite.suite, index, total: suite.tests.length, test: { id: test.id, name: test.name, category: test.category } });
      await executorReady(options.executor, tuning.readyTimeoutMs ?? READY_BOUND_MS, signal);
      const result = await runTest(test, {
        suite,
        runId: id,
        executor: options.executor,
        reportsDir: options.reportsDir,
        signal,
        traceContext: ctx,
        progressIntervalMs: Math.max(1000, tuning.progressIntervalMs ?? 1000),
        onProgress: (p) => emit('test:progress', { runId: id, testId: test.id, ...p }),
      });
      tests.push(result);
      emit('test:end', { runId: id, suite: suite.suite, result });
      if (index < suite.tests.length - 1 && !signal?.aborted) await pause(suite.pause_between_tests, signal);
    }
    const aborted = signal?.aborted === true;
    const verdict = judgeRun(tests, suite.graduation, aborted);
    const passed = tests.filter((t) => t.outcome === 'passed').length;
    endRunSpan(span, passed, verdict.graduated, verdict.reasons);
    const endedAt = new Date();
    final = deepFreeze({
      ...snapshot(),
      status: aborted ? 'aborted' : 'finished',
      ended_at: endedAt.toISOString(),
      duration_seconds: (endedAt.getTime() - startedAt.getTime()) / 1000,
      graduated: verdict.graduated,
      verdict,
      tests_passed: passed,
    } satisfies RunResult);
    emit('run:end', { run: final });
    return final;
  };

  // Started on the next tick so listeners attached right after startRun() see run:start.
  const done = new Promise<void>((resolve) => setImmediate(resolve)).then(run);
  return { id, events, done, snapshot };
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
