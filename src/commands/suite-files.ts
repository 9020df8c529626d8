/**
 * The daemon's suites from `--config FILE|DIR …`: a directory gives its `*.json` files (sorted by
 * name); each file is one suite with its own schedule (or `--schedule` for all). Problems a user can
 * fix come back as lines naming the file: a bad config, an empty directory, two files with the same
 * suite label, suites that name different executors while `--executor` does not choose one.
 */
import { readdir, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ConfigError, configErrorLines } from '../config/errors.ts';
import { loadSuite } from '../config/load.ts';
import type { Suite } from '../config/types.ts';
import { StressdError } from '../errors.ts';
import { assertCronExpression } from '../daemon/scheduler.ts';

export interface SuiteEntry {
  suite: Suite;
  file: string;
  /** `--schedule`, else the config's `schedule`, else null (manual triggers only). */
  schedule: string | null;
}

/** STRESSD_CONFIG may list several paths, separated by commas or the platform's path delimiter. */
export function splitConfigList(value: string): string[] {
  return value.split(new RegExp(`[,${delimiter === ';' ? ';' : ':'}]`)).map((s) => s.trim()).filter(Boolean);
}

async function expand(path: string): Promise<string[] | string> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    return [path]; // loadSuite names the unreadable file
  }
  if (!isDir) return [path];
  const files = (await readdir(path)).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) return `--config ${path}: expected a directory holding *.json suite configs, found none`;
  return files.map((f) => join(path, f));
}

/** The suites, or the problems (each a line for stderr; none when the suites are usable). */
export async function loadSuites(paths: readonly string[], scheduleFlag: string | undefined): Promise<{ entries: SuiteEntry[]; problems: string[] }> {
  const problems: string[] = [];
  const files: string[] = [];
  for (const p of paths) {
    const got = await expand(p);
    if (typeof got === 'string') problems.push(got);
    else files.push(...got.filter((f) => !files.includes(f)));
  }
  // An empty STRESSD_SCHEDULE means "not set", as for any unset variable.
  const override = scheduleFlag?.trim() || null;
  const entries: SuiteEntry[] = [];
  const byLabel = new Map<string, string>();
  for (const file of files) {
    let loaded;
    try {
      loaded = await loadSuite(file);
    } catch (err) {
      if (err instanceof ConfigError) {
        problems.push(...configErrorLines(err.problems));
        continue;
      }
      throw err;
    }
    const label = loaded.suite.suite;
    const first = byLabel.get(label);
    if (first !== undefined) {
      problems.push(`suite "${label}" is defined twice: in ${first} and in ${file} (suite labels must be unique within one daemon)`);
      continue;
    }
    byLabel.set(label, file);
    const schedule = override ?? loaded.suite.schedule ?? null;
    try {
      if (schedule !== null) assertCronExpression(schedule);
    } catch (err) {
      if (!(err instanceof StressdError)) throw err;
      problems.push(`${override ? '--schedule' : file}: ${err.message}`);
      continue;
    }
    entries.push({ suite: loaded.suite, file, schedule });
  }
  return { entries, problems };
}

/** One executor serves every suite: `--executor`, else the one all configs agree on. */
export function sharedExecutor(entries: readonly SuiteEntry[], flag: string | undefined): string | { problem: string } {
  if (flag) return flag;
  const [first, ...rest] = entries;
  if (!first) return { problem: 'no suite config given' };
  const other = rest.find((e) => e.suite.executor !== first.suite.executor);
  if (other) {
    return {
      problem: `suites name different executors: ${first.file} has "${first.suite.executor}", ${other.file} has "${other.suite.executor}"; ` +
        'one daemon drives one executor (make them equal, or choose one with --executor / STRESSD_EXECUTOR)',
    };
  }
  return first.suite.executor;
}
