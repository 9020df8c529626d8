/**
 * A capacity search in the report (DESIGN section 14): the highest level that held, the first that
 * broke and which objective broke it, and each step's figures with their spread; and, for a test
 * under the open model, the arrivals dropped at `max_in_flight`. The anchor before the steps is
 * where the HTML report draws its plot of latency against load (src/web/capacity-plot.ts).
 */
import type { LoadResult } from '../result/types.ts';
import { formatSeconds } from '../result/format.ts';
import { cell, inline, table } from './escape.ts';
import { DASH, count, percent, rate } from './format.ts';

export type CapacitySearch = NonNullable<LoadResult['search']>;
type Step = CapacitySearch['steps'][number];

/** The raw anchor the HTML report puts the plot after; test ids are safe names (config schema). */
export function capacityAnchor(testId: string): string {
  return `<a id="capacity-${testId}"></a>`;
}

function objectives(slo: CapacitySearch['slo']): string {
  if (!slo) return 'not recorded in this result';
  const parts = [`first output p95 ≤ ${formatSeconds(slo.first_output_p95_s)}`, `error ratio ≤ ${percent(slo.error_ratio)}`];
  if (slo.min_output_bytes_per_second !== null) parts.push(`output ≥ ${rate(slo.min_output_bytes_per_second, 'B/s')} per session (median)`);
  return parts.join(', ');
}

/** "held 8 sessions at once; first broke at 16 (first output p95 …)": the finding in one line. */
export function capacityFinding(search: CapacitySearch): string {
  const held = search.held === 0 ? 'no level held' : `held **${count(search.held)} sessions at once**`;
  if (search.broke === null) return `${held}; no level broke`;
  const first = search.steps.find((s) => s.sessions === search.broke && !s.held);
  const why = first && first.broke.length > 0 ? ` (${first.broke.map(inline).join('; ')})` : '';
  return `${held}; first broke at ${count(search.broke)}${why}`;
}

function stepRow(s: Step, i: number): string[] {
  const f = s.first_output_seconds;
  const d = s.duration_seconds;
  return [
    String(i + 1), count(s.sessions), formatSeconds(s.seconds, 1), count(s.started),
    formatSeconds(f.p50), formatSeconds(f.p95), formatSeconds(f.max),
    `${formatSeconds(d.p50)} / ${formatSeconds(d.p95)}`,
    percent(s.error_ratio), rate(s.output_bytes_per_second_p50, 'B/s'),
    s.held ? 'held' : `**broke**: ${s.broke.length === 0 ? DASH : s.broke.map(cell).join('; ')}`,
  ];
}

export function capacitySection(testId: string, search: CapacitySearch): string {
  const head = [
    `**Capacity search**: ${capacityFinding(search)}. Ended: ${inline(search.ended)}.`,
    `Objectives: ${objectives(search.slo)}.`,
    `Each step holds its level of sessions (the closed model: an ended session is replaced), so no arrival is dropped.`,
  ].join(' ');
  const steps = table(
    ['step', 'sessions', 'time', 'started', 'first output p50', 'p95', 'max', 'duration p50 / p95', 'errors', 'output per session (p50)', 'result'],
    search.steps.map(stepRow),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  return [head, '', capacityAnchor(testId), '', search.steps.length === 0 ? '_No step ran._' : steps, ''].join('\n');
}

/** Open model: arrivals that found the cap full, as k6's dropped_iterations; null for other modes. */
export function droppedLine(load: LoadResult): string | null {
  if (load.mode !== 'rate') return null;
  const dropped = load.dropped ?? 0;
  const arrivals = load.sessions + dropped;
  const share = arrivals === 0 ? '' : ` (${percent(dropped / arrivals)} of ${count(arrivals)} arrivals)`;
  return `**Dropped arrivals**: ${count(dropped)}${share} found \`max_in_flight\` sessions in flight and never started; latencies are measured from each arrival's intended start.`;
}
