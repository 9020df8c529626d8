/**
 * Retention (DESIGN §3): per suite, the oldest runs go first until the suite is within
 * `max_age_days`, `max_runs` and `max_bytes`. A run is its `<runId>.json`, `<runId>.md` and its
 * log folder `<runId>/`, removed together; `latest.*` are re-written from the newest run kept (or
 * removed with the last one), so they never name a removed run. Run ids sort by time and carry
 * the start time to the second, so the file names give order and age (two runs in one second: their
 * JSON's started_at, inStartOrder). Two runs are never removed, whatever
 * the bounds: the newest finished run of the suite (its baseline, its latest) and a run in flight
 * (a journal whose owner lives, or an id the caller names); only their JSON is read, to tell which.
 * A run larger than `max_bytes` on its own is kept when it is one of those, and named in the result.
 */
import { copyFile, lstat, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RetentionPolicy } from '../config/types.ts';
import { RUN_ID_PATTERN } from '../result/id.ts';
import { JournalOwnerSchema } from '../result/schema.ts';
import { ownerAlive } from './journal-owner.ts';

export type { RetentionPolicy };

export interface RetentionResult {
  removed: string[];
  kept: number;
  bytes: number;
  /** Kept runs each larger than `max_bytes` alone (the newest finished, or one in flight): the bound cannot hold. */
  oversize: { id: string; bytes: number }[];
}

export interface RunFiles {
  id: string;
  /** Start time (from the id), ms since the epoch. */
  startedMs: number;
  bytes: number;
  /** Never removed: the newest finished run, or one in flight. */
  kept?: 'newest finished' | 'in flight';
}

/** The start time a run id carries (`20261124T101500Z-3f9a`). */
function startedAt(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(id);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : 0;
}

async function sizeOf(path: string): Promise<number> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  let bytes = 0;
  for (const name of await readdir(path).catch(() => [] as string[])) bytes += await sizeOf(join(path, name));
  return bytes;
}

/** The runs of one suite folder, oldest first: every id that has a .json, a .md or a log folder. */
async function listRuns(dir: string): Promise<RunFiles[]> {
  const ids = new Set<string>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith('latest.') || name.startsWith('.')) continue;
    const id = name.replace(/\.(json|md)$/, '');
    // Only what stressd names: anything else in the folder is not ours to remove.
    if (RUN_ID_PATTERN.test(id)) ids.add(id);
  }
  const runs: RunFiles[] = [];
  for (const { id, startedMs } of await inStartOrder(dir, [...ids])) {
    let bytes = 0;
    for (const part of [`${id}.json`, `${id}.md`, id]) bytes += await sizeOf(join(dir, part));
    runs.push({ id, startedMs, bytes });
  }
  return runs;
}

/**
 * Oldest first. An id carries its start to the second only, and its tail is random: two runs
 * started in one second are ordered by their JSON's `started_at` (ms), never by the tail, or the
 * run just written could sort before the one before it and go as the "older" one. Only the JSON
 * of such ties is read.
 */
async function inStartOrder(dir: string, ids: readonly string[]): Promise<{ id: string; startedMs: number }[]> {
  const runs = ids.map((id) => ({ id, startedMs: startedAt(id) }));
  const perSecond = new Map<number, number>();
  for (const r of runs) perSecond.set(r.startedMs, (perSecond.get(r.startedMs) ?? 0) + 1);
  for (const r of runs) {
    if ((perSecond.get(r.startedMs) ?? 0) < 2) continue;
    const precise = await startedMsOf(dir, r.id);
    // Within the id's own second only: a hand-edited started_at must not move a run across others.
    if (precise !== null && precise >= r.startedMs && precise < r.startedMs + 1000) r.startedMs = precise;
  }
  return runs.sort((a, b) => a.startedMs - b.startedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

async function startedMsOf(dir: string, id: string): Promise<number | null> {
  try {
    const run = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { started_at?: unknown };
    const ms = typeof run.started_at === 'string' ? Date.parse(run.started_at) : Number.NaN;
    return Number.isFinite(ms) ? ms : null;
  } catch {
    return null;
  }
}

/** Which runs go: oldest first, until every bound holds for what is left; a `kept` run never goes. */
export function selectExpired(runs: readonly RunFiles[], policy: RetentionPolicy, now: number): Set<string> {
  const out = new Set<string>();
  const cutoff = now - policy.max_age_days * 86_400_000;
  let count = runs.length;
  let bytes = runs.reduce((n, r) => n + r.bytes, 0);
  for (const r of runs) {
    if (r.kept !== undefined) continue;
    if (r.startedMs >= cutoff && count <= policy.max_runs && bytes <= policy.max_bytes) break;
    out.add(r.id);
    count -= 1;
    bytes -= r.bytes;
  }
  return out;
}

/** The status of a run's JSON, and whether the process writing its journal lives; null when there is no readable JSON. */
async function statusOf(dir: string, id: string): Promise<{ status: unknown; alive: boolean } | null> {
  try {
    const run = JSON.parse(await readFile(join(dir, `${id}.json`), 'utf8')) as { status?: unknown; journal?: unknown };
    const journal = JournalOwnerSchema.safeParse(run.journal);
    return { status: run.status, alive: run.status === 'running' && journal.success && ownerAlive(journal.data) };
  } catch {
    return null;
  }
}

/** Marks the newest finished run and the runs in flight (a live journal, or named by the caller) as kept. */
async function markKept(dir: string, runs: RunFiles[], inFlight: ReadonlySet<string>): Promise<void> {
  let newestFinished = false;
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i] as RunFiles;
    if (inFlight.has(r.id)) {
      r.kept = 'in flight';
      continue;
    }
    const s = await statusOf(dir, r.id);
    if (s?.alive) r.kept = 'in flight';
    else if (!newestFinished && s?.status === 'finished') {
      r.kept = 'newest finished';
      newestFinished = true;
    }
  }
}

/** Applies the policy to `<reportsDir>/<suite>/`; `inFlight` names runs going on now (kept whatever their files say). */
export async function applyRetention(
  reportsDir: string, suite: string, policy: RetentionPolicy, now = Date.now(), inFlight: ReadonlySet<string> = new Set(),
): Promise<RetentionResult> {
  const dir = join(reportsDir, suite);
  const runs = await listRuns(dir);
  // Only when something would go: the JSON of a suite within its bounds is never read.
  if (selectExpired(runs, policy, now).size > 0) await markKept(dir, runs, inFlight);
  const expired = selectExpired(runs, policy, now);
  for (const id of expired) {
    // The JSON first: a run without its JSON is no longer in history, whatever else is left.
    await rm(join(dir, `${id}.json`), { force: true });
    await rm(join(dir, `${id}.md`), { force: true });
    await rm(join(dir, id), { recursive: true, force: true });
  }
  const kept = runs.filter((r) => !expired.has(r.id));
  if (expired.size > 0) await repointLatest(dir, expired, kept.at(-1)?.id ?? null);
  const oversize = kept.filter((r) => r.bytes > policy.max_bytes).map((r) => ({ id: r.id, bytes: r.bytes }));
  return { removed: [...expired], kept: kept.length, bytes: kept.reduce((n, r) => n + r.bytes, 0), oversize };
}

/** `latest.*` are copies of the newest run (report/writer.ts): re-written from the newest kept run, or removed with the last. */
async function repointLatest(dir: string, expired: ReadonlySet<string>, newest: string | null): Promise<void> {
  const shown = await latestId(dir);
  if (shown !== null && !expired.has(shown)) return;
  for (const ext of ['json', 'md']) {
    const latest = join(dir, `latest.${ext}`);
    if (newest === null) {
      await rm(latest, { force: true });
      continue;
    }
    const tmp = join(dir, `.latest.${ext}.${process.pid}.tmp`);
    try {
      await copyFile(join(dir, `${newest}.${ext}`), tmp);
      await rename(tmp, latest);
    } catch {
      await rm(tmp, { force: true });
      await rm(latest, { force: true }); // better no latest than one naming a removed run
    }
  }
}

async function latestId(dir: string): Promise<string | null> {
  try {
    const id = (JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as { id?: unknown }).id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export interface RetainContext {
  reportsDir: string;
  suite: { suite: string; retention: RetentionPolicy };
  /** Runs removed from disk leave the in-memory history too. */
  history?: { forget(ids: readonly string[]): void };
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

/** applyRetention for the daemon: never throws (a failed clean-up must not fail a run), logs what it removed. */
export async function retainRuns(ctx: RetainContext): Promise<void> {
  try {
    const policy = ctx.suite.retention;
    const r = await applyRetention(ctx.reportsDir, ctx.suite.suite, policy);
    for (const big of r.oversize) {
      ctx.log.warn({ suite: ctx.suite.suite, runId: big.id, bytes: big.bytes, max_bytes: policy.max_bytes }, 'retention: a run larger than max_bytes on its own is kept (the newest finished run, or one in flight)');
    }
    if (r.removed.length === 0) return;
    ctx.history?.forget(r.removed);
    ctx.log.info({ suite: ctx.suite.suite, removed: r.removed.length, kept: r.kept, bytes: r.bytes }, 'retention: removed old runs');
  } catch (err) {
    ctx.log.warn({ err, suite: ctx.suite.suite }, 'retention failed');
  }
}
