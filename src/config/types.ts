/**
 * The normalised, frozen suite the runner executes. `load.ts` turns a config file (cc_executor's
 * flat or categorised JSON plus stressd's own keys, DESIGN section 3) into this.
 */

export interface GraduationCriteria {
  /** Default 0.6, as the original runner. */
  min_pass_rate: number;
  /** Default false: any timeout fails graduation. */
  allow_timeouts: boolean;
  /** Peak RSS bound of any test's process tree, MB; null = unbounded. */
  max_peak_memory_mb: number | null;
  /** Peak CPU bound, percent of one core; null = unbounded. */
  max_peak_cpu_percent: number | null;
  /** Graduation over runs (DESIGN section 10): graduated ÷ not-graduated runs needed; default 10. Optional for suites built in code. */
  min_success_failure_ratio?: number;
  /** Runs the ratio looks back over; default 50. */
  ratio_window_runs?: number;
}

/** DESIGN section 10; the defaults are in src/config/schema.ts (DEFAULTS.regression). */
export interface RegressionConfig {
  window_runs: number;
  min_runs: number;
  min_change: number;
  confirm_reruns: number;
  max_reruns?: number;
  model: 'sequential' | 'mad' | 'iqr' | 'percentile' | 't' | 'mann_whitney';
}

/** DESIGN section 3: USD limits, null = unlimited. */
export interface BudgetConfig {
  max_cost_usd_per_run: number | null;
  max_cost_usd_per_day: number | null;
}

/** DESIGN section 11: exactly one of `sessions` and `stages` is set. */
export interface LoadConfig {
  /** N sessions at once, each one execute. */
  sessions: number | null;
  /** A ramp: each stage's target reached linearly over its duration, from 0 at the start. */
  stages: readonly { duration_s: number; sessions: number }[] | null;
  /** Default 0.95: the test passes when at least this share of its sessions passed. */
  min_pass_ratio: number;
}

/** DESIGN §3 `retention`: per suite, oldest runs removed first. */
export interface RetentionPolicy {
  /** Default 30. */
  max_age_days: number;
  /** Default 1000. */
  max_runs: number;
  /** Default 1 GiB. */
  max_bytes: number;
}

export interface SuiteTest {
  id: string;
  name: string;
  command: string;
  expected_patterns: readonly string[];
  description: string | null;
  /** The category of the categorised form; null in the flat form. */
  category: string | null;
  /** Resolved deadline in seconds: the test's, else its category's, else the suite's. */
  timeout: number;
  /** The suite's `env` with the test's over it: sent with the command (DESIGN §12). */
  env?: Readonly<Record<string, string>>;
  /** Many sessions of this test (section 11); absent or null for one session. */
  load?: LoadConfig | null;
}

export interface Suite {
  /** The `suite` label: the config's `suite`, else the file name without `.json`. */
  suite: string;
  task_list_id: string | null;
  description: string | null;
  /** Absolute path of the config file, null when built in code. */
  path: string | null;
  /** "embedded" or a ws:// URL. */
  executor: string;
  /** Cron expression, null when the config has none. */
  schedule: string | null;
  /** Seconds; default 5. */
  pause_between_tests: number;
  /** Default 0.8. */
  pattern_threshold: number;
  /** Default 500. */
  sample_interval_ms: number;
  /** Suite-level timeout in seconds (default 300). */
  timeout: number;
  graduation: GraduationCriteria;
  /** Optional for suites built in code; loadSuite always sets it. */
  regression?: RegressionConfig;
  /** Optional for suites built in code; loadSuite always sets it. */
  budget?: BudgetConfig;
  /** Absent in suites built in code: the defaults apply. */
  retention?: RetentionPolicy;
  tests: readonly SuiteTest[];
  /** Names of stressd's own environment that commands may see (the embedded executor hands them on). */
  env_passthrough?: readonly string[];
}
