/**
 * Atomic file writes (a temp file in the same directory, fsync, rename, directory fsync), so a
 * reader or a crash never sees half a file. Shared by the report writer and the run journal,
 * which live in folders that must not import each other.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Suite labels and run ids become path parts; anything else could escape the reports dir. */
export const SAFE_PATH_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export async function writeAtomic(path: string, dir: string, content: string): Promise<void> {
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(content, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dir);
}

/** Makes the rename itself durable; some filesystems refuse to open a directory for sync, which is harmless. */
async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Best effort only: the data file itself is already synced.
  }
}
