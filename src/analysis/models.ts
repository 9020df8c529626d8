/**
 * Candidate statistical models of "the usual range" of a measure, all robust or rank-based except
 * Student's t, which is here as the classic reference. Each gives a boundary on both sides of the
 * baseline; floors are applied by judge.ts, not here. bench/regression.bench.ts compares them.
 */
import type { BadDirection } from '../result/measures.ts';
import { mannWhitneyGreaterP, mean, median, quantileSorted, robustSpread, sorted, stdev, tQuantile } from './stats.ts';

import { MODEL_NAMES, type ModelName } from '../result/measures.ts';

export { MODEL_NAMES, type ModelName };

export interface Bounds {
  lower: number;
  upper: number;
}

export interface RegressionModel {
  name: ModelName;
  /** A short description with the parameters, as the benchmark and the docs print it. */
  label: string;
  bounds(sample: readonly number[]): Bounds;
  /**
   * Whether the re-runs bear the suspect out: `values` holds the suspect first, then the re-runs'
   * values (at least one).
   */
  confirms(sample: readonly number[], values: readonly number[], bad: BadDirection, bounds: Bounds): boolean;
}

/**
 * The default confirmation: the median of the RE-RUNS alone is beyond the bound. The suspect value
 * is left out on purpose: averaged in, one ×2 outlier drags a normal re-run past the bound (the
 * benchmark's first version did exactly that, 10–50 false alarms per 1,000 test-runs).
 */
function medianBeyond(_sample: readonly number[], values: readonly number[], bad: BadDirection, b: Bounds): boolean {
  const m = median(values.slice(1));
  return bad === 'higher' ? m > b.upper : m < b.lower;
}

/** median ± k · 1.4826 · MAD. */
export function madModel(k = 3): RegressionModel {
  return {
    name: 'mad',
    label: `median ± ${k}·MAD`,
    bounds(sample) {
      const m = median(sample);
      const s = robustSpread(sample);
      return { lower: m - k * s, upper: m + k * s };
    },
    confirms: medianBeyond,
  };
}

/** Tukey's fences: [Q1 − k·IQR, Q3 + k·IQR]. */
export function iqrModel(k = 1.5): RegressionModel {
  return {
    name: 'iqr',
    label: `IQR fences ${k}`,
    bounds(sample) {
      const s = sorted(sample);
      const q1 = quantileSorted(s, 0.25);
      const q3 = quantileSorted(s, 0.75);
      return { lower: q1 - k * (q3 - q1), upper: q3 + k * (q3 - q1) };
    },
    confirms: medianBeyond,
  };
}

/** The window's own p-th and (1−p)-th percentiles. */
export function percentileModel(p = 0.05): RegressionModel {
  return {
    name: 'percentile',
    label: `percentile ${Math.round(p * 100)}/${Math.round((1 - p) * 100)}`,
    bounds(sample) {
      const s = sorted(sample);
      return { lower: quantileSorted(s, p), upper: quantileSorted(s, 1 - p) };
    },
    confirms: medianBeyond,
  };
}

/** Student's t prediction interval for one new value: mean ± t(1−α, n−1) · s · √(1 + 1/n). */
export function tModel(alpha = 0.01): RegressionModel {
  return {
    name: 't',
    label: `Student's t α=${alpha}`,
    bounds(sample) {
      const n = sample.length;
      const half = tQuantile(1 - alpha, Math.max(1, n - 1)) * stdev(sample) * Math.sqrt(1 + 1 / n);
      const m = mean(sample);
      return { lower: m - half, upper: m + half };
    },
    confirms: medianBeyond,
  };
}

/**
 * Mann–Whitney: a single new value is suspect when it lies beyond everything in the window (the
 * most extreme rank, p = 1/(n+1)); confirmation tests the suspect and its re-runs together against
 * the window, one-sided, at `alpha`.
 */
export function mannWhitneyModel(alpha = 0.01): RegressionModel {
  return {
    name: 'mann_whitney',
    label: `Mann–Whitney α=${alpha}`,
    bounds(sample) {
      const s = sorted(sample);
      return { lower: s[0] ?? Number.NaN, upper: s[s.length - 1] ?? Number.NaN };
    },
    confirms(sample, values, bad) {
      const flip = (v: number): number => (bad === 'higher' ? v : -v);
      return mannWhitneyGreaterP(sample.map(flip), values.map(flip)) <= alpha;
    },
  };
}

/** The models by name, with the parameters the benchmark chose (docs/analysis.md). */
export const MODELS: Readonly<Record<ModelName, RegressionModel>> = {
  // The sequential confirmation (sequential.ts) decides by evidence; its bounds only give `score` a scale.
  sequential: { ...madModel(3), name: 'sequential', label: 'sequential (capped LLR)' },
  mad: madModel(3),
  iqr: iqrModel(1.5),
  percentile: percentileModel(0.05),
  t: tModel(0.01),
  mann_whitney: mannWhitneyModel(0.01),
};
