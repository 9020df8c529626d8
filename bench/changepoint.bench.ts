/**
 * The offline change-point pass (src/analysis/changepoint.ts), simulated: series of one measure
 * over n runs, noise families as in regression.bench.ts (log-normal at CV 5/10/20 %, two-mode
 * 90/10 and 80/20 with the second mode ×1.5, 5 % of runs ×3, Student's t with 3 df). Printed per
 * family and n, for stressd's pass (Huber's ψ at c = 2, steps then intervals, α = 0.01, 499
 * shuffles), the same pass on ranks, and a baseline in the same run (binary segmentation on the
 * values' mean: a CUSUM of the raw values, steps only, with the same permutation test):
 *   false      share of series without a change with any change point
 *   +25 % mid  share of series with a +25 % step at n/2 whose change point is found within one run
 *   +25 % late a +25 % step 6 runs before the end (a change the user has just seen 6 runs of)
 *   ms         milliseconds per series without a change (the common case on the status page, which
 *              caches the pass per history; a series with a change runs all shuffles)
 * Seeded (BENCH_SEED, default 21); BENCH_SERIES (default 400) series per cell, a quarter at n = 100.
 */
import { changePoints, CHANGEPOINT_DEFAULTS } from '../src/analysis/changepoint.ts';
import { seededRandom } from '../src/seeded-random.ts';

const SEED = Number(process.env.BENCH_SEED ?? 21);
const SERIES = Number(process.env.BENCH_SERIES ?? 400);
const LENGTHS = [20, 50, 100];

interface Family { name: string; cv: number; second?: number; heavy?: boolean; t3?: boolean }
const FAMILIES: Family[] = [
  { name: 'log-normal', cv: 0.05 }, { name: 'log-normal', cv: 0.1 }, { name: 'log-normal', cv: 0.2 },
  { name: 'two-mode 90/10', cv: 0.1, second: 0.1 }, { name: 'two-mode 80/20', cv: 0.1, second: 0.2 },
  { name: '×3 5 %', cv: 0.1, heavy: true }, { name: 't 3 df', cv: 0.1, t3: true },
];

function gauss(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
}

function value(rand: () => number, f: Family, level: number): number {
  const sigma = Math.sqrt(Math.log(1 + f.cv * f.cv));
  let z = gauss(rand);
  if (f.t3) {
    // t(3) = Z / sqrt(χ²₃ / 3), scaled to unit variance (var t₃ = 3).
    const chi = gauss(rand) ** 2 + gauss(rand) ** 2 + gauss(rand) ** 2;
    z = z / Math.sqrt(chi / 3) / Math.sqrt(3);
  }
  let v = level * Math.exp(sigma * z);
  if (f.second !== undefined && rand() < f.second) v *= 1.5;
  if (f.heavy && rand() < 0.05) v *= 3;
  return v;
}

/** The baseline: binary segmentation on the mean (CUSUM of values), steps only, permutation p < α. */
function meanCusum(values: readonly number[], start = 0, out: number[] = []): number[] {
  const n = values.length;
  const m = CHANGEPOINT_DEFAULTS.minSegment;
  if (n < 2 * m) return out;
  const best = (x: readonly number[]): { k: number; t: number } => {
    const mean = x.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) || 1;
    let cum = 0;
    let top = { k: 0, t: -1 };
    for (let k = 1; k <= n - m; k++) {
      cum += x[k - 1]! - mean;
      if (k < m) continue;
      const t = Math.abs(cum) / (sd * Math.sqrt((k * (n - k)) / n));
      if (t > top.t) top = { k, t };
    }
    return top;
  };
  const found = best(values);
  const rand = seededRandom(SEED ^ (start + 1) ^ (n << 8));
  const work = [...values];
  let atLeast = 0;
  for (let i = 0; i < CHANGEPOINT_DEFAULTS.permutations; i++) {
    for (let j = n - 1; j > 0; j--) {
      const r = Math.floor(rand() * (j + 1));
      [work[j], work[r]] = [work[r]!, work[j]!];
    }
    if (best(work).t >= found.t) atLeast++;
  }
  if ((1 + atLeast) / (1 + CHANGEPOINT_DEFAULTS.permutations) >= CHANGEPOINT_DEFAULTS.alpha) return out;
  out.push(start + found.k);
  meanCusum(values.slice(0, found.k), start, out);
  meanCusum(values.slice(found.k), start + found.k, out);
  return out;
}

type Finder = (values: readonly number[]) => number[];
const FINDERS: [string, Finder][] = [
  ['stressd (Huber ψ c = 2, steps + intervals)', (v) => changePoints(v).map((p) => p.index)],
  ['ranks (steps + intervals)', (v) => changePoints(v, { scoring: 'ranks' }).map((p) => p.index)],
  ['baseline (mean CUSUM, steps)', (v) => meanCusum(v)],
];

function pct(hits: number, of: number): string {
  return ((hits / of) * 100).toFixed(1);
}

console.log(`change points: α ${CHANGEPOINT_DEFAULTS.alpha}, ${CHANGEPOINT_DEFAULTS.permutations} shuffles, min segment ${CHANGEPOINT_DEFAULTS.minSegment}; seed ${SEED}, ${SERIES} series per cell (${SERIES / 4} at n = 100)\n`);
console.log('| family | CV | n | procedure | false % | +25 % mid within 1 % | +25 % late within 1 % | ms/series |');
console.log('|---|---|---|---|---|---|---|---|');
for (const f of FAMILIES) {
  for (const n of LENGTHS) {
    const trials = n === 100 ? Math.max(1, Math.round(SERIES / 4)) : SERIES;
    for (const [name, find] of FINDERS) {
      let falses = 0;
      let mid = 0;
      let late = 0;
      let ms = 0;
      for (let s = 0; s < trials; s++) {
        const rand = seededRandom(SEED * 1_000_003 + s * 7919 + n);
        const flat = Array.from({ length: n }, () => value(rand, f, 100));
        const stepMid = Array.from({ length: n }, (_, i) => value(rand, f, i >= n / 2 ? 125 : 100));
        const stepLate = Array.from({ length: n }, (_, i) => value(rand, f, i >= n - 6 ? 125 : 100));
        const t0 = performance.now();
        if (find(flat).length > 0) falses++;
        ms += performance.now() - t0;
        if (find(stepMid).some((k) => Math.abs(k - n / 2) <= 1)) mid++;
        if (find(stepLate).some((k) => Math.abs(k - (n - 6)) <= 1)) late++;
      }
      console.log(`| ${f.name} | ${f.cv * 100}% | ${n} | ${name} | ${pct(falses, trials)} | ${pct(mid, trials)} | ${pct(late, trials)} | ${(ms / trials).toFixed(2)} |`);
    }
  }
}
