/**
 * SIGHUP: read the suite configs again, check them as at start-up, and only when every one is
 * good swap them in — new schedules armed before the old ones stop, each suite's next run using
 * its new config while a run in flight finishes with the one it started with. A bad reload
 * changes nothing: the log names each file and problem, and the metrics and the status page say so.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Suite } from '../config/types.ts';
import type { RunCoordinator } from '../daemon/coordinator.ts';
import type { Scheduler } from '../daemon/scheduler.ts';
import type { Logger } from '../logger.ts';
import type { RunReview } from '../runner/api.ts';
import type { ConfigStatus } from '../web/config-section.ts';
import { loadSuites, sharedExecutor, type SuiteEntry } from './suite-files.ts';

/** What is running now; the arrays and maps are changed in place, so every reader sees the swap. */
export interface RunningConfig {
  entries: SuiteEntry[];
  /** The same suites, for sinks that look a suite up by label at each run's end (retention). */
  suites: Suite[];
  schedulers: Map<string, Scheduler>;
  loadedAt: Date;
  /** SHA-256 of each file as loaded. */
  digests: Map<string, string>;
  lastReload: ConfigStatus['lastReload'];
}

export interface ReloadDeps {
  /** `--config` and `--schedule`, `--executor` as given at start. */
  paths: readonly string[];
  scheduleFlag: string | undefined;
  executorFlag: string | undefined;
  /** The executor every suite was started with (a reload cannot change it). */
  executor: string;
  running: RunningConfig;
  coordinators: ReadonlyMap<string, RunCoordinator>;
  reviewOf(suite: Suite): RunReview;
  arm(entry: SuiteEntry): Promise<Scheduler>;
  /** stressd_run_next_timestamp_seconds: the old scheduler clears it as it closes, so the new one's is set again after. */
  setNextRun(suite: string, at: Date | null): void;
  /** stressd_config_last_reload_success and, on failure, stressd_config_reload_failures_total. */
  onReload(ok: boolean): void;
  log: Logger;
}

async function digestOf(file: string): Promise<string | null> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    return null;
  }
}

/**
 * Digests of the files just loaded. Read after loading: an edit saved in the instant between the
 * two reads shows as "same on disk" until the file changes again.
 */
export async function digestsOf(entries: readonly SuiteEntry[]): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (const { file } of entries) {
    const d = await digestOf(file);
    if (d !== null) digests.set(file, d);
  }
  return digests;
}

/** For the status page: when the running config was loaded, and whether each file on disk still holds it. */
export async function configStatus(running: RunningConfig): Promise<ConfigStatus> {
  const files = await Promise.all(running.entries.map(async ({ file }) => {
    const now = await digestOf(file);
    const onDisk: 'same' | 'changed' | 'unreadable' = now === null ? 'unreadable' : now === running.digests.get(file) ? 'same' : 'changed';
    return { path: file, onDisk };
  }));
  return { loadedAt: running.loadedAt, files, lastReload: running.lastReload };
}

/** What a reload cannot change without a restart: the set of suites, the executor, what the embedded executor passes through. */
function restartNeeded(old: readonly SuiteEntry[], next: readonly SuiteEntry[], deps: ReloadDeps): string[] {
  const problems: string[] = [];
  const before = new Set(old.map((e) => e.suite.suite));
  const after = new Set(next.map((e) => e.suite.suite));
  const added = next.filter((e) => !before.has(e.suite.suite)).map((e) => `"${e.suite.suite}" (${e.file})`);
  const removed = [...before].filter((s) => !after.has(s)).map((s) => `"${s}"`);
  if (added.length > 0 || removed.length > 0) {
    problems.push(`a reload cannot add or remove suites (added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}): restart the daemon for that`);
  }
  const executor = sharedExecutor(next, deps.executorFlag);
  if (typeof executor !== 'string') problems.push(executor.problem);
  else if (executor !== deps.executor) problems.push(`executor: the daemon runs "${deps.executor}" and a reload cannot change it (the configs now say "${executor}"): restart the daemon for that`);
  const passthrough = (entries: readonly SuiteEntry[]): string => [...new Set(entries.flatMap((e) => e.suite.env_passthrough ?? []))].sort().join(',');
  if (deps.executor === 'embedded' && passthrough(old) !== passthrough(next)) {
    problems.push(`env_passthrough: the embedded executor was started with [${passthrough(old)}] and a reload cannot change it (now [${passthrough(next)}]): restart the daemon for that`);
  }
  return problems;
}

/** One reload; never throws (a failure is logged, counted and shown). */
async function reloadOnce(deps: ReloadDeps): Promise<boolean> {
  const { running, log } = deps;
  const at = new Date();
  const { entries, problems } = await loadSuites(deps.paths, deps.scheduleFlag);
  if (problems.length === 0) problems.push(...restartNeeded(running.entries, entries, deps));
  if (problems.length > 0) {
    for (const problem of problems) log.error({ problem }, `config reload failed, the running configs stay: ${problem}`);
    running.lastReload = { at, ok: false, problems };
    deps.onReload(false);
    return false;
  }
  // New schedules are armed first: a failure there leaves every old one in place.
  const armed = new Map<string, Scheduler>();
  try {
    for (const entry of entries) {
      const old = running.schedulers.get(entry.suite.suite);
      if (old?.expression !== entry.schedule) armed.set(entry.suite.suite, await deps.arm(entry));
    }
  } catch (err) {
    await Promise.all([...armed.values()].map((s) => s.close()));
    const problem = `arming a schedule failed: ${err instanceof Error ? err.message : String(err)}`;
    log.error({ err }, `config reload failed, the running configs stay: ${problem}`);
    running.lastReload = { at, ok: false, problems: [problem] };
    deps.onReload(false);
    return false;
  }
  const changed: { suite: string; file: string; schedule: string | null; previous: string | null }[] = [];
  for (const entry of entries) {
    const name = entry.suite.suite;
    deps.coordinators.get(name)?.useSuite(entry.suite, deps.reviewOf(entry.suite));
    const fresh = armed.get(name);
    const old = running.schedulers.get(name);
    if (fresh) {
      running.schedulers.set(name, fresh);
      changed.push({ suite: name, file: entry.file, schedule: entry.schedule, previous: old?.expression ?? null });
      await old?.close();
      deps.setNextRun(name, fresh.nextRun());
    }
  }
  running.entries.splice(0, running.entries.length, ...entries);
  running.suites.splice(0, running.suites.length, ...entries.map((e) => e.suite));
  running.digests = await digestsOf(entries);
  running.loadedAt = at;
  running.lastReload = { at, ok: true, problems: [] };
  deps.onReload(true);
  log.info({ files: entries.map((e) => e.file), schedules_changed: changed }, 'config reloaded');
  return true;
}

/** Serializes reloads: a SIGHUP during a reload starts one more after it, never two at once. */
export function configReloader(deps: ReloadDeps): () => Promise<boolean> {
  let chain: Promise<boolean> = Promise.resolve(true);
  return () => {
    chain = chain.then(() => reloadOnce(deps)).catch((err: unknown) => {
      deps.log.error({ err }, 'config reload failed unexpectedly; the running configs stay');
      deps.onReload(false);
      return false;
    });
    return chain;
  };
}
