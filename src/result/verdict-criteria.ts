/**
 * The criteria a run's verdict records, as the result schema declares them (GraduationVerdictSchema):
 * the run's own bounds only. The suite's graduation block also holds the graduation over runs
 * (min_success_failure_ratio, ratio_window_runs), which is the success ratio's; copied whole into
 * the verdict, those keys were dropped when the run was read back, so its JSON never read back
 * as written.
 */
import type { GraduationVerdict } from './types.ts';

export function verdictCriteria(g: Readonly<GraduationVerdict['criteria']>): GraduationVerdict['criteria'] {
  return { min_pass_rate: g.min_pass_rate, allow_timeouts: g.allow_timeouts, max_peak_memory_mb: g.max_peak_memory_mb, max_peak_cpu_percent: g.max_peak_cpu_percent };
}
