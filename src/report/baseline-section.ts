/**
 * The report's judgement over runs (DESIGN sections 8 and 10): "Compared with the baseline" — per
 * test and measure the value, the baseline's median ± spread (n), the change with an arrow for its
 * direction, and the verdict — then graduation over runs and the budget.
 */
import { DASH, formatDuration } from '../result/format.ts';
import { findMeasure } from '../result/measures.ts';
import type { MeasureName, RegressionRecord, RegressionVerdict, RunResult } from '../result/types.ts';
import { cell, inline, inlineCode, table } from './escape.ts';

/** The heading's anchor, which the status page links to. */
export const BASELINE_ANCHOR = 'compared-with-the-baseline';

const VERDICT_MARK: Record<RegressionVerdict, string> = {
  regressed: '**regressed**',
  improved: 'improved',
  unchanged: 'unchanged',
  noise: 'noise (re-runs did not confirm)',
  inconclusive: 'inconclusive (evidence undecided)',
  no_baseline: 'no baseline yet',
};

/** The report's words for a measure; a name the table lacks (a newer stressd's run) as it is. */
function measureWords(measure: MeasureName): string {
  return findMeasure(measure)?.words ?? measure;
}

/** A value in its measure's unit, as the measure table writes it. */
export function measureValue(measure: MeasureName, v: number): string {
  return findMeasure(measure)?.format(v) ?? String(v);
}

/** ↑ higher, ↓ lower, → the same; the verdict says whether that is good or bad. */
export function changeText(r: Pick<RegressionRecord, 'change' | 'value' | 'baseline'>): string {
  if (r.baseline === null) return DASH;
  const diff = r.value - r.baseline.median;
  const arrow = diff > 0 ? '↑' : diff < 0 ? '↓' : '→';
  if (r.change === null) return arrow;
  const pct = `${r.change > 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
  return `${arrow} ${pct}`;
}

function baselineText(measure: MeasureName, r: RegressionRecord): string {
  if (r.baseline === null) return DASH;
  return `${measureValue(measure, r.baseline.median)} ± ${measureValue(measure, r.baseline.spread)} (${r.baseline.n})`;
}

function verdictText(r: RegressionRecord): string {
  const reruns = r.reruns && r.reruns.length > 0 ? `; re-runs: ${r.reruns.map((v) => measureValue(r.measure, v)).join(', ')}` : '';
  const why = r.verdict === 'inconclusive' && r.reason ? `: ${cell(r.reason)}` : '';
  return `${VERDICT_MARK[r.verdict]}${why}${reruns}`;
}

export function baselineSection(run: RunResult): string {
  const judged = run.tests.filter((t) => t.regressions && t.regressions.length > 0);
  const head = `## Compared with the baseline\n\n`;
  if (judged.length === 0) return `${head}_No test was compared: a test is judged when it passes and its history has passed runs with the same command._\n`;
  const rows = judged.flatMap((t) =>
    (t.regressions ?? []).map((r) => [
      inlineCode(t.id, { inTable: true }), cell(measureWords(r.measure)), measureValue(r.measure, r.value),
      baselineText(r.measure, r), changeText(r), verdictText(r),
    ]),
  );
  const regressed = judged.flatMap((t) => (t.regressions ?? []).filter((r) => r.verdict === 'regressed').map((r) => `${inline(t.id)} ${measureWords(r.measure)}`));
  const summary = regressed.length === 0 ? 'No confirmed regression.' : `**Confirmed regressions: ${regressed.join(', ')}.**`;
  const note = 'Baseline: median ± spread (1.4826 × MAD) of the last passed runs with the same command, (n) runs. ' +
    'A suspected regression is re-run at the end of the run; only re-runs that bear it out make it regressed.';
  return `${head}${summary}\n\n${table(['test', 'measure', 'value', 'baseline median ± spread (n)', 'change', 'verdict'], rows, ['l', 'l', 'r', 'r', 'r', 'l'])}\n\n${note}\n${rerunsList(run)}`;
}

function rerunsList(run: RunResult): string {
  const reruns = run.reruns ?? [];
  if (reruns.length === 0) return '';
  const lines = reruns.map((r) => {
    const busy = r.host_pressure?.under_pressure ? `, host under pressure (${cell(r.host_pressure.reason ?? 'over a limit')})` : '';
    return `- ${inlineCode(r.rerun_of ?? r.id)}: ${cell(r.outcome)} in ${formatDuration(r.duration_seconds)}${busy}${r.log_path ? ` (log ${inlineCode(r.log_path)})` : ''}`;
  });
  return `\nRe-runs:\n\n${lines.join('\n')}\n`;
}

/** Graduation over runs and the budget, under the run's own verdict. */
export function overRunsSection(run: RunResult): string {
  const lines: string[] = ['## Over runs', ''];
  lines.push(run.success_ratio ? `${inline(run.success_ratio.text)}.${run.only === undefined ? '' : ' This partial run (`--only`) is not counted.'}` : '_Graduation over runs was not computed for this run._');
  const b = run.budget;
  if (b) {
    const limit = (v: number | null): string => (v === null ? 'unlimited' : `$${v.toFixed(2)}`);
    lines.push('', `Cost: $${b.run_cost_usd.toFixed(4)} this run (budget ${limit(b.max_cost_usd_per_run)}), $${b.day_cost_usd.toFixed(4)} today, UTC (budget ${limit(b.max_cost_usd_per_day)}).`);
    if (b.exhausted_by !== null) lines.push('', `**Budget exhausted (${b.exhausted_by}): ${inline(b.reason ?? 'limit reached')}. Tests after it did not run.**`);
  }
  return `${lines.join('\n')}\n`;
}
