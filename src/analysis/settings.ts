/** `regression` settings of a suite (DESIGN sections 3 and 10), with their defaults. */
import type { ModelName } from './models.ts';

export interface RegressionSettings {
  /** Most comparable runs in a baseline; default 50 (the bench's longer window: fewer false alarms). */
  window_runs: number;
  /** Fewest comparable runs for a verdict; default 5 (fewer: `no_baseline`). */
  min_runs: number;
  /** Relative floor: a change smaller than this fraction of the median is never a verdict; default 0.1. */
  min_change: number;
  /** Most re-runs of a suspected regression (`max_reruns`); default 3 (0: no confirmation). The sequential model stops early once decided. */
  confirm_reruns: number;
  /** The statistical model; default chosen by bench/regression.bench.ts (docs/analysis.md). */
  model: ModelName;
}

export const REGRESSION_DEFAULTS: Readonly<RegressionSettings> = Object.freeze({
  window_runs: 50,
  min_runs: 5,
  min_change: 0.1,
  confirm_reruns: 3,
  model: 'sequential',
});
