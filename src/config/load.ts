/**
 * Loads a suite config: read, parse JSON, check against the one schema, normalise into the frozen
 * `Suite` the runner consumes. Every failure is a ConfigError listing each problem; unknown keys
 * are warnings only, so a newer cc_executor file with extra fields still runs.
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { jsonErrorPosition } from './json-position.ts';
import { problemsFromIssues, unknownKeyWarnings } from './problems.ts';
import { ConfigSchema, SAFE_NAME, type RawConfig, type RawTest } from './schema.ts';
import type { Suite, SuiteTest } from './types.ts';

export interface LoadedSuite {
  suite: Suite;
  warnings: string[];
}

export async function loadSuite(path: string): Promise<LoadedSuite> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = err instanceof Error && 'code' in err ? String(err.code) : String(err);
    throw new ConfigError([{ file: path, path: '$', expected: 'a readable JSON file', found: `an unreadable file (${why})` }], { cause: err });
  }
  // Windows editors save UTF-8 with a byte order mark, which JSON.parse refuses as a stray character.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text, err instanceof Error ? err.message : '');
    const found = at.offset >= text.length
      ? `the end of the file at line ${at.line}:${at.column}`
      : `${JSON.stringify(text.slice(at.offset, at.offset + 12))} at line ${at.line}:${at.column}`;
    throw new ConfigError([{ file: path, path: '$', expected: 'valid JSON', found }], { cause: err });
  }
  return buildSuite(raw, path, resolve(path));
}

/** The same checks on a value already in memory; `file` only names it in messages and derives the default suite label. */
export function parseSuite(raw: unknown, file: string): LoadedSuite {
  return buildSuite(raw, file, null);
}

function buildSuite(raw: unknown, file: string, absolutePath: string | null): LoadedSuite {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(problemsFromIssues(parsed.error.issues, raw, file));
  const cfg = parsed.data;
  const suite: Suite = {
    suite: cfg.suite ?? labelFromFile(file),
    task_list_id: cfg.task_list_id ?? null,
    description: cfg.description ?? null,
    path: absolutePath,
    executor: cfg.executor,
    schedule: cfg.schedule ?? null,
    pause_between_tests: cfg.pause_between_tests,
    pattern_threshold: cfg.pattern_threshold,
    sample_interval_ms: cfg.sample_interval_ms,
    timeout: cfg.timeout,
    graduation: {
      min_pass_rate: cfg.graduation.min_pass_rate,
      allow_timeouts: cfg.graduation.allow_timeouts,
      max_peak_memory_mb: cfg.graduation.max_peak_memory_mb ?? null,
      max_peak_cpu_percent: cfg.graduation.max_peak_cpu_percent ?? null,
      min_success_failure_ratio: cfg.graduation.min_success_failure_ratio,
      ratio_window_runs: cfg.graduation.ratio_window_runs,
    },
    regression: { ...cfg.regression },
    budget: {
      max_cost_usd_per_run: cfg.budget.max_cost_usd_per_run ?? null,
      max_cost_usd_per_day: cfg.budget.max_cost_usd_per_day ?? null,
    },
    retention: { max_age_days: cfg.retention.max_age_days, max_runs: cfg.retention.max_runs, max_bytes: cfg.retention.max_bytes },
    tests: normaliseTests(cfg),
    env_passthrough: cfg.env_passthrough ?? [],
  };
  return { suite: deepFreeze(suite), warnings: unknownKeyWarnings(raw, file) };
}

function normaliseTests(cfg: RawConfig): SuiteTest[] {
  const one = (t: RawTest, category: string | null, fallbackTimeout: number): SuiteTest => ({
    id: t.id,
    name: t.name ?? t.id,
    command: t.command,
    expected_patterns: [...t.expected_patterns],
    description: t.description ?? null,
    category,
    // Resolution order: the test's own timeout, then its category's, then the suite's.
    timeout: t.timeout ?? fallbackTimeout,
    env: { ...cfg.env, ...t.env },
    ...(t.load ? { load: { sessions: t.load.sessions ?? null, stages: t.load.stages?.map((s) => ({ duration_s: s.duration_s, sessions: s.sessions })) ?? null, min_pass_ratio: t.load.min_pass_ratio } } : {}),
  });
  if (cfg.tests) return cfg.tests.map((t) => one(t, null, cfg.timeout));
  return Object.entries(cfg.categories ?? {}).flatMap(([name, cat]) =>
    cat.tests.map((t) => one(t, name, cat.timeout ?? cfg.timeout)),
  );
}

/** The default label is the file name without `.json`, made safe as a directory name. */
function labelFromFile(file: string): string {
  const stem = basename(file).replace(/\.json$/i, '');
  const safe = stem.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return SAFE_NAME.test(safe) ? safe : 'suite';
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
