/**
 * Offline change points of one series (issue 21, point 5): where a measure's level shifted over a
 * test's history. Binary segmentation with a permutation test, as E-divisive means (Apache Otava,
 * formerly Hunter) does, on clipped scores so that one outlier or a second mode cannot make a
 * split: in a segment of n values with scores z (Huber's ψ of the standardised values, centred,
 * variance σ²; see `scores`), the interval [a, b) of length L that maximises
 *
 *   T(a, b) = |Σ_{a≤i<b} z_i| / sqrt(L·(n−L)·σ²/(n−1))
 *
 * (the interval's mean score against the rest, standardised) is the candidate:
 * a step when it touches an end, a bump (two change points) when it does not, so that a level
 * that went up and came back is found too, which a single split misses; every part is at least
 * `minSegment` long. The best step is tested first, then the best interval of any kind, each at
 * α/2: its significance is the share of shuffles of the segment whose best T of that kind is at
 * least as large, p = (1 + #{T* ≥ T}) / (1 + permutations). A split is kept and its parts are
 * searched again. Shuffles draw from the seeded PRNG (src/seeded-random.ts), so the
 * same series gives the same points everywhere. Under no change the values are exchangeable and
 * the first test, which every further one needs, is wrong with probability below `alpha`, whatever
 * the distribution (two modes, heavy tails).
 */
import { seededRandom } from '../seeded-random.ts';

export interface ChangePointParams {
  /** Fewest values on either side of a split. */
  minSegment: number;
  /** Largest permutation p-value a split is kept with. */
  alpha: number;
  /** Shuffles per test. */
  permutations: number;
  seed: number;
  /** What the statistic sums: Huber's ψ (the default) or ranks (kept for the bench's comparison). */
  scoring: 'huber' | 'ranks';
}

export const CHANGEPOINT_DEFAULTS: Readonly<ChangePointParams> = Object.freeze({ minSegment: 4, alpha: 0.01, permutations: 499, seed: 0x5eed21, scoring: 'huber' });

export interface SplitPoint {
  /** The first index of the new level. */
  index: number;
  /** The permutation p-value of the split within the segment it was found in. */
  p: number;
}

/** Average ranks (1-based), ties sharing the mean of their positions. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length).fill(0);
  for (let s = 0; s < order.length;) {
    let e = s;
    while (e + 1 < order.length && order[e + 1]!.v === order[s]!.v) e++;
    const r = (s + e) / 2 + 1;
    for (let j = s; j <= e; j++) out[order[j]!.i] = r;
    s = e + 1;
  }
  return out;
}

/** A segment [a, b) of a series whose level differs from the rest, and its statistic. */
interface Split {
  a: number;
  b: number;
  t: number;
}

/**
 * The scores the statistic sums, centred (mean 0), and their variance: the values clipped at
 * median ± c·(1.4826·MAD) and standardised (Huber's ψ; `c` = HUBER_C), so that one outlier or a
 * second mode weighs no more than c while a shift keeps its size; ranks when the MAD is 0 (most
 * values equal) or when asked (`kind`).
 */
export function scores(values: readonly number[], kind: 'huber' | 'ranks' = 'huber'): { z: number[]; variance: number } {
  const n = values.length;
  const sortedValues = [...values].sort((a, b) => a - b);
  const mid = (s: readonly number[]): number => (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2);
  const med = mid(sortedValues);
  const mad = 1.4826 * mid(values.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
  const raw = mad > 0 && kind === 'huber' ? values.map((v) => Math.max(-HUBER_C, Math.min(HUBER_C, (v - med) / mad))) : ranks(values);
  const mean = raw.reduce((a, b) => a + b, 0) / n;
  const z = raw.map((v) => v - mean);
  return { z, variance: z.reduce((a, b) => a + b * b, 0) / n };
}

/** Where ψ clips, in robust standard deviations: 2 kept late steps (6 runs) found best (bench/changepoint.bench.ts, docs/analysis.md). */
export const HUBER_C = 2;

/**
 * The best step (an interval touching an end) and the best interval of any kind (a bump when both
 * ends are inside) of centred scores z (length n) against the rest, every part at least
 * `minSegment` long; null when the segment is too short.
 */
function bestSplits(z: readonly number[], variance: number, minSegment: number, prefix: Float64Array): { step: Split; any: Split } | null {
  const n = z.length;
  if (n < 2 * minSegment || variance <= 0) return null;
  const scale = variance / (n - 1);
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + z[i]!;
  let step: Split = { a: 0, b: 0, t: -1 };
  let any: Split = { a: 0, b: 0, t: -1 };
  for (let a = 0; a <= n - minSegment; a++) {
    if (a > 0 && a < minSegment) continue;
    for (let b = a + minSegment; b <= n; b++) {
      if (b < n && n - b < minSegment) continue;
      const len = b - a;
      if (n - len < minSegment) continue;
      const t = Math.abs(prefix[b]! - prefix[a]!) / Math.sqrt(len * (n - len) * scale);
      if (t > any.t + 1e-12) any = { a, b, t };
      if ((a === 0 || b === n) && t > step.t + 1e-12) step = { a, b, t };
    }
  }
  return { step, any };
}

function shuffle(a: number[], rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
}

/**
 * The segment's split with its p-value, or null when it has none worth testing. A step is tested
 * first (the common case, and the more powerful test for it), then any interval, each at half the
 * significance, so that a segment with no change is split with probability below `alpha`.
 */
function testSegment(values: readonly number[], p: ChangePointParams, seed: number): (Split & { p: number }) | null {
  const { z, variance } = scores(values, p.scoring);
  const prefix = new Float64Array(values.length + 1);
  const found = bestSplits(z, variance, p.minSegment, prefix);
  if (found === null || found.any.t <= 0) return null;
  const rand = seededRandom(seed);
  const work = [...z];
  let stepAtLeast = 0;
  let anyAtLeast = 0;
  // Once both counts are past what p < α/2 allows, no further shuffle can make either significant:
  // stopping there gives the same answer, and series without a change (most) stop after a few dozen.
  const allowed = (p.alpha / 2) * (1 + p.permutations) - 1;
  for (let i = 0; i < p.permutations && (stepAtLeast < allowed || anyAtLeast < allowed); i++) {
    shuffle(work, rand);
    const t = bestSplits(work, variance, p.minSegment, prefix);
    if (t && t.step.t >= found.step.t - 1e-12) stepAtLeast++;
    if (t && t.any.t >= found.any.t - 1e-12) anyAtLeast++;
  }
  const pStep = (1 + stepAtLeast) / (1 + p.permutations);
  const pAny = (1 + anyAtLeast) / (1 + p.permutations);
  if (pStep < p.alpha / 2) return { ...found.step, p: pStep };
  return pAny < p.alpha / 2 ? { ...found.any, p: pAny } : null;
}

/** Every significant change point of the series, in index order. Values must be finite. */
export function changePoints(values: readonly number[], params: Partial<ChangePointParams> = {}): SplitPoint[] {
  const p: ChangePointParams = { ...CHANGEPOINT_DEFAULTS, ...params };
  const out: SplitPoint[] = [];
  const search = (start: number, end: number): void => {
    // The seed names the segment, so a split's p-value does not depend on the order of the search.
    const split = testSegment(values.slice(start, end), p, (p.seed ^ Math.imul(start + 1, 0x9e3779b1) ^ Math.imul(end + 1, 0x85ebca6b)) >>> 0);
    if (split === null) return;
    const cuts = [split.a, split.b].filter((c) => c > 0 && c < end - start).map((c) => start + c);
    for (const at of cuts) out.push({ index: at, p: split.p });
    const bounds = [start, ...cuts, end];
    for (let i = 0; i + 1 < bounds.length; i++) search(bounds[i]!, bounds[i + 1]!);
  };
  search(0, values.length);
  return out.sort((a, b) => a.index - b.index);
}
