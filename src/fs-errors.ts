/**
 * File-system errors told as they are. Node's recursive mkdir reports ENOENT when the real cause
 * is a read-only file system or a permission (it gives up on the deepest missing level):
 * `makeDir` asks the one level that failed for its own answer, so the error names EROFS or EACCES.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** The errno code of a Node error (`ENOSPC`, `EROFS`, …), or null. */
export function errorCode(err: unknown): string | null {
  if (err === null || typeof err !== 'object' || !('code' in err)) return null;
  return typeof err.code === 'string' ? err.code : null;
}

/** One line naming the code and what failed: "ENOSPC: no space left on device, write". */
export function writeErrorText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  return code !== null && !message.includes(code) ? `${code}: ${message}` : message;
}

/** `mkdir -p`, whose failure carries the real code of the level that could not be made. */
export async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
    const real = await firstMissingLevelError(resolve(path));
    if (real === 'made') await mkdir(path, { recursive: true });
    else throw real ?? err;
  }
}

/** Makes the first missing level alone: its error is the true one ('made' when it now exists). */
async function firstMissingLevelError(path: string): Promise<unknown> {
  let child = path;
  for (let parent = dirname(child); parent !== child; child = parent, parent = dirname(child)) {
    const exists = await stat(parent).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!exists) continue;
    try {
      await mkdir(child);
      return 'made';
    } catch (err) {
      return errorCode(err) === 'EEXIST' ? 'made' : err;
    }
  }
  return null;
}
