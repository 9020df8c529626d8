/**
 * writeRecord on a real small disk (a tmpfs; skipped with the reason where it cannot be mounted):
 * a run's record keeps its spare room when the disk has no space for a padded copy, so the final
 * JSON still fits once the disk is full. Before, the journal's next write fell back to a copy
 * without room (it fitted), gave the 32 KiB back to the disk, the output took it, and the final
 * JSON fitted nowhere: after a restart the run read `aborted` instead of finished.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_RESERVE_BYTES, writeRecord } from '../../src/atomic-write.ts';
import { mountTmpfs } from '../fixtures/tmpfs.ts';

/** Writes zeros to `path` until the disk is full (ENOSPC). */
async function fill(path: string): Promise<void> {
  const fh = await open(path, 'a');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) await fh.write(chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    await fh.close();
  }
}

test('a padded record keeps its room when no padded copy fits, and the last write fits on a full disk', async (t) => {
  const fs = await mountTmpfs(128);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    const record = join(fs.dir, 'run.json');
    const body = (n: number): string => `${JSON.stringify({ status: n < 3 ? 'running' : 'finished', n, pad: 'x'.repeat(n * 2000) })}\n`;
    assert.equal(await writeRecord(record, fs.dir, body(1), RECORD_RESERVE_BYTES), 'atomic');
    const padded = (await stat(record)).size;
    assert.ok(padded > RECORD_RESERVE_BYTES);
    // Leave less than a padded copy needs, more than a bare one: 16 KiB free.
    await writeFile(join(fs.dir, 'ballast'), Buffer.alloc(128 * 1024 - 16 * 1024 - Math.ceil(padded / 4096) * 4096));
    assert.equal(await writeRecord(record, fs.dir, body(2), RECORD_RESERVE_BYTES), 'in_place');
    assert.equal((await stat(record)).size, padded, 'the room is still the record\'s');
    assert.equal(JSON.parse(await readFile(record, 'utf8')).n, 2);
    // The output takes whatever is left; the final record (bigger than the first) goes into the room.
    await fill(join(fs.dir, 'output.log'));
    assert.equal(await writeRecord(record, fs.dir, body(5)), 'in_place');
    const last = JSON.parse(await readFile(record, 'utf8')) as { status: string; n: number };
    assert.deepEqual([last.status, last.n], ['finished', 5]);
  } finally {
    await fs.remove();
  }
});
