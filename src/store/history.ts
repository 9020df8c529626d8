/**
 * Past runs: the RunResult JSON files under `<reportsDir>/<suite>/<runId>.json`, reloaded at start.
 * Memory keeps the newest `limit` runs; older ones stay readable from disk by id. `refresh()` reads
 * the runs another process (`stressd run` on the same reports dir) has finished since: a directory
 * whose modification time has not moved is not listed again.
 */
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isValidRunId } from '../result/id.ts';
import { redactRun } from '../result/redact.ts';
import { firstProblem, RunResultSchema } from '../result/schema.ts';
import type { HistoryEntry, RunResult } from '../result/types.ts';
import { ownerAlive } from './journal-owner.ts';

export type { HistoryEntry };

export interface HistoryOptions {
  reportsDir: string;
  /** Runs kept in memory; default 200. */
  limit?: number;
  /** Called for every file skipped (unreadable, not a RunResult), with the file and the first problem. */
  warn?: (path: string, why: string) => void;
}

/** Newest first: by start time, then by id (which sorts by time too). */
function newestFirst(a: HistoryEntry, b: HistoryEntry): number {
  const ta = Date.parse(a.run.started_at);
  const tb = Date.parse(b.run.started_at);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
  return a.run.id < b.run.id ? 1 : a.run.id > b.run.id ? -1 : 0;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return [];
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function readEntry(jsonPath: string, warn: (path: string, why: string) => void): Promise<HistoryEntry | null> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (err) {
    warn(jsonPath, err instanceof Error ? err.message : String(err));
    return null;
  }
  const checked = RunResultSchema.safeParse(parsed);
  if (!checked.success) {
    warn(jsonPath, `not a RunResult: ${firstProblem(checked.error)}`);
    return null;
  }
  // Results written by older versions may still hold credentials: redact them where they enter.
  return { run: redactRun(checked.data), jsonPath, markdownPath: jsonPath.replace(/\.json$/, '.md') };
}

export class History {
  readonly reportsDir: string;
  readonly limit: number;
  private entries: HistoryEntry[] = [];
  private staleEntries: HistoryEntry[] = [];
  private readonly warn: (path: string, why: string) => void;
  /** Per directory: its mtime when last listed, when that was, and whether it held a run still going. */
  private readonly scanned = new Map<string, { mtimeMs: number; at: number; pending: boolean }>();
  /** Files that could not be read back, by path: kept on disk, shown on the page and in a gauge. */
  private readonly unreadableFiles = new Map<string, string>();

  constructor(options: HistoryOptions) {
    this.reportsDir = options.reportsDir;
    this.limit = options.limit ?? 200;
    const warn = options.warn ?? (() => undefined);
    this.warn = (path, why) => {
      this.unreadableFiles.set(path, why);
      warn(path, why);
    };
  }

  /** The files the last load (or a read by id since) could not read back, with the first problem of each. */
  unreadable(): { path: string; problem: string }[] {
    return [...this.unreadableFiles].map(([path, problem]) => ({ path, problem }));
  }

  /**
   * Reads `<reportsDir>/*\/*.json` except `latest.json`, newest first by name (run ids sort by
   * time) and at most `limit` files per suite, so a start never reads a whole years-old folder;
   * older runs stay readable by id. Returns how many were loaded.
   */
  async load(): Promise<number> {
    const found: HistoryEntry[] = [];
    this.unreadableFiles.clear();
    for (const suiteDir of await listDir(this.reportsDir)) {
      const dir = join(this.reportsDir, suiteDir);
      const names = (await listDir(dir)).filter((n) => n.endsWith('.json') && n !== 'latest.json').sort().reverse();
      for (const name of names.slice(0, this.limit)) {
        const entry = await readEntry(join(dir, name), this.warn);
        if (entry) found.push(entry);
      }
    }
    // A journal (status running) whose process is gone is a run that died: settleStale() records it.
    this.staleEntries = found.filter((e) => e.run.status === 'running' && !ownerAlive(e.run.journal));
    found.sort(newestFirst);
    this.entries = found.slice(0, this.limit);
    return found.length;
  }

  /**
   * Adds the finished or aborted runs written to disk by another process since the last look (a run
   * still going is read again next time). A suite directory is listed again only when its mtime
   * moved, when it was last listed within a second of its change (a write in the same tick leaves
   * the time as it was), or when it held a run still going. Returns the runs added.
   */
  async refresh(): Promise<RunResult[]> {
    const known = new Set(this.entries.map((e) => e.run.id));
    const added: HistoryEntry[] = [];
    for (const suiteDir of await listDir(this.reportsDir)) {
      const dir = join(this.reportsDir, suiteDir);
      const mtimeMs = await stat(dir).then((s) => (s.isDirectory() ? s.mtimeMs : null), () => null);
      if (mtimeMs === null) continue;
      const seen = this.scanned.get(dir);
      const at = Date.now();
      if (seen && seen.mtimeMs === mtimeMs && !seen.pending && mtimeMs < seen.at - 1000) continue;
      const names = (await listDir(dir)).filter((n) => n.endsWith('.json') && n !== 'latest.json').sort().reverse().slice(0, this.limit);
      let pending = false;
      for (const name of names) {
        if (known.has(name.slice(0, -'.json'.length))) continue;
        const entry = await readEntry(join(dir, name), () => undefined);
        if (entry === null) continue;
        if (entry.run.status === 'running') pending = true;
        else added.push(entry);
      }
      this.scanned.set(dir, { mtimeMs, at, pending });
    }
    for (const entry of added) this.add(entry);
    return added.map((e) => e.run);
  }

  /** Runs left `running` by a process that no longer lives, found by the last load(). */
  stale(): readonly HistoryEntry[] {
    return this.staleEntries;
  }

  /**
   * Replaces every stale run by what `rewrite` makes of it (the aborted run; the caller writes its
   * files, since rendering reports is not history's business). Returns the rewritten runs.
   */
  async settleStale(rewrite: (run: RunResult) => Promise<RunResult>): Promise<RunResult[]> {
    const settled: RunResult[] = [];
    for (const entry of this.staleEntries) {
      const run = await rewrite(entry.run);
      this.add({ ...entry, run });
      settled.push(run);
    }
    this.staleEntries = [];
    return settled;
  }

  /** Newest first. */
  list(): readonly HistoryEntry[] {
    return this.entries;
  }

  runs(): RunResult[] {
    return this.entries.map((e) => e.run);
  }

  add(entry: HistoryEntry): void {
    this.entries = [entry, ...this.entries.filter((e) => e.run.id !== entry.run.id)].sort(newestFirst).slice(0, this.limit);
  }

  /** Runs removed from disk (retention): gone from memory too. */
  forget(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.entries = this.entries.filter((e) => !gone.has(e.run.id));
  }

  /** From memory, else from disk (older than the in-memory window); null when unknown or the id is malformed. */
  async get(id: string): Promise<HistoryEntry | null> {
    if (!isValidRunId(id)) return null;
    const inMemory = this.entries.find((e) => e.run.id === id);
    if (inMemory) return inMemory;
    for (const suiteDir of await listDir(this.reportsDir)) {
      const path = join(this.reportsDir, suiteDir, `${id}.json`);
      if (!(await exists(path))) continue;
      const entry = await readEntry(path, this.warn);
      if (entry && entry.run.id === id) return entry;
    }
    return null;
  }
}
