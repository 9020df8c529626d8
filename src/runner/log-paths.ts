/**
 * Where each log of a run goes, so that no two can be one file: in `<reportsDir>/<suite>/<runId>/`,
 * a test's log is `<id>.log`; the sessions of a test under load go in a folder of their own,
 * `<id>.sessions/s<N>.log`, and its confirmation re-runs in `<id>.reruns/<attempt>.log` (a re-run of
 * a test under load: `<id>.reruns/<attempt>.sessions/s<N>.log`). Every file ends in `.log` and no
 * folder does, and test ids are unique and hold no `/`: a test `t.s1` beside a test `t` under load
 * has its own `t.s1.log`, the sessions' being `t.sessions/s1.log`.
 */
import { join, resolve } from 'node:path';
import type { Suite } from '../config/types.ts';

/** The parts of a log's path under the run folder; the last one is the file's name without `.log`. */
export type LogParts = readonly string[];

/** A config's id (or a suite label) as a safe path part: ids are checked already, this is for suites built in code. */
export function safePart(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'test';
}

export function testLogParts(testId: string): LogParts {
  return [testId];
}

/** Session `index` (1-based) of the test whose log would be at `parts`. */
export function sessionLogParts(parts: LogParts, index: number): LogParts {
  return [...parts.slice(0, -1), `${parts.at(-1) ?? 'test'}.sessions`, `s${index}`];
}

/** Confirmation re-run `attempt` (1-based) of a test. */
export function rerunLogParts(testId: string, attempt: number): LogParts {
  return [`${testId}.reruns`, String(attempt)];
}

export function logPathOf(reportsDir: string, suite: string, runId: string, parts: LogParts): string {
  const names = parts.map(safePart);
  const file = `${names.pop() ?? 'test'}.log`;
  return resolve(join(reportsDir, safePart(suite), runId, ...names, file));
}

/**
 * What `verify` checks: the names each test takes in a run folder (its log, and the folders of its
 * sessions and re-runs) are all different, also on a disk that does not tell case apart
 * (macOS, Windows). One line per clash; empty when none.
 */
export function logPathProblems(suite: Pick<Suite, 'tests'>): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const t of suite.tests) {
    const names = [`${safePart(t.id)}.log`, `${safePart(t.id)}.reruns/`, ...(t.load ? [`${safePart(t.id)}.sessions/`] : [])];
    for (const name of names) {
      const key = name.toLowerCase();
      const first = owners.get(key);
      if (first !== undefined && first !== t.id) problems.push(`tests "${first}" and "${t.id}" would both write "${name}" in a run's log folder (names that differ only in case are one file on some disks)`);
      else owners.set(key, t.id);
    }
  }
  return problems;
}
