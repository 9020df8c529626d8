/** Small, dependency-free statistics over short samples (a baseline window holds ≤ a few dozen values). */

export function sorted(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Linear interpolation between order statistics (R's type 7, numpy's default); `q` in [0, 1]. */
export function quantileSorted(s: readonly number[], q: number): number {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] as number;
  const b = s[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantileSorted(sorted(values), 0.5);
}

/** Median absolute deviation scaled by 1.4826, so it estimates σ for normal data. */
export function robustSpread(values: readonly number[]): number {
  const m = median(values);
  return 1.4826 * median(values.map((v) => Math.abs(v - m)));
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

export function stdev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: number[], x: number): number => k.reduce((acc, ki) => acc * x + ki, 0);
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/** Student's t quantile by the Cornish–Fisher expansion around the normal one (good to ~1e-3 for ν ≥ 4). */
export function tQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * nu) + (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3);
}

/**
 * One-sided exact Mann–Whitney p-value that `ys` lie above `xs`: the share of all ways to place
 * |ys| ranks among |xs|+|ys| whose rank sum is at least the observed one. Ties get mid-ranks (the
 * count is then approximate, which is fine for continuous measures). Sizes here are small (≤ ~60).
 */
export function mannWhitneyGreaterP(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length + ys.length;
  const k = ys.length;
  if (k === 0 || xs.length === 0) return 1;
  const all = [...xs.map((v) => ({ v, y: false })), ...ys.map((v) => ({ v, y: true }))].sort((a, b) => a.v - b.v);
  let observed = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) if (all[t]!.y) observed += rank;
    i = j + 1;
  }
  // ways[c][s]: subsets of c ranks from those seen so far with rank sum s.
  const maxSum = (k * (2 * n - k + 1)) / 2;
  let ways: number[][] = Array.from({ length: k + 1 }, () => new Array<number>(maxSum + 1).fill(0));
  ways[0]![0] = 1;
  for (let r = 1; r <= n; r++) {
    const next = ways.map((row) => [...row]);
    for (let c = 1; c <= Math.min(k, r); c++) {
      for (let s = r; s <= maxSum; s++) next[c]![s]! += ways[c - 1]![s - r]!;
    }
    ways = next;
  }
  let total = 0;
  let atLeast = 0;
  const threshold = Math.ceil(observed - 1e-9);
  for (let s = 0; s <= maxSum; s++) {
    const w = ways[k]![s]!;
    total += w;
    if (s >= threshold) atLeast += w;
  }
  return atLeast / total;
}

// Rousseeuw & Croux's small-sample factors for Qn, n = 2..9 (their Table 2).
const QN_SMALL = [0, 0, 0.399, 0.994, 0.512, 0.844, 0.611, 0.857, 0.669, 0.872];

/**
 * Rousseeuw & Croux's Qn: the k-th smallest pairwise distance, k = C(⌊n/2⌋+1, 2), scaled to
 * estimate σ for normal data. 82 % efficient at the normal where the MAD is 37 %, with the same
 * 50 % breakdown; O(n²) here, fine for windows of a few dozen values.
 */
export function qnSpread(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const d = new Float64Array((n * (n - 1)) / 2);
  let p = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) d[p++] = Math.abs(values[i]! - values[j]!);
  const h = Math.floor(n / 2) + 1;
  const k = (h * (h - 1)) / 2;
  const raw = 2.2219 * select(d, k - 1);
  const factor = n <= 9 ? QN_SMALL[n]! : n % 2 === 1 ? n / (n + 1.4) : n / (n + 3.8);
  return raw * factor;
}

/** The k-th smallest (0-based) of `a`, reordering it (Hoare's quickselect: the baseline is judged every run). */
function select(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** log Σ exp(x) without overflow. */
export function logSumExp(xs: readonly number[]): number {
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Standard normal upper tail, via erfc (Numerical Recipes' Chebyshev fit, |error| < 1.2e-7). */
export function normalUpper(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const y = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return z >= 0 ? y / 2 : 1 - y / 2;
}
