/**
 * `regression` settings of a suite (DESIGN sections 3 and 10), as analysis reads them. Their
 * defaults are the config schema's (src/config/schema.ts); analysis always receives all of them.
 */
import type { ModelName } from '../result/measures.ts';

export interface RegressionSettings {
  /** Most comparable runs in a baseline. */
  window_runs: number;
  /** Fewest comparable runs for a verdict (fewer: `no_baseline`). */
  min_runs: number;
  /** Relative floor: a change smaller than this fraction of the median is never a verdict. */
  min_change: number;
  /** Re-runs of a suspected regression before the verdict (0: no confirmation). */
  confirm_reruns: number;
  /** The statistical model (chosen by bench/regression.bench.ts, docs/analysis.md). */
  model: ModelName;
}
