/**
 * Writes a run's reports: `<reportsDir>/<suite>/<runId>.md` and `.json`, then `latest.md` and
 * `latest.json` as copies of the newest run. Each file is written atomically (a temp file in the
 * same directory, fsync, rename), so a reader or a crash never sees half a report — except the
 * JSON on a full disk, written over the journal's room in place rather than not at all.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAFE_PATH_PART, writeAtomic, writeRecord } from '../atomic-write.ts';
import { ErrorCode, StressdError } from '../errors.ts';
import { makeDir, writeErrorText } from '../fs-errors.ts';
import type { RunResult, WriteError } from '../result/types.ts';
import { withWriteErrors } from '../result/write-errors.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';

const SAFE_PART = SAFE_PATH_PART;

export { writeAtomic };

/** The id and start of the run `latest.json` holds, or null when there is none (or it cannot be read). */
async function latestRun(dir: string): Promise<{ id: string; startedMs: number } | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || !('id' in parsed) || typeof parsed.id !== 'string') return null;
    const startedMs = 'started_at' in parsed && typeof parsed.started_at === 'string' ? Date.parse(parsed.started_at) : Number.NaN;
    return { id: parsed.id, startedMs };
  } catch {
    return null;
  }
}

/**
 * Whether `run` is at least as new as the one latest.* hold. Ids carry the start to the second and
 * end in a random tail, so two runs of one second are told apart by `started_at`, not by the id.
 */
function atLeastAsNew(run: RunResult, current: { id: string; startedMs: number }): boolean {
  const ms = Date.parse(run.started_at);
  if (Number.isFinite(ms) && Number.isFinite(current.startedMs) && ms !== current.startedMs) return ms > current.startedMs;
  return current.id <= run.id;
}

export interface ReportWrite {
  markdownPath: string;
  jsonPath: string;
  /** The run as its JSON holds it: with the files that could not be written in `write_errors`. */
  run: RunResult;
  /** What this write could not write (the run's earlier write errors, its logs', are not repeated). */
  errors: WriteError[];
}

/**
 * Writes the markdown, then the JSON — which lists what could not be written, the markdown
 * included — then `latest.*`. A file that fails is recorded, not thrown: only a suite label or
 * run id unsafe as a path part throws. The JSON falls back to the journal's room (writeRecord)
 * on a full disk, so the run's record says `finished` with its write errors rather than nothing.
 */
export async function writeReport(result: RunResult, reportsDir: string): Promise<ReportWrite> {
  for (const [what, value] of [['suite label', result.suite], ['run id', result.id]] as const) {
    if (!SAFE_PART.test(value)) {
      throw new StressdError(ErrorCode.usage, `report: the ${what} ${JSON.stringify(value)} is not safe as a path part (letters, digits, ".", "_", "-")`);
    }
  }
  const dir = join(reportsDir, result.suite);
  const markdownPath = join(dir, `${result.id}.md`);
  const jsonPath = join(dir, `${result.id}.json`);
  const errors: WriteError[] = [];
  try {
    // Node's own recursive mkdir says ENOENT on a read-only dir: makeDir names EROFS or EACCES.
    await makeDir(dir);
  } catch (err) {
    errors.push({ file: 'report', path: markdownPath, error: writeErrorText(err) }, { file: 'json', path: jsonPath, error: writeErrorText(err) });
    return { markdownPath, jsonPath, run: withWriteErrors(result, errors), errors };
  }
  const markdown = renderMarkdown(result);
  try {
    await writeAtomic(markdownPath, dir, markdown);
  } catch (err) {
    errors.push({ file: 'report', path: markdownPath, error: writeErrorText(err) });
  }
  const run = withWriteErrors(result, errors);
  const json = renderJson(run);
  try {
    await writeRecord(jsonPath, dir, json);
  } catch (err) {
    errors.push({ file: 'json', path: jsonPath, error: writeErrorText(err) });
    return { markdownPath, jsonPath, run: withWriteErrors(result, errors), errors };
  }
  try {
    await serialised(dir, async () => {
      // An older run written late (a re-render, a slow writer) never replaces a newer latest.
      // A partial run (`--only`) is one or two tests: `latest` stays the newest whole-suite run.
      if (result.only !== undefined) return;
      const current = await latestRun(dir);
      if (current === null || atLeastAsNew(result, current)) {
        await writeAtomic(join(dir, 'latest.json'), dir, json);
        await writeAtomic(join(dir, 'latest.md'), dir, markdown);
      }
    });
  } catch (err) {
    // The run's own files are whole; only the copies are stale (the JSON already on disk cannot say so).
    errors.push({ file: 'latest', path: join(dir, 'latest.json'), error: writeErrorText(err) });
  }
  return { markdownPath, jsonPath, run: withWriteErrors(result, errors), errors };
}

/** Read-compare-write of `latest` must not interleave between two writers in this process. */
const latestQueues = new Map<string, Promise<void>>();

async function serialised(dir: string, fn: () => Promise<void>): Promise<void> {
  const previous = latestQueues.get(dir) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const tail = next.catch(() => undefined);
  latestQueues.set(dir, tail);
  try {
    await next;
  } finally {
    // Forget the queue once idle, so a long-running daemon does not keep one entry per directory forever.
    if (latestQueues.get(dir) === tail) latestQueues.delete(dir);
  }
}
