/**
 * Writes a run's reports: `<reportsDir>/<suite>/<runId>.md` and `.json`, then `latest.md` and
 * `latest.json` as copies of the newest run. Each file is written atomically (a temp file in the
 * same directory, fsync, rename), so a reader or a crash never sees half a report.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SAFE_PATH_PART, writeAtomic } from '../atomic-write.ts';
import { ErrorCode, StressdError } from '../errors.ts';
import { makeDir } from '../fs-errors.ts';
import type { RunResult } from '../result/types.ts';
import { renderJson } from './json.ts';
import { renderMarkdown } from './markdown.ts';

const SAFE_PART = SAFE_PATH_PART;

export { writeAtomic };

/** The id of the run `latest.json` holds, or null when there is none (or it cannot be read). */
async function latestId(dir: string): Promise<string | null> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8'));
    return parsed !== null && typeof parsed === 'object' && 'id' in parsed && typeof parsed.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

export async function writeReport(result: RunResult, reportsDir: string): Promise<{ markdownPath: string; jsonPath: string }> {
  for (const [what, value] of [['suite label', result.suite], ['run id', result.id]] as const) {
    if (!SAFE_PART.test(value)) {
      throw new StressdError(ErrorCode.usage, `report: the ${what} ${JSON.stringify(value)} is not safe as a path part (letters, digits, ".", "_", "-")`);
    }
  }
  const dir = join(reportsDir, result.suite);
  // Node's own recursive mkdir says ENOENT on a read-only dir: makeDir names EROFS or EACCES.
  await makeDir(dir);
  const markdown = renderMarkdown(result);
  const json = renderJson(result);
  const markdownPath = join(dir, `${result.id}.md`);
  const jsonPath = join(dir, `${result.id}.json`);
  await writeAtomic(jsonPath, dir, json);
  await writeAtomic(markdownPath, dir, markdown);
  await serialised(dir, async () => {
    // Run ids sort by time, so an older run written late (a re-render, a slow writer) never replaces a newer latest.
    const current = await latestId(dir);
    if (current === null || current <= result.id) {
      await writeAtomic(join(dir, 'latest.json'), dir, json);
      await writeAtomic(join(dir, 'latest.md'), dir, markdown);
    }
  });
  return { markdownPath, jsonPath };
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
