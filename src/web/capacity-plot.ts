/**
 * A capacity search as an inline SVG (DESIGN section 14): first output p95 and p50 of each step
 * against its level — sessions at once, or over rate arrivals per second (src/result/search-level.ts)
 — the objective's p95 line, and the knee (the highest level that
 * held, with the band up to the first that broke) marked. Server-rendered, no script; every text
 * is escaped. One `<g class="step">` per step, so a reader (or a test) can count them.
 */
import type { LoadResult } from '../result/types.ts';
import { levelAxis, levelNumber, levelWords, stepLevel } from '../result/search-level.ts';
import { escapeHtml as e } from './html.ts';

type Search = NonNullable<LoadResult['search']>;
type Step = Search['steps'][number];

const W = 640;
const H = 240;
const PAD = { left: 52, right: 16, top: 16, bottom: 40 };
const P95 = '#dc2626';
const P50 = '#2563eb';

function secs(v: number): string {
  const text = v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
  // 1.25 s, 2.5 s, 0.05 s: trailing zeros are noise on an axis.
  return `${text.includes('.') ? text.replace(/\.?0+$/, '') : text} s`;
}

function stepWords(search: Search, s: Step): string {
  const f = s.first_output_seconds;
  const figures = `first output p50 ${f.p50 === null ? 'none' : secs(f.p50)}, p95 ${f.p95 === null ? 'none' : secs(f.p95)}, errors ${(s.error_ratio * 100).toFixed(1)} %`;
  const inFlight = search.over === 'rate' ? ` (${s.sessions} in flight at most, ${s.dropped ?? 0} dropped)` : '';
  return `${levelWords(search, stepLevel(search, s))}${inFlight}: ${figures}; ${s.held ? 'held' : `broke (${s.broke.join('; ')})`}`;
}

/** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `v`. */
export function niceCeil(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  const nice = [1, 2, 2.5, 5, 10].find((k) => k * power >= v * (1 - 1e-9)) ?? 10;
  return nice * power;
}

/** The plot of one test's search; `label` names it (a test id or name) in its title. */
export function renderCapacityPlot(search: Search, label: string): string {
  const level = (s: Step): number => stepLevel(search, s);
  const steps = [...search.steps].sort((a, b) => level(a) - level(b));
  const axisTitle = levelAxis(search);
  const title = `Capacity of ${label}: first output against ${axisTitle}; held ${levelNumber(search.held)}${search.broke === null ? '' : `, broke at ${levelNumber(search.broke)}`}`;
  if (steps.length === 0) return `<p class="muted">${e(title)}: no step ran.</p>`;
  const slo = search.slo?.first_output_p95_s ?? null;
  const figures = steps.flatMap((s) => [s.first_output_seconds.p95, s.first_output_seconds.p50]).filter((v): v is number => v !== null && Number.isFinite(v));
  // Headroom above the highest point, so its mark is not cut by the top edge; a round top, so the
  // grid lines read 0, half and the top as round numbers.
  const maxY = niceCeil(Math.max(0.001, ...figures.map((v) => v * 1.1), slo === null ? 0 : slo * 1.25));
  const maxX = Math.max(search.over === 'rate' ? 0.01 : 1, ...steps.map(level), search.broke ?? 0);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (level: number): number => PAD.left + (level / maxX) * plotW;
  const y = (v: number): number => PAD.top + plotH - (Math.min(v, maxY) / maxY) * plotH;
  const f1 = (n: number): string => n.toFixed(1);

  const grid = [0, 0.5, 1].map((k) => {
    const v = maxY * k;
    return `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(y(v))}" y2="${f1(y(v))}" stroke="#e5e7eb"/>` +
      `<text x="${PAD.left - 6}" y="${f1(y(v) + 4)}" text-anchor="end" font-size="11">${e(secs(v))}</text>`;
  });
  const levels = [...new Set([0, ...steps.map(level)])];
  // Level labels under the axis, skipping any that would touch the one before.
  let lastX = -Infinity;
  const xLabels = levels.flatMap((at) => {
    if (x(at) - lastX < 22) return [];
    lastX = x(at);
    return [`<text x="${f1(x(at))}" y="${H - PAD.bottom + 14}" text-anchor="middle" font-size="11">${levelNumber(at)}</text>`];
  });
  const axis = `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="#6b7280"/>` +
    `<text x="${PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle" font-size="11">${e(axisTitle)}</text>`;

  const knee = search.held > 0
    ? `<g class="knee"><title>${e(`knee: ${levelWords(search, search.held)} held${search.broke === null ? '' : `, ${levelWords(search, search.broke)} broke`}`)}</title>` +
      (search.broke === null ? '' : `<rect x="${f1(x(search.held))}" y="${PAD.top}" width="${f1(Math.max(1, x(search.broke) - x(search.held)))}" height="${plotH}" fill="#fef3c7"/>`) +
      `<line x1="${f1(x(search.held))}" x2="${f1(x(search.held))}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="#b45309" stroke-width="2" stroke-dasharray="5 3"/>` +
      `<text x="${f1(x(search.held) + 4)}" y="${PAD.top + 12}" font-size="11" fill="#b45309">held ${levelNumber(search.held)}</text></g>`
    : '';
  const sloLine = slo === null ? '' :
    `<g class="slo"><title>${e(`objective: first output p95 at most ${secs(slo)}`)}</title>` +
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${f1(y(slo))}" y2="${f1(y(slo))}" stroke="#111827" stroke-dasharray="2 3"/>` +
    `<text x="${PAD.left + 4}" y="${f1(y(slo) - 4)}" font-size="11">p95 objective ${e(secs(slo))}</text></g>`;

  const line = (pick: (s: Step) => number | null, color: string): string => {
    const pts = steps.flatMap((s) => { const v = pick(s); return v === null ? [] : [`${f1(x(level(s)))},${f1(y(v))}`]; });
    return pts.length > 1 ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>` : '';
  };
  const marks = steps.map((s) => {
    const f = s.first_output_seconds;
    // A step with no first output at all (every session failed first) sits on the top edge, hollow.
    const p95 = f.p95 ?? maxY;
    const fill = s.held && f.p95 !== null ? P95 : '#fff';
    const p50 = f.p50 === null ? '' : `<circle class="p50" cx="${f1(x(level(s)))}" cy="${f1(y(f.p50))}" r="3" fill="${P50}"/>`;
    const rateAttr = search.over === 'rate' ? ` data-rate="${levelNumber(level(s))}"` : '';
    return `<g class="step ${s.held ? 'held' : 'broke'}" data-sessions="${s.sessions}"${rateAttr}><title>${e(stepWords(search, s))}</title>` +
      `<circle class="p95" cx="${f1(x(level(s)))}" cy="${f1(y(p95))}" r="4" fill="${fill}" stroke="${P95}" stroke-width="2"/>${p50}</g>`;
  });
  const legend = `<text x="${PAD.left}" y="${H - 6}" font-size="11"><tspan fill="${P95}">● p95</tspan> <tspan fill="${P50}">● p50</tspan> <tspan fill="#6b7280">○ broke</tspan></text>`;
  return `<svg class="chart capacity-plot" viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}"><title>${e(title)}</title>` +
    grid.join('') + knee + sloLine + axis + xLabels.join('') + line((s) => s.first_output_seconds.p50, P50) + line((s) => s.first_output_seconds.p95, P95) +
    marks.join('') + legend + '</svg>';
}

/**
 * The per-test view's block: for each test whose latest run with a search has one, its plot and
 * the capacity found in the last runs (oldest first). Empty when no test searched.
 */
export function renderCapacityPlots(runs: readonly { id: string; tests: readonly { id: string; load?: LoadResult | undefined }[] }[], limit = 20): string {
  const seen = new Map<string, { search: Search; history: number[] }>();
  for (const run of runs.slice(0, limit)) {
    for (const t of run.tests) {
      const search = t.load?.search;
      if (!search) continue;
      const entry = seen.get(t.id);
      // A test that changed from sessions to rate (or back) keeps only the latest kind's history: the units differ.
      if (entry) { if ((entry.search.over === 'rate') === (search.over === 'rate')) entry.history.unshift(search.held); }
      else seen.set(t.id, { search, history: [search.held] });
    }
  }
  if (seen.size === 0) return '';
  const blocks = [...seen].map(([id, { search, history }]) =>
    `<figure class="capacity" id="capacity-${e(id)}">${renderCapacityPlot(search, id)}` +
    `<figcaption><code>${e(id)}</code>: capacity in the last ${history.length} run${history.length === 1 ? '' : 's'}, oldest first: ${e(history.map(levelNumber).join(', '))} ${search.over === 'rate' ? 'arrivals/s' : 'sessions'}</figcaption></figure>`);
  return `<h3>Capacity</h3>${blocks.join('\n')}`;
}
