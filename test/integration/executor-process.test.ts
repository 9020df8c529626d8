import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { TestClient, pidAlive, waitUntil } from '../fixtures/executor/ws-client.ts';

let server: ExecutorServer;
before(async () => {
  server = await startExecutor({ port: 0, killGraceMs: 300 });
});
after(() => server.close());

/** A shell whose child (an inner sh) has a child of its own (sleep): prints both pids. */
const TREE = `sh -c 'sleep 300 & echo "grandchild $!"; wait' & echo "child $!"; wait`;

async function startTree(client: TestClient, timeout = 60): Promise<{ shell: number; child: number; grandchild: number }> {
  const id = client.request('execute', { command: TREE, timeout });
  const shell = (await client.reply(id)).result?.pid as number;
  const pidOf = async (name: string): Promise<number> => {
    const line = await client.waitFor((f) => f.method === 'process.output' && String(f.params?.data).startsWith(`${name} `), `the ${name}'s pid`);
    return Number(String(line.params?.data).split(' ')[1]);
  };
  const [child, grandchild] = [await pidOf('child'), await pidOf('grandchild')];
  assert.ok(pidAlive(child) && pidAlive(grandchild));
  return { shell, child, grandchild };
}

async function assertTreeGone(pids: { shell: number; child: number; grandchild: number }): Promise<void> {
  for (const [name, pid] of Object.entries(pids)) await waitUntil(() => !pidAlive(pid), `the ${name} (${pid}) has ended`, 5_000);
}

test('PAUSE stops all output until RESUME, then the command carries on', async () => {
  const client = await TestClient.connect(server.url);
  client.request('execute', { command: 'i=0; while [ $i -lt 120 ]; do echo $i; i=$((i+1)); sleep 0.01; done', timeout: 30 });
  await client.waitFor((f) => f.method === 'process.output', 'first output');
  const paused = await client.reply(client.request('control', { type: 'PAUSE' }));
  assert.equal(paused.result?.status, 'paused');
  await client.notification('process.paused');
  // Lines in flight when the group stopped may still land: measure from a moment later.
  await new Promise((r) => setTimeout(r, 200));
  const before = client.output().length;
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(client.output().length, before, 'a paused process emitted output');
  assert.equal((await client.reply(client.request('control', { type: 'RESUME' }))).result?.status, 'resumed');
  await client.notification('process.resumed');
  const completed = await client.notification('process.completed', 20_000);
  assert.equal(completed.params?.exit_code, 0);
  assert.equal(client.stdout(), Array.from({ length: 120 }, (_, i) => `${i}\n`).join(''));
  await client.close();
});

test('CANCEL ends the whole group (child and grandchild), then sends process.canceled and process.completed', async () => {
  const client = await TestClient.connect(server.url);
  const pids = await startTree(client);
  const reply = await client.reply(client.request('control', { type: 'CANCEL' }));
  assert.equal(reply.result?.status, 'canceled');
  await client.notification('process.canceled');
  const completed = await client.notification('process.completed');
  assert.equal(completed.params?.status, 'failed');
  assert.equal(completed.params?.terminated_by, 'cancel');
  assert.equal(completed.params?.signal, 'SIGTERM');
  await assertTreeGone(pids);
  await client.close();
});

test('the timeout is a real deadline: the group is ended and process.completed says terminated_by "deadline"', async () => {
  const client = await TestClient.connect(server.url);
  const started = Date.now();
  const pids = await startTree(client, 1);
  const completed = await client.notification('process.completed', 10_000);
  assert.equal(completed.params?.terminated_by, 'deadline');
  assert.equal(completed.params?.status, 'failed');
  assert.ok(Date.now() - started < 5_000);
  await assertTreeGone(pids);
  await client.close();
});

test('a group that ignores SIGTERM is killed after the grace period', async () => {
  const client = await TestClient.connect(server.url);
  client.request('execute', { command: "trap '' TERM; echo armed; while :; do sleep 0.05; done", timeout: 60 });
  await client.waitFor((f) => f.params?.data === 'armed\n', 'the trap to be armed');
  client.request('control', { type: 'CANCEL' });
  const completed = await client.notification('process.completed', 5_000);
  assert.equal(completed.params?.signal, 'SIGKILL');
  await client.close();
});

test('a disconnect ends the whole group', async () => {
  const client = await TestClient.connect(server.url);
  const pids = await startTree(client);
  client.ws.terminate();
  await assertTreeGone(pids);
  await waitUntil(() => server.sessionCount() === 0, 'the session is forgotten');
});

test('a session whose client left while output flooded in is forgotten, even when a process outside the group holds the pipe', async () => {
  const own = await startExecutor({ port: 0, killGraceMs: 300 });
  let escaped = 0;
  try {
    const client = await TestClient.connect(own.url);
    // setsid puts the flooder beyond the group's reach: it keeps the pipe open and writing after the disconnect.
    client.request('execute', { command: `setsid sh -c 'echo "escaped $$"; while :; do echo ${'x'.repeat(100)}; done' & wait`, timeout: 60 });
    const line = await client.waitFor((f) => f.method === 'process.output' && String(f.params?.data).startsWith('escaped '), 'the escaped pid');
    escaped = Number(String(line.params?.data).split(' ')[1]);
    client.ws.terminate();
    await waitUntil(() => own.sessionCount() === 0, 'the session is forgotten', 8_000);
  } finally {
    if (escaped > 0) process.kill(escaped, 'SIGKILL');
    await own.close();
  }
});

test('what a finished command left running in its group is ended too', async () => {
  const client = await TestClient.connect(server.url);
  client.request('execute', { command: 'sleep 300 >/dev/null 2>&1 & echo "bg $!"', timeout: 30 });
  const completed = await client.notification('process.completed');
  assert.equal(completed.params?.exit_code, 0);
  const bg = Number(client.stdout().trim().split(' ')[1]);
  await waitUntil(() => !pidAlive(bg), 'the background sleep has ended', 5_000);
  await client.close();
});

test('closing the server ends every session\'s group and is safe to call twice', async () => {
  const own = await startExecutor({ port: 0, killGraceMs: 300 });
  const a = await TestClient.connect(own.url);
  const b = await TestClient.connect(own.url);
  const trees = [await startTree(a), await startTree(b)];
  await own.close();
  await own.close();
  for (const pids of trees) await assertTreeGone(pids);
  assert.equal((await a.closed).code, 1001);
  await b.closed;
});

test('the heartbeat keeps a ponging client past several intervals and drops a silent one with its process', async () => {
  const own = await startExecutor({ port: 0, heartbeatIntervalMs: 200, killGraceMs: 300 });
  try {
    const alive = await TestClient.connect(own.url);
    const silent = await TestClient.connect(own.url, { pong: false });
    silent.request('execute', { command: 'sleep 300', timeout: 60 });
    const pid = (await silent.notification('process.started')).params?.pid as number;
    const dropped = await silent.closed;
    assert.equal(dropped.code, 1006, 'dropped without a close frame, as cc_executor does');
    await waitUntil(() => !pidAlive(pid), 'the silent client\'s process has ended', 5_000);
    await alive.waitFor((f) => f.method === 'ping' && alive.frames.filter((p) => p.method === 'ping').length >= 6, 'six pings (1.2 s)');
    assert.equal(alive.ws.readyState, alive.ws.OPEN);
    await alive.close();
  } finally {
    await own.close();
  }
});
