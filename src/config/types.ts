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
  tests: readonly SuiteTest[];
  /** Names of stressd's own environment that commands may see (the embedded executor hands them on). */
  env_passthrough?: readonly string[];
}
