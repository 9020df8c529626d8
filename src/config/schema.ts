/** The one schema of a suite config file (cc_executor's JSON plus stressd's keys, DESIGN section 3): the runtime check and, by `z.output`, the type. `error` texts are noun phrases ("a positive integer (seconds)").
 * Every default is in DEFAULTS and nowhere else (test/config/defaults-once.test.ts); unknown keys are stripped here and reported by problems.ts. */
import { validate as validateCron } from 'node-cron';
import { z } from 'zod';
import { MODEL_NAMES } from '../result/measures.ts';
import { DEFAULTS } from './defaults.ts';
import { LoadSchema, ratio } from './load-schema.ts';

export { DEFAULTS } from './defaults.ts';
export { LoadSchema, LoadStageSchema, SearchSchema, SloSchema } from './load-schema.ts';

/** Ids become file names (`<testId>.log`) and suite labels directory names, so both are kept to a safe alphabet. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const SAFE_NAME_WORDS = 'safe as a file name (letters, digits, ".", "_", "-"; starting with a letter or digit; at most 128 characters)';



const timeoutSeconds = z
  .int({ error: 'a positive integer (seconds)' })
  .min(1, { error: 'a positive integer (seconds)' })
  .max(86_400, { error: 'a positive integer (seconds) of at most 86400 (one day)' });

const optionalText = z.string({ error: 'a string' }).nullable().default(null);


// DESIGN §12: commands get a clean environment plus these; stressd's own variables never.
const ENV_NAME_WORDS = 'a variable name (letters, digits, "_"; not starting with a digit) other than STRESSD_* and OTEL_* (stressd\'s own)';
const envName = z
  .string({ error: ENV_NAME_WORDS })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: ENV_NAME_WORDS })
  .refine((n) => !/^(STRESSD_|OTEL_)/i.test(n), { error: ENV_NAME_WORDS });
const envMap = z
  .record(envName, z.string({ error: 'a string value' }), { error: 'an object of variable names to string values' })
  .optional();
const envPassthrough = z.array(envName, { error: 'an array of variable names' }).default([]);

const positiveBound = (words: string) => z.number({ error: words }).positive({ error: words }).nullable().default(null);

const queryText = z.string({ error: 'a PromQL expression' }).trim().min(1, { error: 'a PromQL expression' }).nullable().default(null);

/** Where resource figures come from when the executor is not stressd's own (docs/config.md). */
export const PrometheusResourcesSchema = z.object({
  url: z.string({ error: 'an http:// or https:// URL of a Prometheus server' }).refine(isHttpUrl, { error: 'an http:// or https:// URL of a Prometheus server' }),
  cpu: queryText,
  memory: queryText,
  scrape_interval_s: z.number({ error: 'a positive number of seconds, at most 3600' }).positive({ error: 'a positive number of seconds, at most 3600' }).max(3600, { error: 'a positive number of seconds, at most 3600' }).default(DEFAULTS.prometheus_scrape_interval_s),
  labels: z.record(z.string(), z.string({ error: 'a string value' }), { error: 'an object of names to string values' }).default(DEFAULTS.prometheus_labels),
}, { error: 'an object {"url", "cpu", "memory"}' }).refine((p) => p.cpu !== null || p.memory !== null, { error: 'a "cpu" or a "memory" query (or both)', path: ['memory'] });

const RESOURCES_WORDS = '"auto", "local" or {"prometheus": {"url", "cpu", "memory"}}';
export const ResourcesSchema = z.union([
  z.enum(['auto', 'local'], { error: RESOURCES_WORDS }),
  z.object({ prometheus: PrometheusResourcesSchema }, { error: RESOURCES_WORDS }),
], { error: RESOURCES_WORDS });

export const TestSchema = z.object({
  id: z.string({ error: `a test id ${SAFE_NAME_WORDS}` }).regex(SAFE_NAME, { error: `a test id ${SAFE_NAME_WORDS}` }),
  name: z.string({ error: 'a string' }).optional(),
  command: z.string({ error: 'a non-empty command string' }).trim().min(1, { error: 'a non-empty command string' }),
  expected_patterns: z
    .array(z.string({ error: 'a non-empty string' }).min(1, { error: 'a non-empty string' }), {
      error: 'an array of non-empty strings',
    })
    .default([]),
  description: optionalText,
  timeout: timeoutSeconds.optional(),
  env: envMap,
  load: LoadSchema.nullable().default(null),
  resources: ResourcesSchema.optional(),
});

export const CategorySchema = z.object({
  description: optionalText,
  timeout: timeoutSeconds.optional(),
  tests: z.array(TestSchema, { error: 'an array of tests' }).min(1, { error: 'at least one test' }),
});

export const GraduationSchema = z.object({
  min_pass_rate: ratio('a pass rate between 0 and 1').default(DEFAULTS.min_pass_rate),
  allow_timeouts: z.boolean({ error: 'true or false' }).default(DEFAULTS.allow_timeouts),
  max_peak_memory_mb: positiveBound('a positive number of megabytes, or null'),
  max_peak_cpu_percent: positiveBound('a positive number (percent of one core), or null'),
  min_success_failure_ratio: z.number({ error: 'a positive number (graduated runs per failed run)' }).positive({ error: 'a positive number (graduated runs per failed run)' }).default(DEFAULTS.min_success_failure_ratio),
  ratio_window_runs: z.int({ error: 'a positive integer (runs)' }).min(1, { error: 'a positive integer (runs)' }).max(100_000, { error: 'a positive integer (runs) of at most 100000' }).default(DEFAULTS.ratio_window_runs),
});

const runCount = (min: number) => z.int({ error: `an integer number of runs, at least ${min}` }).min(min, { error: `an integer number of runs, at least ${min}` }).max(10_000, { error: 'an integer number of runs of at most 10000' });

/** DESIGN section 10: baselines from history and confirmed regression verdicts. */
export const RegressionSchema = z.object({
  window_runs: runCount(1).default(DEFAULTS.regression.window_runs),
  min_runs: runCount(1).default(DEFAULTS.regression.min_runs),
  min_change: z.number({ error: 'a fraction, 0 or more (0.1 = 10 %)' }).min(0, { error: 'a fraction, 0 or more (0.1 = 10 %)' }).default(DEFAULTS.regression.min_change),
  confirm_reruns: z.int({ error: 'an integer number of re-runs, 0 to 10' }).min(0, { error: 'an integer number of re-runs, 0 to 10' }).max(10, { error: 'an integer number of re-runs, 0 to 10' }).default(DEFAULTS.regression.confirm_reruns),
  /** The sequential confirmation's name for the most re-runs per suspect; `confirm_reruns` is its old name. */
  max_reruns: z.int({ error: 'an integer number of re-runs, 0 to 10' }).min(0, { error: 'an integer number of re-runs, 0 to 10' }).max(10, { error: 'an integer number of re-runs, 0 to 10' }).optional(),
  model: z.enum(MODEL_NAMES, { error: `one of ${MODEL_NAMES.map((m) => `"${m}"`).join(', ')}` }).default(DEFAULTS.regression.model),
  pressure_wait_seconds: z.number({ error: 'a number of seconds, 0 to 3600' }).min(0, { error: 'a number of seconds, 0 to 3600' }).max(3600, { error: 'a number of seconds, 0 to 3600' }).default(DEFAULTS.regression.pressure_wait_seconds),
}).refine((r) => r.min_runs <= r.window_runs, { error: 'min_runs at most window_runs', path: ['min_runs'] });

const usdLimit = z.number({ error: 'a positive number of US dollars, or null' }).positive({ error: 'a positive number of US dollars, or null' }).nullable().default(null);

/** DESIGN section 3: past a limit no new test starts. */
export const BudgetSchema = z.object({
  max_cost_usd_per_run: usdLimit,
  max_cost_usd_per_day: usdLimit,
});

const positiveInt = (words: string) => z.int({ error: words }).min(1, { error: words });

/** DESIGN §3: per suite, oldest runs removed first (src/store/retention.ts). */
export const RetentionSchema = z.object({
  max_age_days: z.number({ error: 'a positive number of days' }).positive({ error: 'a positive number of days' }).default(DEFAULTS.retention.max_age_days),
  max_runs: positiveInt('a positive integer (runs)').default(DEFAULTS.retention.max_runs),
  max_bytes: positiveInt('a positive integer (bytes)').default(DEFAULTS.retention.max_bytes),
});

const executorWords = '"embedded" or a ws:// or wss:// URL';
const executor = z.string({ error: executorWords }).refine(
  (s) => s === 'embedded' || isWebSocketUrl(s),
  { error: executorWords },
);

const schedule = z
  .string({ error: 'a cron expression such as "*/15 * * * *"' })
  .refine((s) => validateCron(s), { error: 'a valid cron expression such as "*/15 * * * *" (5 fields, or 6 with seconds)' });

export const ConfigSchema = z
  .object({
    task_list_id: optionalText,
    description: optionalText,
    timeout: timeoutSeconds.default(DEFAULTS.timeout),
    tests: z.array(TestSchema, { error: 'an array of tests' }).min(1, { error: 'at least one test' }).optional(),
    categories: z
      .record(z.string(), CategorySchema, { error: 'an object of categories ({"name": {"tests": [...]}})' })
      .optional(),
    suite: z.string({ error: `a suite label ${SAFE_NAME_WORDS}` }).regex(SAFE_NAME, { error: `a suite label ${SAFE_NAME_WORDS}` }).optional(),
    executor: executor.default(DEFAULTS.executor),
    schedule: schedule.nullable().default(null),
    pause_between_tests: z
      .number({ error: 'a number of seconds, 0 or more' })
      .min(0, { error: 'a number of seconds, 0 or more' })
      .max(3600, { error: 'a number of seconds of at most 3600' })
      .default(DEFAULTS.pause_between_tests),
    pattern_threshold: ratio('a fraction between 0 and 1').default(DEFAULTS.pattern_threshold),
    // A Node timer longer than 2^31-1 ms fires after 1 ms instead: bound it well below that (one day).
    sample_interval_ms: z
      .int({ error: 'an integer number of milliseconds, at least 50' })
      .min(50, { error: 'an integer number of milliseconds, at least 50' })
      .max(86_400_000, { error: 'an integer number of milliseconds of at most 86400000 (one day)' })
      .default(DEFAULTS.sample_interval_ms),
    graduation: GraduationSchema.prefault({}),
    regression: RegressionSchema.prefault({}),
    budget: BudgetSchema.prefault({}),
    env: envMap,
    env_passthrough: envPassthrough,
    resources: ResourcesSchema.default(DEFAULTS.resources),
    retention: RetentionSchema.prefault({}),
  }, { error: 'a JSON object (a suite config)' })
  .superRefine((cfg, ctx) => {
    if (cfg.tests === undefined && cfg.categories === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tests'], message: 'a "tests" array (flat form) or a "categories" object (categorised form)' });
    } else if (cfg.tests !== undefined && cfg.categories !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'either "tests" or "categories", not both' });
    } else if (cfg.categories !== undefined && Object.keys(cfg.categories).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'at least one category' });
    }
    const seen = new Map<string, string>();
    for (const { path, id } of testIds(cfg)) {
      const first = seen.get(id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path, message: `a unique test id (ids become log file names; this one is already used at ${first})` });
      } else {
        seen.set(id, jsonPath(path.slice(0, -1)));
      }
    }
  });

export type RawTest = z.output<typeof TestSchema>;
export type RawConfig = z.output<typeof ConfigSchema>;

function testIds(cfg: RawConfig): { path: (string | number)[]; id: string }[] {
  const out: { path: (string | number)[]; id: string }[] = [];
  cfg.tests?.forEach((t, i) => out.push({ path: ['tests', i, 'id'], id: t.id }));
  for (const [name, cat] of Object.entries(cfg.categories ?? {})) {
    cat.tests.forEach((t, i) => out.push({ path: ['categories', name, 'tests', i, 'id'], id: t.id }));
  }
  return out;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

function isWebSocketUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'ws:' || u.protocol === 'wss:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** `['tests', 3, 'timeout']` → `$.tests[3].timeout`; keys that are not identifiers are quoted. */
export function jsonPath(path: readonly PropertyKey[]): string {
  let out = '$';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_$][\w$]*$/.test(seg)) out += `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}
