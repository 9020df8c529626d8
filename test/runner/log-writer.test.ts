/**
 * A log that cannot be written whole says so: a failed write (a full disk, a read-only one) is
 * kept with its real code, every byte that did not reach the file is counted, nothing says complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlockLogWriter } from '../../src/runner/log-writer.ts';
import { mountTmpfs, type Tmpfs } from '../fixtures/tmpfs.ts';

const LINE = '0123456789\n';

function writeLines(log: BlockLogWriter, n: number): number {
  for (let i = 0; i < n; i++) log.write(LINE, LINE.length);
  return n * LINE.length;
}

async function withTmpfs(t: { skip(why: string): void }, sizeKb: number, fn: (fs: Tmpfs) => Promise<void>): Promise<void> {
  const fs = await mountTmpfs(sizeKb);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    await fn(fs);
  } finally {
    await fs.remove();
  }
}

test('an injected write error (/dev/full refuses every write with ENOSPC) is kept, and every byte counts as dropped', async () => {
  const log = new BlockLogWriter({ path: '/dev/full' });
  await log.open();
  const total = writeLines(log, 10_000);
  const s = await log.close();
  assert.equal(s.log_complete, false);
  assert.match(s.log_error ?? '', /^ENOSPC\b/);
  assert.equal(s.log_dropped_bytes, total);
  assert.equal(s.log_path, '/dev/full');
});

test('a full disk: what reached the file and what was dropped add up to the output, and the error is ENOSPC', (t) =>
  withTmpfs(t, 64, async (fs) => {
    const path = join(fs.dir, 'suite', 'run', 'big.log');
    const log = new BlockLogWriter({ path });
    await log.open();
    // In pieces with pauses, as a test's output comes: writes land, then the disk fills mid-write.
    let total = 0;
    for (let i = 0; i < 30; i++) {
      total += writeLines(log, 1000);
      await new Promise((r) => setImmediate(r));
    }
    const s = await log.close();
    const onDisk = (await stat(path)).size;
    assert.equal(s.log_complete, false);
    assert.match(s.log_error ?? '', /^ENOSPC\b/);
    assert.ok(onDisk > 0 && onDisk <= 64 * 1024, `on disk ${onDisk}`);
    assert.equal(onDisk + s.log_dropped_bytes, total, `on disk ${onDisk} + dropped ${s.log_dropped_bytes} = ${total}`);
  }));

test('a read-only disk: the log is not opened and the error says EROFS, not ENOENT', (t) =>
  withTmpfs(t, 64, async (fs) => {
    await fs.readOnly();
    const log = new BlockLogWriter({ path: join(fs.dir, 'suite', 'run', 'x.log') });
    await log.open();
    const total = writeLines(log, 10);
    const s = await log.close();
    assert.deepEqual([s.log_complete, s.log_path, s.log_dropped_bytes], [false, null, total]);
    assert.match(s.log_error ?? '', /^EROFS\b/);
  }));

test('a log written whole is complete, with no error and nothing dropped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-log-'));
  try {
    const log = new BlockLogWriter({ path: join(dir, 'a', 'ok.log') });
    await log.open();
    const total = writeLines(log, 20_000);
    const s = await log.close();
    assert.deepEqual([s.log_complete, s.log_error, s.log_dropped_bytes], [true, null, 0]);
    assert.equal((await readFile(join(dir, 'a', 'ok.log'))).length, total);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a quiet test reaches its log within its flush interval; a longer interval keeps it in memory until then, and close writes it all', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-log-flush-'));
  try {
    const fast = new BlockLogWriter({ path: join(dir, 'a', 'fast.log'), flushEveryMs: 30 });
    const slow = new BlockLogWriter({ path: join(dir, 'a', 'slow.log'), flushEveryMs: 60_000 });
    await fast.open();
    await slow.open();
    writeLines(fast, 3);
    writeLines(slow, 3);
    const deadline = Date.now() + 5000;
    while ((await stat(join(dir, 'a', 'fast.log'))).size < 3 * LINE.length) {
      assert.ok(Date.now() < deadline, 'the fast log was not flushed within 5 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal((await stat(join(dir, 'a', 'slow.log'))).size, 0, 'the slow log waits for its interval');
    assert.equal((await slow.close()).log_complete, true);
    assert.equal(await readFile(join(dir, 'a', 'slow.log'), 'utf8'), LINE.repeat(3));
    await fast.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
