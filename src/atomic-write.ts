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

/** Spare room kept at the end of a run's journal: what its last writes need when the disk fills up. */
export const RECORD_RESERVE_BYTES = 32 * 1024;

const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

function noSpace(err: unknown): boolean {
  return err !== null && typeof err === 'object' && 'code' in err && typeof err.code === 'string' && NO_SPACE.has(err.code);
}

/**
 * A run's record (its journal, then its final JSON). With `reserve`, the file ends in that many
 * spaces, which JSON allows: room that is already the file's. When the disk has no room for a
 * padded copy, the record is written over the old one in place, inside its own size (the spaces
 * pad what is left), so the room stays the record's — not atomic, but a nearly full disk leaves no
 * other way to keep it; only a record that does not fit there is written as a copy without room.
 * Returns how it was written; throws when neither way could.
 */
export async function writeRecord(path: string, dir: string, content: string, reserve = 0): Promise<'atomic' | 'in_place'> {
  try {
    await writeAtomic(path, dir, reserve > 0 ? content + ' '.repeat(reserve) : content);
    return 'atomic';
  } catch (err) {
    if (!noSpace(err)) throw err;
    // The file's own room first: a smaller atomic copy would give its spare room back to the disk,
    // where the run's output takes it, and the run's last writes (its final JSON) then fit nowhere.
    if (await overwriteInPlace(path, content)) return 'in_place';
    if (reserve > 0) {
      try {
        await writeAtomic(path, dir, content);
        return 'atomic';
      } catch (again) {
        if (!noSpace(again)) throw again;
      }
    }
    throw err;
  }
}

/** Writes `content` over the file's own bytes, padding the rest with spaces; false when it does not fit (or there is no file). */
async function overwriteInPlace(path: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r+');
  } catch {
    return false;
  }
  try {
    const size = (await fh.stat()).size;
    const body = Buffer.from(content, 'utf8');
    if (body.length > size) return false;
    const whole = Buffer.alloc(size, 0x20);
    body.copy(whole);
    await fh.write(whole, 0, size, 0);
    await fh.sync();
    return true;
  } finally {
    await fh.close();
  }
}
