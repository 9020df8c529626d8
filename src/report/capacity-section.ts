/**
 * A capacity search in the report (DESIGN section 14): the highest level that held, the first that
 * broke and which objective broke it, the bound that ended the search and its cost, and each step's
 * figures with their spread — levels in sessions at once, or over rate in arrivals per second with
 * each step's sessions in flight and dropped arrivals; and, for a test
 * under the open model, the arrivals dropped at `max_in_flight`. The anchor before the steps is
 * where the HTML report draws its plot of latency against load (src/web/capacity-plot.ts).
 */
import type { LoadResult } from '../result/types.ts';
import { formatSeconds } from '../result/format.ts';
import { cell, inline, table } from './escape.ts';
import { DASH, count, percent, rate, usd } from './format.ts';
import { boundWords, levelNumber, levelWords, overRate, stepLevel } from '../result/search-level.ts';

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
  const at = overRate(search) ? levelWords(search, search.held) : `${count(search.held)} sessions at once`;
  const held = search.held === 0 ? 'no level held' : `held **${at}**`;
  if (search.broke === null) return `${held}; no level broke`;
  const first = search.steps.find((s) => stepLevel(search, s) === search.broke && !s.held);
  const why = first && first.broke.length > 0 ? ` (${first.broke.map(inline).join('; ')})` : '';
  const broke = overRate(search) ? levelWords(search, search.broke) : count(search.broke);
  return `${held}; first broke at ${broke}${why}`;
}

/** The bound that ended the search and what its steps cost; empty for results written before either was kept. */
function boundAndCost(search: CapacitySearch): string {
  const bound = boundWords(search);
  const parts = bound === null ? [] : [`Bound: ${bound}.`];
  if (search.cost_usd !== undefined) parts.push(`Cost: ${search.cost_usd === null ? 'no session reported one' : `${usd(search.cost_usd)} (Claude's total_cost_usd over all steps)`}.`);
  return parts.join(' ');
}

function stepRow(search: CapacitySearch, s: Step, i: number): string[] {
  const f = s.first_output_seconds;
  const d = s.duration_seconds;
  const level = overRate(search) ? [levelNumber(stepLevel(search, s)), count(s.sessions)] : [count(s.sessions)];
  const dropped = overRate(search) ? [count(s.dropped ?? 0)] : [];
  return [
    String(i + 1), ...level, formatSeconds(s.seconds, 1), count(s.started), ...dropped,
    formatSeconds(f.p50), formatSeconds(f.p95), formatSeconds(f.max),
    `${formatSeconds(d.p50)} / ${formatSeconds(d.p95)}`,
    percent(s.error_ratio), rate(s.output_bytes_per_second_p50, 'B/s'),
    s.held ? 'held' : `**broke**: ${s.broke.length === 0 ? DASH : s.broke.map(cell).join('; ')}`,
  ];
}

function model(search: CapacitySearch): string {
  return overRate(search)
    ? 'Each step holds its arrival rate (the open model: latencies from each arrival\'s intended start); an arrival that found `max_sessions` in flight is dropped and counts as an error.'
    : 'Each step holds its level of sessions (the closed model: an ended session is replaced), so no arrival is dropped.';
}

export function capacitySection(testId: string, search: CapacitySearch): string {
  const head = [
    `**Capacity search**: ${capacityFinding(search)}. Ended: ${inline(search.ended)}.`,
    boundAndCost(search),
    `Objectives: ${objectives(search.slo)}.`,
    model(search),
  ].filter((p) => p !== '').join(' ');
  const rateCols = overRate(search);
  const columns = ['step', ...(rateCols ? ['rate (arrivals/s)', 'in flight (max)'] : ['sessions']), 'time', 'started', ...(rateCols ? ['dropped'] : []),
    'first output p50', 'p95', 'max', 'duration p50 / p95', 'errors', 'output per session (p50)', 'result'];
  // Every figure right-aligned; the words of the result left.
  const steps = table(columns, search.steps.map((s, i) => stepRow(search, s, i)), columns.map((_, i) => (i === columns.length - 1 ? 'l' : 'r')));
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
