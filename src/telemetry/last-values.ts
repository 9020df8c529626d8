/**
 * The "last value" gauges of one test, shared by live recording and by hydration from history.
 * A figure that is missing (null, not measured, not finite) removes its series instead of leaving
 * the value of an older run behind.
 */
import type { Gauge } from 'prom-client';
import { MEASURES } from '../result/measures.ts';
import type { TestResult } from '../result/types.ts';
import { TOKEN_KINDS, type MetricSet, type TestLabel, type TestLabels } from './metric-defs.ts';
import { applyCapacityGauges } from './capacity-gauges.ts';

export function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function setOrRemove<L extends string>(gauge: Gauge<L>, labels: Partial<Record<L, string>>, value: unknown): void {
  const v = finite(value);
  if (v === null) gauge.remove(labels);
  else gauge.set(labels, v);
}

type SutLabels = { suite: string; model: string; version: string };
/** The sut_info series currently set per suite, so a new model replaces the old series. */
const sutSeries = new WeakMap<MetricSet, Map<string, SutLabels>>();

function setSutInfo(m: MetricSet, suite: string, claude: TestResult['claude']): void {
  if (!claude || (claude.model == null && claude.claude_version == null)) return;
  const labels: SutLabels = { suite, model: String(claude.model ?? ''), version: String(claude.claude_version ?? '') };
  let bySuite = sutSeries.get(m);
  if (!bySuite) sutSeries.set(m, (bySuite = new Map()));
  const previous = bySuite.get(suite);
  if (previous && (previous.model !== labels.model || previous.version !== labels.version)) m.sutInfo.remove(previous);
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
  setSutInfo(m, suite, claude);
  applyCapacityGauges(m, labels, test);
}
