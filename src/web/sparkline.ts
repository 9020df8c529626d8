/**
 * A small inline SVG of one test's durations over the last runs, oldest on the left: a grey line
 * through every run, failed points red, aborted ones (the run was stopped) amber, each with a
 * tooltip. No script, no external assets.
 */
import { formatDuration } from '../result/format.ts';
import { escapeHtml } from './html.ts';

export type PointKind = 'passed' | 'failed' | 'aborted';

export interface SparkPoint {
  seconds: number;
  kind: PointKind;
  /** The tooltip: run id, outcome, reason. */
  label: string;
}

const W = 160;
const H = 28;
const PAD = 4;
const COLOR: Record<PointKind, string> = { passed: '#6b7280', failed: '#dc2626', aborted: '#d97706' };

export function renderSparkline(points: readonly SparkPoint[]): string {
  const drawn = points.filter((p) => Number.isFinite(p.seconds));
  if (drawn.length === 0) return '<span class="muted">–</span>';
  const max = Math.max(...drawn.map((p) => p.seconds), 0.001);
  const x = (i: number): number => (drawn.length === 1 ? W / 2 : PAD + (i * (W - 2 * PAD)) / (drawn.length - 1));
  const y = (s: number): number => H - PAD - (s / max) * (H - 2 * PAD);
  const line = drawn.length > 1 ? `<polyline fill="none" stroke="#9ca3af" stroke-width="1.5" points="${drawn.map((p, i) => `${x(i).toFixed(1)},${y(p.seconds).toFixed(1)}`).join(' ')}"/>` : '';
  const dots = drawn
    .map((p, i) => {
      const r = p.kind === 'passed' ? 1.8 : 3;
      return `<circle class="pt-${p.kind}" cx="${x(i).toFixed(1)}" cy="${y(p.seconds).toFixed(1)}" r="${r}" fill="${COLOR[p.kind]}"><title>${escapeHtml(`${p.label}: ${formatDuration(p.seconds)}`)}</title></circle>`;
    })
    .join('');
  return `<svg class="spark" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="durations of the last ${drawn.length} runs, longest ${escapeHtml(formatDuration(max))}">${line}${dots}</svg>`;
}
