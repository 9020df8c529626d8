/**
 * One test's metrics as it ends (StressdMetrics.onTestEnd): duration with its exemplar, runs and
 * failures, stream timing and gaps, load sessions, cost and the last-value gauges.
 */
import { OUTCOMES, type TestResult } from '../result/types.ts';
import { cutShort } from '../result/not-run.ts';
import { DURATION_BUCKETS, type MetricSet, type TestLabels } from './metric-defs.ts';
import { applyLastTestGauges, finite } from './last-values.ts';
import { countDropped } from './capacity-gauges.ts';

/** Runs one independent piece of recording; a failure is logged and the other pieces go on. */
export type Safely = (what: string, fn: () => void) => void;

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const LAST_BUCKET = DURATION_BUCKETS[DURATION_BUCKETS.length - 1] ?? Infinity;

/**
 * The exemplar of a test's duration: the test span's trace and span id, so a click lands on the
 * test itself rather than the top of its run's trace. None for an unsampled trace, or above the
 * last bucket (an exemplar on +Inf is one prom-client cannot hold).
 */
function exemplarOf(test: TestResult, value: number): { exemplarLabels?: TestLabels } {
  if (typeof test.trace_id !== 'string' || !TRACE_ID.test(test.trace_id) || value > LAST_BUCKET) return {};
  const labels: Record<string, string> = { trace_id: test.trace_id };
  if (typeof test.span_id === 'string' && SPAN_ID.test(test.span_id)) labels.span_id = test.span_id;
  return { exemplarLabels: labels as TestLabels };
}

export function testLabels(suite: string, test: Pick<TestResult, 'id' | 'category'>): TestLabels {
  const labels: TestLabels = { suite, test: String(test.id) };
  if (typeof test.category === 'string' && test.category !== '') labels.category = test.category;
  return labels;
}

export function recordTest(m: MetricSet, safely: Safely, suite: string, test: TestResult): void {
  // A series labelled test="undefined" would outlive the bug that made it: refuse instead.
  if (typeof suite !== 'string' || typeof test?.id !== 'string' || !OUTCOMES.includes(test.outcome)) {
    throw new TypeError(`not a test result of suite ${String(suite)}: id ${String(test?.id)}, outcome ${String(test?.outcome)}`);
  }
  const labels = testLabels(suite, test);
  const outcome = String(test.outcome);
  const recordCost = (): void => safely('test cost', () => {
    const cost = finite(test.claude?.total_cost_usd);
    if (cost !== null && cost >= 0) m.testCost.inc(labels, cost);
  });
  // A test that never started is no measurement of anything; one cut short by an abort is a
  // partial one, and a re-run is not the test's last execution (it would move its last_* gauges
  // and weigh twice in the histograms): only the money they spent counts.
  if (outcome === 'not_run') return;
  if (cutShort(test) || test.rerun_of !== undefined) {
    recordCost();
    return;
  }
  safely('test duration', () => {
    const value = finite(test.duration_seconds);
    if (value === null || value < 0) return;
    // An exemplar above the last bucket would land on +Inf, which prom-client cannot hold.
    m.testDuration.observe({ labels: { ...labels, outcome }, value, ...exemplarOf(test, value) });
  });
  safely('test runs', () => {
    m.testRuns.inc({ ...labels, outcome });
    if (outcome !== 'passed') m.testFailures.inc({ ...labels, reason: String(test.reason ?? outcome) });
  });
  recordStream(m, safely, labels, test);
  recordCost();
  safely('test gauges', () => applyLastTestGauges(m, suite, labels, test));
  safely('dropped arrivals', () => countDropped(m, labels, test));
  safely('log write errors', () => {
    if (test.log_error) m.logWriteErrors.inc({ suite });
  });
}

/** Time to first output and the gaps between outputs, of the test and of each load session. */
function recordStream(m: MetricSet, safely: Safely, labels: TestLabels, test: TestResult): void {
  safely('stream timing', () => {
    const first = finite(test.stream?.first_output_seconds);
    if (first !== null) m.testFirstOutput.observe(labels, first);
  });
  safely('gap histogram', () => {
    // Absent in results from before stressd counted every gap; throws on foreign bounds.
    const gaps = test.stream?.gap_histogram;
    if (gaps) m.testGap.add(labels, gaps);
  });
  safely('load sessions', () => {
    for (const session of test.load?.session_list ?? []) {
      const duration = finite(session.duration_seconds);
      if (duration !== null && duration >= 0) {
        const series = { ...labels, outcome: String(session.outcome) };
        m.loadSessionDuration.observe(series, duration);
        m.loadSessions.observe(series, duration);
      }
      const first = finite(session.first_output_seconds);
      if (first !== null && first >= 0) m.loadFirstOutput.observe(labels, first);
    }
  });
}
