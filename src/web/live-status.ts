/** The live status sink: where each run in flight is (test, elapsed time, output so far), for the status page. */
import type { Sink } from '../result/sink.ts';
import type { LiveProgress, RunnerEvents, RunResult } from '../result/types.ts';

export class LiveStatus implements Sink {
  readonly name = 'live status';
  readonly #runs = new Map<string, LiveProgress>();

  /** The progress of a run in flight; null once it ended (or before it started). */
  progress(runId: string): LiveProgress | null {
    const live = this.#runs.get(runId);
    return live ? { ...live } : null;
  }

  onRunStart(run: Readonly<RunResult>): void {
    this.#runs.set(run.id, {
      runId: run.id, index: 0, total: run.tests_total, test: null, testStartedAt: null,
      elapsed_seconds: 0, output_bytes: 0, output_lines: 0,
    });
  }

  onTestStart(e: RunnerEvents['test:start']): void {
    const live = this.#runs.get(e.runId);
    if (!live) return;
    Object.assign(live, {
      index: e.index + 1, total: e.total, test: e.test, testStartedAt: Date.now(),
      elapsed_seconds: 0, output_bytes: 0, output_lines: 0,
    });
  }

  onTestProgress(e: RunnerEvents['test:progress']): void {
    const live = this.#runs.get(e.runId);
    if (live?.test?.id !== e.testId) return;
    live.elapsed_seconds = e.elapsed_seconds;
    live.output_bytes = e.output_bytes;
    live.output_lines = e.output_lines;
  }

  onTestEnd(e: RunnerEvents['test:end']): void {
    // Between tests (the pause) nothing is in flight: the page says so instead of a stale test.
    const live = this.#runs.get(e.runId);
    if (live?.test?.id === e.result.id) Object.assign(live, { test: null, testStartedAt: null });
  }

  onRunEnd(run: Readonly<RunResult>): void {
    this.#runs.delete(run.id);
  }
}
