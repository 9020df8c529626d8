import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { spawnExecutor } from '../../src/executor/child.ts';
import { TestClient, pidAlive, waitUntil } from '../fixtures/executor/ws-client.ts';

const EMIT = fileURLToPath(new URL('../fixtures/executor/emit.mjs', import.meta.url));
const emit = (count: number, lineBytes: number, durationMs: number): string => `'${process.execPath}' '${EMIT}' ${count} ${lineBytes} ${durationMs}`;

let server: ExecutorServer;
before(async () => {
  server = await startExecutor({ port: 0, killGraceMs: 300 });
});
after(() => server.close());

test('5 MB of output over several seconds arrives line by line, every line, in order', async () => {
  const client = await TestClient.connect(server.url);
  const count = 50_000;
  client.request('execute', { command: emit(count, 100, 2_500), timeout: 60 });
  const completed = await client.notification('process.completed', 30_000);
  assert.equal(completed.params?.exit_code, 0);
  const lines = client.output();
  assert.equal(lines.length, count);
  lines.forEach((o, i) => {
    if (o.data.length !== 100 || !o.data.startsWith(`${String(i).padStart(8, '0')} `) || o.chunk_index !== null) {
      assert.fail(`line ${i} is wrong: ${JSON.stringify(o).slice(0, 120)}`);
    }
  });
  await client.close();
});

test('a 200 KB line comes in ceil(len/65536) chunks with indexes, totals and truncated flags, joined = original', async () => {
  const client = await TestClient.connect(server.url);
  client.request('execute', { command: "head -c 200000 /dev/zero | tr '\\0' 'y'; echo", timeout: 10 });
  await client.notification('process.completed');
  const chunks = client.output();
  assert.deepEqual(chunks.map((c) => [c.chunk_index, c.total_chunks, c.truncated]), [[0, 4, true], [1, 4, true], [2, 4, true], [3, 4, false]]);
  assert.equal(chunks.map((c) => c.data).join(''), 'y'.repeat(200_000) + '\n');
  await client.close();
});

test('a line of multi-byte characters is split exactly at the 65,536th code point', async () => {
  const client = await TestClient.connect(server.url);
  // 70,000 × "é€😀" = 210,000 code points and 630,000 UTF-16 units: chunking must count code points.
  client.request('execute', { command: `${process.execPath} -e "process.stdout.write('é€😀'.repeat(70000) + '\\n')"`, timeout: 10 });
  await client.notification('process.completed');
  const chunks = client.output();
  assert.equal(chunks.length, 4);
  assert.deepEqual(chunks.slice(0, 3).map((c) => [...c.data].length), [65_536, 65_536, 65_536]);
  assert.equal([...(chunks[3]?.data ?? '')].length, 210_001 - 3 * 65_536);
  assert.equal(chunks.map((c) => c.data).join(''), 'é€😀'.repeat(70_000) + '\n');
  await client.close();
});

test('a fast producer is held back by the socket and still loses nothing; throughput is reported', async (t) => {
  // The executor in its own process, as `stressd run` uses it, so that client and server do not share a core.
  const executor = await spawnExecutor();
  try {
    const client = await TestClient.connect(executor.url, { token: executor.token, keep: false });
    const count = 300_000;
    const started = performance.now();
    client.request('execute', { command: emit(count, 100, 0), timeout: 60 });
    const completed = await client.notification('process.completed', 60_000);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(completed.params?.exit_code, 0);
    assert.equal(client.outputFrames, count);
    const rate = Math.round(count / seconds);
    t.diagnostic(`executor throughput: ${rate} lines/s (100-byte lines, end to end)`);
    assert.ok(rate > 40_000, `throughput collapsed: ${rate} lines/s`);
    await client.close();
  } finally {
    await executor.close();
  }
});

test('while the client does not read, the executor stops reading the pipe, so the producer blocks instead of filling memory', async () => {
  const client = await TestClient.connect(server.url, { keep: false });
  const count = 300_000; // 30 MB: far more than the 1 MiB high-water mark plus the kernel's socket buffers
  const id = client.request('execute', { command: emit(count, 100, 0), timeout: 60 });
  const pid = (await client.reply(id)).result?.pid as number;
  await client.notification('process.started');
  const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
  socket.pause();
  // Absence over a window: the producer would finish in well under a second if nothing held it back.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.ok(pidAlive(pid), 'the producer finished although nobody read its output');
  socket.resume();
  await client.notification('process.completed', 60_000);
  assert.equal(client.outputFrames, count);
  await client.close();
});

test('output held back by a slow client is still delivered in full after the producer has exited', async () => {
  const own = await startExecutor({ port: 0, highWaterMark: 16 * 1024 });
  try {
    const client = await TestClient.connect(own.url, { keep: false });
    const count = 5_000; // 500 KB: the producer exits while much of it still waits in the pipe and the socket
    const id = client.request('execute', { command: emit(count, 100, 0), timeout: 60 });
    const pid = (await client.reply(id)).result?.pid as number;
    await client.notification('process.started');
    const socket = (client.ws as unknown as { _socket: import('node:net').Socket })._socket;
    socket.pause();
    await waitUntil(() => !pidAlive(pid), 'the producer has exited while the client is not reading', 5_000);
    await new Promise((r) => setTimeout(r, 1_500)); // longer than the executor's 1 s linger
    socket.resume();
    await client.notification('process.completed', 30_000);
    assert.equal(client.outputFrames, count);
    await client.close();
  } finally {
    await own.close();
  }
});
