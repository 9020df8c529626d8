/**
 * Every default of a suite setting, once (test/config/defaults-once.test.ts): the schema files
 * (schema.ts, load-schema.ts) take their `.default(...)` from here and no reader applies its own.
 * schema.ts re-exports it; it is a module of its own so load-schema.ts can read it without an
 * import cycle.
 */
export const DEFAULTS = {
  timeout: 300,
  executor: 'embedded',
  pause_between_tests: 5,
  pattern_threshold: 0.8,
  sample_interval_ms: 500,
  min_pass_rate: 0.6,
  allow_timeouts: false,
  min_success_failure_ratio: 10,
  ratio_window_runs: 50,
  min_pass_ratio: 0.95,
  search: { over: 'sessions', first_output_p95_s: 5, error_ratio: 0.05, max_sessions: 100, max_rate: 100, step_s: 10, max_steps: 12, max_seconds: 600, first_level: 1, resolution: 0.1 },
  open: { arrivals: 'constant', arrivals_seed: 1, max_in_flight: 100 },
  regression: { window_runs: 50, min_runs: 5, min_change: 0.1, confirm_reruns: 3, model: 'sequential', pressure_wait_seconds: 60 }, // pressure_wait_seconds: per suspect, re-runs wait this long for a busy host to calm
  retention: { max_age_days: 30, max_runs: 1000, max_bytes: 1024 ** 3 },
  resources: 'auto',
  prometheus_scrape_interval_s: 15,
  prometheus_labels: {},
} as const;
