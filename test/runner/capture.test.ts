import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputCapture, PREVIEW_CHARS, logPathFor } from '../../src/runner/capture.ts';
import type { OutputLine } from '../../src/client/types.ts';

const line = (data: string, stream: 'stdout' | 'stderr' = 'stdout', chunks = 1, partial = false): OutputLine => ({
  stream, data, bytes: Buffer.byteLength(data), chunks, receivedAt: 0, serverStall: false, streamError: false, partial,
});

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-capture-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the full output goes to the log and the counters add up', () =>
  withTmp(async (dir) => {
    const path = logPathFor(dir, 'demo', '20261124T101500Z-3f9a', 'echo/one');
    assert.equal(path, join(dir, 'demo', '20261124T101500Z-3f9a', 'echo_one.log'));
    const c = new OutputCapture({ logPath: path });
    await c.open();
    c.push(line('héllo\n'));
    c.push(line('oops\n', 'stderr'));
    c.push(line('x'.repeat(70_000) + '\n', 'stdout', 2));
    const s = await c.close();
    assert.equal(await readFile(path, 'utf8'), 'héllo\noops\n' + 'x'.repeat(70_000) + '\n');
    assert.equal(s.output_bytes, 7 + 5 + 70_001);
    assert.equal(s.output_lines, 3);
    assert.equal(s.output_chunks, 4);
    assert.equal(s.stderr_bytes, 5);
    assert.equal(s.log_path, path);
    assert.equal(s.log_dropped_bytes, 0);
  }));

test('the preview keeps the first and last 2,000 characters, the tail never repeating the head', async () => {
  const small = new OutputCapture({ logPath: null });
  small.push(line('short\n'));
  const s1 = await small.close();
  assert.deepEqual([s1.preview_head, s1.preview_tail, s1.log_path], ['short\n', '', null]);

  const big = new OutputCapture({ logPath: null });
  for (let i = 0; i < 1000; i++) big.push(line(`line ${String(i).padStart(4, '0')}\n`));
  const s2 = await big.close();
  assert.equal(s2.preview_head.length, PREVIEW_CHARS);
  assert.ok(s2.preview_head.startsWith('line 0000\n'));
  assert.equal(s2.preview_tail.length, PREVIEW_CHARS);
  assert.ok(s2.preview_tail.endsWith('line 0999\n'));
});

test('when the disk cannot keep up, output past the buffer cap is dropped and counted, not held', () =>
  withTmp(async (dir) => {
    const path = join(dir, 'slow.log');
    const c = new OutputCapture({ logPath: path, maxBufferedBytes: 256 * 1024 });
    await c.open();
    // Synchronous pushes never let the stream drain: exactly what a disk slower than the socket looks like.
    const piece = 'y'.repeat(1023) + '\n';
    for (let i = 0; i < 1024; i++) c.push(line(piece));
    const s = await c.close();
    assert.equal(s.output_bytes, 1024 * 1024);
    assert.ok(s.log_dropped_bytes >= 1024 * 1024 - 256 * 1024 - 1024, String(s.log_dropped_bytes));
    assert.ok(s.log_waited_lines > 0);
    const log = await readFile(path, 'utf8');
    assert.ok(log.length < 260 * 1024, String(log.length));
    assert.match(log, /bytes of output left out of this log/);
  }));

test('a single line bigger than the buffer cap still reaches the log when nothing is waiting for the disk', () =>
  withTmp(async (dir) => {
    const path = join(dir, 'big.log');
    const c = new OutputCapture({ logPath: path, maxBufferedBytes: 64 * 1024 });
    await c.open();
    const big = `${'z'.repeat(200_000)}\n`;
    c.push(line(big));
    const s = await c.close();
    assert.equal(s.log_dropped_bytes, 0);
    assert.equal(await readFile(path, 'utf8'), big);
  }));

test('a log that cannot be opened is reported and the capture still counts', () =>
  withTmp(async (dir) => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'not a directory');
    const c = new OutputCapture({ logPath: join(blocker, 'x.log') });
    await c.open();
    c.push(line('still counted\n'));
    const s = await c.close();
    assert.equal(s.output_lines, 1);
    assert.equal(s.log_path, null);
    assert.ok(s.log_error);
  }));

test('a line longer than a block and many short ones reach the log intact and in order', () =>
  withTmp(async (dir) => {
    const path = join(dir, 'order.log');
    const c = new OutputCapture({ logPath: path });
    await c.open();
    const expected: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const data = i === 2500 ? `${'é'.repeat(100_000)}\n` : `line ${i} ünïcode\n`;
      expected.push(data);
      c.push(line(data));
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    const s = await c.close();
    assert.equal(s.log_dropped_bytes, 0);
    assert.equal(await readFile(path, 'utf8'), expected.join(''));
  }));

test('a line handed over in pieces counts as one line, and reaches the log whole', () =>
  withTmp(async (dir) => {
    const path = join(dir, 'pieces.log');
    const c = new OutputCapture({ logPath: path });
    await c.open();
    c.push(line('first\n'));
    c.push(line('aaaa', 'stdout', 3, true));
    c.push(line('bbbb', 'stdout', 3, true));
    c.push(line('cc\n', 'stdout', 1));
    const s = await c.close();
    assert.equal(await readFile(path, 'utf8'), 'first\naaaabbbbcc\n');
    assert.equal(s.output_lines, 2);
    assert.equal(s.output_chunks, 8);
    assert.equal(s.output_bytes, 6 + 11);
  }));

test('close is idempotent', async () => {
  const c = new OutputCapture({ logPath: null });
  assert.equal(await c.close(), await c.close());
});
