/**
 * Past runs: the RunResult JSON files under `<reportsDir>/<suite>/<runId>.json`, reloaded at start.
 * Memory keeps the newest `limit` runs; older ones stay readable from disk by id.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../result/types.ts';

/** Run ids sort by time (`20261124T101500Z-3f9a`); anything else is refused before it touches a path. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidRunId(id: string): boolean {
  return RUN_ID.test(id);
}

export interface HistoryEntry {
  run: RunResult;
  /** Where the JSON and markdown live; null when not (yet) written. */
  jsonPath: string | null;
  markdownPath: string | null;
}

export interface HistoryOptions {
  reportsDir: string;
  /** Runs kept in memory; default 200. */
  limit?: number;
  /** Called for every file skipped (unreadable, not a RunResult). */
  warn?: (path: string, why: string) => void;
}

export function isRunResult(value: unknown): value is RunResult {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' && isValidRunId(v.id) &&
    typeof v.suite === 'string' &&
    typeof v.status === 'string' &&
    typeof v.started_at === 'string' &&
    Array.isArray(v.tests)
  );
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
  if (!isRunResult(parsed)) {
    warn(jsonPath, 'not a RunResult (needs id, suite, status, started_at, tests)');
    return null;
  }
  return { run: parsed, jsonPath, markdownPath: jsonPath.replace(/\.json$/, '.md') };
}

export class History {
  readonly reportsDir: string;
  readonly limit: number;
  private entries: HistoryEntry[] = [];
  private readonly warn: (path: string, why: string) => void;

  constructor(options: HistoryOptions) {
    this.reportsDir = options.reportsDir;
    this.limit = options.limit ?? 200;
    this.warn = options.warn ?? (() => undefined);
  }

  /**
   * Reads `<reportsDir>/*\/*.json` except `latest.json`, newest first by name (run ids sort by
   * time) and at most `limit` files per suite, so a start never reads a whole years-old folder;
   * older runs stay readable by id. Returns how many were loaded.
   */
  async load(): Promise<number> {
    const found: HistoryEntry[] = [];
    for (const suiteDir of await listDir(this.reportsDir)) {
      const dir = join(this.reportsDir, suiteDir);
      const names = (await listDir(dir)).filter((n) => n.endsWith('.json') && n !== 'latest.json').sort().reverse();
      for (const name of names.slice(0, this.limit)) {
        const entry = await readEntry(join(dir, name), this.warn);
        if (entry) found.push(entry);
      }
    }
    found.sort(newestFirst);
    this.entries = found.slice(0, this.limit);
    return found.length;
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
