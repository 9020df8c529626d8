/**
 * The "last value" gauges of one test, shared by live recording and by hydration from history.
 * A figure that is missing (null, not measured, not finite) removes its series instead of leaving
 * the value of an older run behind.
 */
import type { Gauge } from 'prom-client';
import { MEASURES } from '../result/measures.ts';
import type { TestResult } from '../result/types.ts';
import { SUT_LABELS, TOKEN_KINDS, type MetricSet, type SutLabel, type TestLabel, type TestLabels } from './metric-defs.ts';
import { applyCapacityGauges } from './capacity-gauges.ts';

export function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function setOrRemove<L extends string>(gauge: Gauge<L>, labels: Partial<Record<L, string>>, value: unknown): void {
  const v = finite(value);
  if (v === null) gauge.remove(labels);
  else gauge.set(labels, v);
}

type SutLabels = Record<SutLabel, string>;
/** The sut_info series currently set per suite, so a new combination replaces the old series. */
const sutSeries = new WeakMap<MetricSet, Map<string, SutLabels>>();

/**
 * One series per suite for the combination now measured. A test that reports no Claude stream (a
 * shell command) or no executor keeps the suite's last known value of that part, so a suite that
 * mixes Claude and plain tests does not flip its series (and its Grafana annotation) every test.
 */
function setSutInfo(m: MetricSet, suite: string, test: TestResult): void {
  const claude = test.claude ?? null;
  const executor = test.versions?.executor ?? null;
  const hasClaude = claude !== null && (claude.model != null || claude.claude_version != null);
  if (!hasClaude && executor === null) return;
  let bySuite = sutSeries.get(m);
  if (!bySuite) sutSeries.set(m, (bySuite = new Map()));
  const previous = bySuite.get(suite);
  const claudeVersion = hasClaude ? String(claude.claude_version ?? '') : (previous?.claude_version ?? '');
  const labels: SutLabels = {
    suite,
    model: hasClaude ? String(claude.model ?? '') : (previous?.model ?? ''),
    version: claudeVersion,
    claude_version: claudeVersion,
    executor: executor ? executor.name : (previous?.executor ?? ''),
    executor_version: executor ? (executor.version ?? '') : (previous?.executor_version ?? ''),
  };
  if (previous && SUT_LABELS.some((k) => previous[k] !== labels[k])) m.sutInfo.remove(previous);
  m.sutInfo.set(labels, 1);
  bySuite.set(suite, labels);
}

export function applyLastTestGauges(m: MetricSet, suite: string, labels: TestLabels, test: TestResult): void {
  const stream = test.stream ?? null;
  for (const def of MEASURES) {
    const gauge = m.lastMeasure.get(def.name);
    if (gauge) setOrRemove<TestLabel>(gauge, labels, def.value(test));
  }
  setOrRemove<TestLabel>(m.lastOutputChunks, labels, test.output_chunks);
  m.lastSuccess.set(labels, test.outcome === 'passed' ? 1 : 0);
  setOrRemove<TestLabel>(m.lastCoverage, labels, test.pattern_coverage);
  setOrRemove<TestLabel>(m.lastGapP95, labels, stream?.gap_p95_seconds);
  setOrRemove<TestLabel>(m.lastGapMax, labels, stream?.gap_max_seconds);
  setOrRemove<TestLabel>(m.lastEscapedProcesses, labels, test.escaped_processes?.length);

  const measured = test.resources?.measured === true ? test.resources : null;
  setOrRemove<TestLabel>(m.lastPeakRssSum, labels, measured?.peak_rss_sum_bytes);

  const claude = test.claude ?? null;
  const usage = claude?.usage ?? null;
  const tokens: Record<(typeof TOKEN_KINDS)[number], unknown> = {
    input: usage?.input_tokens,
    output: usage?.output_tokens,
    cache_read: usage?.cache_read_input_tokens,
    cache_creation: usage?.cache_creation_input_tokens,
  };
  for (const kind of TOKEN_KINDS) setOrRemove<TestLabel | 'kind'>(m.lastTokens, { ...labels, kind }, tokens[kind]);
  setSutInfo(m, suite, test);
  applyCapacityGauges(m, labels, test);
}
