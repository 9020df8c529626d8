/** A test under load in the report (DESIGN section 11): sessions by outcome, percentiles, and the per-second timeline. */
import type { LoadResult } from '../result/types.ts';
import { formatSeconds } from '../result/format.ts';
import { table } from './escape.ts';
import { count, percent } from './format.ts';
import { droppedLine } from './capacity-section.ts';

function modeWords(mode: LoadResult['mode']): string {
  switch (mode) {
    case 'fixed': return 'sessions at once';
    case 'stages': return 'ramped through stages';
    case 'rate': return 'arrivals at a rate, the open model';
    case 'search': return 'a capacity search';
  }
}

/** A long ramp keeps the table readable: past this many rows, seconds are merged (failures summed). */
const MAX_ROWS = 120;

function percentileRow(what: string, p: LoadResult['duration_seconds']): string[] {
  return [what, formatSeconds(p.p50), formatSeconds(p.p95), formatSeconds(p.p99), formatSeconds(p.max)];
}

/** Every `step`-th point, each carrying the failures of the seconds it stands for. */
export function thinTimeline(points: LoadResult['timeline'], maxRows = MAX_ROWS): LoadResult['timeline'] {
  if (points.length <= maxRows) return points;
  const step = Math.ceil(points.length / maxRows);
  const out: LoadResult['timeline'] = [];
  for (let i = 0; i < points.length; i += step) {
    const group = points.slice(i, i + step);
    const last = group[group.length - 1];
    if (last) out.push({ ...last, failed: group.reduce((s, p) => s + p.failed, 0) });
  }
  return out;
}

export function loadSection(load: LoadResult): string {
  const o = load.outcomes;
  const summary = [
    `**Load** (${modeWords(load.mode)}): ${count(load.sessions)} sessions, at most ${count(load.peak_active)} at once;`,
    `${count(o.passed)} passed, ${count(o.failed)} failed, ${count(o.timeout)} timed out, ${count(o.error)} errors`,
    `(${count(load.refusals)} refused by the executor at its session limit, -32003);`,
    // A search breaks its last levels on purpose: its verdict is whether a level held, not the share.
    load.mode === 'search'
      ? `passed share ${percent(load.pass_ratio)} over all steps (a search passes when a level held).`
      : `passed share ${percent(load.pass_ratio)} against a minimum of ${percent(load.min_pass_ratio)}.`,
  ].join(' ');
  const percentiles = table(['per session', 'p50', 'p95', 'p99', 'max'], [
    percentileRow('Duration', load.duration_seconds),
    percentileRow('First output', load.first_output_seconds),
  ], ['l', 'r', 'r', 'r', 'r']);
  const points = thinTimeline(load.timeline);
  const merged = points.length < load.timeline.length ? ` (every ${Math.ceil(load.timeline.length / MAX_ROWS)} s; failed summed over them)` : '';
  const timeline = table(['second', 'sessions wanted', 'active', 'failed'], points.map((p) => [String(p.t), count(p.sessions), count(p.active), count(p.failed)]), ['r', 'r', 'r', 'r']);
  const dropped = droppedLine(load);
  return [summary, '', ...(dropped === null ? [] : [dropped, '']), percentiles, '', ...(load.timeline.length === 0 ? [] : [`Sessions per second${merged}:`, '', timeline, ''])].join('\n');
}
