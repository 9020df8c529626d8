/**
 * Retention (DESIGN §3): per suite, the oldest runs go first until the suite is within
 * `max_age_days`, `max_runs` and `max_bytes`. A run is its `<runId>.json`, `<runId>.md` and its
 * log folder `<runId>/`, removed together; `latest.*` are re-written from the newest run kept (or
 * removed with the last one), so they never name a removed run. Run ids sort by time and carry
 * the start time, so the file names alone give order and age: no report is parsed.
 */
import { copyFile, lstat, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RetentionPolicy } from '../config/types.ts';
import { RUN_ID_PATTERN } from '../result/id.ts';

export type { RetentionPolicy };

export interface RetentionResult {
  removed: string[];
  kept: number;
  bytes: number;
}

export interface RunFiles {
  id: string;
  /** Start time (from the id), ms since the epoch. */
  startedMs: number;
  bytes: number;
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
  for (const id of [...ids].sort()) {
    let bytes = 0;
    for (const part of [`${id}.json`, `${id}.md`, id]) bytes += await sizeOf(join(dir, part));
    runs.push({ id, startedMs: startedAt(id), bytes });
  }
  return runs;
}

/** Which runs go: oldest first, until every bound holds for what is left. */
export function selectExpired(runs: readonly RunFiles[], policy: RetentionPolicy, now: number): Set<string> {
  const out = new Set<string>();
  const cutoff = now - policy.max_age_days * 86_400_000;
  let count = runs.length;
  let bytes = runs.reduce((n, r) => n + r.bytes, 0);
  for (const r of runs) {
    if (r.startedMs >= cutoff && count <= policy.max_runs && bytes <= policy.max_bytes) break;
    out.add(r.id);
    count -= 1;
    bytes -= r.bytes;
  }
  return out;
}

/** Applies the policy to `<reportsDir>/<suite>/`. */
export async function applyRetention(reportsDir: string, suite: string, policy: RetentionPolicy, now = Date.now()): Promise<RetentionResult> {
  const dir = join(reportsDir, suite);
  const runs = await listRuns(dir);
  const expired = selectExpired(runs, policy, now);
  for (const id of expired) {
    // The JSON first: a run without its JSON is no longer in history, whatever else is left.
    await rm(join(dir, `${id}.json`), { force: true });
    await rm(join(dir, `${id}.md`), { force: true });
    await rm(join(dir, id), { recursive: true, force: true });
  }
  const kept = runs.filter((r) => !expired.has(r.id));
  if (expired.size > 0) await repointLatest(dir, expired, kept.at(-1)?.id ?? null);
  return { removed: [...expired], kept: kept.length, bytes: kept.reduce((n, r) => n + r.bytes, 0) };
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
    const r = await applyRetention(ctx.reportsDir, ctx.suite.suite, ctx.suite.retention);
    if (r.removed.length === 0) return;
    ctx.history?.forget(r.removed);
    ctx.log.info({ suite: ctx.suite.suite, removed: r.removed.length, kept: r.kept, bytes: r.bytes }, 'retention: removed old runs');
  } catch (err) {
    ctx.log.warn({ err, suite: ctx.suite.suite }, 'retention failed');
  }
}
