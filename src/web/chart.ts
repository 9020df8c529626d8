/**
 * An inline SVG line chart of per-test durations over the last runs: one line per test, oldest run
 * on the left. Server-rendered, no script, no external assets. A test that did not pass is a
 * hollow point; an aborted run is a dashed vertical mark; a test it cut short or never started is
 * not plotted (its partial duration would read as the test getting faster).
 */
import { ranToEnd } from '../result/not-run.ts';
import type { RunResult, TestResult } from '../result/types.ts';
import { formatDuration } from '../result/format.ts';
import { escapeHtml } from './html.ts';

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];
const W = 640;
const H = 220;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** "11-30 10:15" in UTC: the page says UTC once, below the chart. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '?' : d.toISOString().slice(5, 16).replace('T', ' ');
}

/** Start times under the first, middle and last run (fewer when they would overlap). */
function timeLabels(drawn: readonly RunResult[], x: (i: number) => number): string {
  const last = drawn.length - 1;
  const picks = last === 0 ? [0] : last === 1 ? [0, 1] : [0, Math.floor(last / 2), last];
  return picks
    .map((i) => {
      const anchor = i === 0 && last > 0 ? 'start' : i === last && last > 0 ? 'end' : 'middle';
      return `<text class="tl" x="${x(i).toFixed(1)}" y="${H - 8}" text-anchor="${anchor}">${escapeHtml(shortTime(drawn[i]?.started_at ?? ''))}</text>`;
    })
    .join('');
}

/** `runs` newest first (as history keeps them); at most `limit` are drawn. */
export function renderDurationChart(runs: readonly RunResult[], limit = 20): string {
  const drawn = runs.slice(0, limit).reverse();
  const testIds: string[] = [];
  for (const run of drawn) for (const t of run.tests) if (!testIds.includes(t.id)) testIds.push(t.id);
  if (drawn.length === 0 || testIds.length === 0) return '<p class="muted">No finished runs to chart yet.</p>';

  const plotted = (t: TestResult | undefined): t is TestResult => t !== undefined && ranToEnd(t) && Number.isFinite(t.duration_seconds);
  const max = Math.max(1, ...drawn.flatMap((r) => r.tests.filter(plotted).map((t) => t.duration_seconds)));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (drawn.length === 1 ? plotW / 2 : (i * plotW) / (drawn.length - 1));
  const y = (s: number): number => PAD.top + plotH - (Math.min(s, max) / max) * plotH;

  const lines = testIds.map((id, k) => {
    const color = PALETTE[k % PALETTE.length] ?? '#000';
    const points: string[] = [];
    const dots: string[] = [];
    drawn.forEach((run, i) => {
      const t = run.tests.find((tt) => tt.id === id);
      if (!plotted(t)) return;
      points.push(`${x(i).toFixed(1)},${y(t.duration_seconds).toFixed(1)}`);
      const paint = t.outcome === 'passed' ? `fill="${color}"` : `class="fail" fill="#fff" stroke="${color}" stroke-width="2"`;
      dots.push(
        `<circle cx="${x(i).toFixed(1)}" cy="${y(t.duration_seconds).toFixed(1)}" r="3" ${paint}>` +
          `<title>${escapeHtml(`${id} · ${run.id}: ${formatDuration(t.duration_seconds)} (${t.outcome})`)}</title></circle>`,
      );
    });
    const line = points.length > 1 ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>` : '';
    return line + dots.join('');
  });

  const ticks = [0, 0.5, 1].map((f) => {
    const v = max * f;
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e7eb"/>` +
      `<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toFixed(0)} s</text>`;
  });
  const abortMarks = drawn.flatMap((run, i) =>
    run.status === 'aborted'
      ? [`<line class="aborted" x1="${x(i).toFixed(1)}" x2="${x(i).toFixed(1)}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#9ca3af" stroke-dasharray="4 3">` +
          `<title>${escapeHtml(`${run.id}: aborted${run.abort_cause ? ` (${run.abort_cause})` : ''}`)}</title></line>`]
      : [],
  );
  const legend = testIds
    // A class, not a style attribute: the Content-Security-Policy allows only hashed <style> blocks.
    .map((id, k) => `<span class="legend"><i class="c${k % PALETTE.length}"></i>${escapeHtml(id)}</span>`)
    .join(' ');
  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Per-test durations over the last ${drawn.length} runs">` +
    ticks.join('') +
    timeLabels(drawn, x) +
    abortMarks.join('') +
    lines.join('') +
    `</svg><div>${legend} <span class="legend muted">● passed · ○ did not pass · ┆ aborted run · times: run starts, UTC</span></div>`
  );
}
