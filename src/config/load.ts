/**
 * Loads a suite config: read, parse JSON, check against the one schema, normalise into the frozen
 * `Suite` the runner consumes. Every failure is a ConfigError listing each problem, unknown keys
 * among them (a misspelt key would otherwise be ignored and its test could never fail).
 */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { ConfigError } from './errors.ts';
import { jsonLocator } from './json-locate.ts';
import { jsonErrorPosition } from './json-position.ts';
import { problemsFromIssues, unknownKeyProblems, type Locate } from './problems.ts';
import { ConfigSchema, SAFE_NAME, type RawTest } from './schema.ts';
import type { Frozen, Suite } from './types.ts';

export interface LoadedSuite {
  suite: Suite;
}

/** What a failed read is, in words: "no such file" for ENOENT. */
function unreadable(err: unknown): string {
  const code = err instanceof Error && 'code' in err ? String(err.code) : null;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return `no permission to read it (${code})`;
  if (code === 'EISDIR') return 'a directory, not a file';
  return `unreadable (${code ?? String(err)})`;
}

export async function loadSuite(path: string): Promise<LoadedSuite> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const why = unreadable(err);
    throw new ConfigError([{ file: path, path: '$', expected: 'a readable JSON file', found: why, message: why }], { cause: err });
  }
  // Windows editors save UTF-8 with a byte order mark, which JSON.parse refuses as a stray character.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text, err instanceof Error ? err.message : '');
    const found = at.offset >= text.length
      ? 'the end of the file'
      : JSON.stringify(text.slice(at.offset, at.offset + 12));
    throw new ConfigError([{ file: path, line: at.line, column: at.column, path: '$', expected: 'valid JSON', found }], { cause: err });
  }
  return buildSuite(raw, path, resolve(path), jsonLocator(text));
}

/** The same checks on a value already in memory; `file` only names it in messages and derives the default suite label. */
export function parseSuite(raw: unknown, file: string): LoadedSuite {
  return buildSuite(raw, file, null);
}

function buildSuite(raw: unknown, file: string, absolutePath: string | null, locate?: Locate): LoadedSuite {
  const parsed = suiteSchema(file, absolutePath).safeParse(raw);
  const problems = [...unknownKeyProblems(raw, file, locate), ...(parsed.success ? [] : problemsFromIssues(parsed.error.issues, raw, file, locate))];
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)));
  return { suite: deepFreeze(parsed.data) };
}

/**
 * The schema with its normalisation: the categorised form flattened, each test's deadline and
 * environment resolved, the label and path filled in. Its output is the one `Suite` type
 * (types.ts); every default has been applied by the schema, so readers use the values as they are.
 */
export function suiteSchema(file: string, absolutePath: string | null) {
  return ConfigSchema.transform(({ tests, categories, env, suite, ...settings }) => {
    const one = (t: RawTest, category: string | null, fallbackTimeout: number) => ({
      ...t,
      name: t.name ?? t.id,
      category,
      // Resolution order: the test's own timeout, then its category's, then the suite's.
      timeout: t.timeout ?? fallbackTimeout,
      env: { ...env, ...t.env },
      // The test's own source of resource figures, else the suite's.
      resources: t.resources ?? settings.resources,
    });
    return {
      ...settings,
      /** The `suite` label: the config's `suite`, else the file name without `.json`. */
      suite: suite ?? labelFromFile(file),
      /** Absolute path of the config file, null when parsed from memory. */
      path: absolutePath,
      tests: tests
        ? tests.map((t) => one(t, null, settings.timeout))
        : Object.entries(categories ?? {}).flatMap(([name, cat]) => cat.tests.map((t) => one(t, name, cat.timeout ?? settings.timeout))),
    };
  });
}

/** The default label is the file name without `.json`, made safe as a directory name. */
function labelFromFile(file: string): string {
  const stem = basename(file).replace(/\.json$/i, '');
  const safe = stem.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 128);
  return SAFE_NAME.test(safe) ? safe : 'suite';
}

function deepFreeze<T>(value: T): Frozen<T> {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value as Frozen<T>;
}
