/**
 * Every counter child the daemon can know of, created at 0 when it starts: a labelled child that
 * is born by its first event reads 1 in its first scrape, and increase() (which needs a sample
 * before the event) cannot count that event — after a restart, not one of the new process's
 * first events would count. Histograms are left to be born by their first observation: they feed
 * rates and quantiles, not counts.
 */
import { FAILURE_REASONS, OUTCOMES } from '../result/types.ts';
import type { MetricSet } from './metric-defs.ts';
import { testLabels } from './test-recording.ts';

export interface KnownTest {
  id: string;
  category?: string | null | undefined;
  /** The test's load, as the config gives it: an open-model test (a rate) also has its dropped arrivals at 0. */
  load?: { rate?: number | null | undefined; stages?: readonly { rate?: number | undefined }[] | null | undefined } | null | undefined;
}

/** An arrival rate, or stages of rates (the runner's isOpenLoad, which telemetry may not import). */
function openModel(test: KnownTest): boolean {
  return test.load != null && (test.load.rate != null || (test.load.stages?.some((s) => s.rate !== undefined) ?? false));
}

/** Outcomes and reasons a counter ever sees: a not_run test, or one cut short, counts nowhere. */
const COUNTED_OUTCOMES = OUTCOMES.filter((o) => o !== 'not_run');
const COUNTED_REASONS = FAILURE_REASONS.filter((r) => r !== 'aborted' && r !== 'budget');
const RUN_RESULTS = ['graduated', 'not_graduated', 'aborted'] as const;
const SKIP_CAUSES = ['overlap', 'busy_api'] as const;

/** inc(0) creates the child at 0 and leaves an existing one as it is. */
export function zeroSuiteCounters(m: MetricSet, suite: string, tests: readonly KnownTest[]): void {
  for (const test of tests) {
    const labels = testLabels(suite, { id: test.id, category: test.category ?? null });
    for (const outcome of COUNTED_OUTCOMES) m.testRuns.inc({ ...labels, outcome }, 0);
    for (const reason of COUNTED_REASONS) m.testFailures.inc({ ...labels, reason }, 0);
    m.testCost.inc(labels, 0);
    if (openModel(test)) m.loadDropped.inc(labels, 0);
  }
  for (const result of RUN_RESULTS) m.runs.inc({ suite, result }, 0);
  for (const cause of SKIP_CAUSES) m.runSkipped.inc({ suite, cause }, 0);
  m.runQueued.inc({ suite }, 0);
  m.runCost.inc({ suite }, 0);
  m.logWriteErrors.inc({ suite }, 0);
  m.reportWriteErrors.inc({ suite }, 0);
}
