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
  /** Absent in suites built in code: the defaults apply. */
  retention?: RetentionPolicy;
  tests: readonly SuiteTest[];
}
