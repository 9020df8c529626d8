import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { MALLOC_ENV, NODE_MEMORY_FLAGS, spawnExecutor } from '../../src/executor/child.ts';
import { TestClient, pidAlive, waitUntil } from '../fixtures/executor/ws-client.ts';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

test('`stressd executor` via spawnExecutor prints its ready line, needs its token, serves, and ends its groups on close', async () => {
  const logs: string[] = [];
  const executor = await spawnExecutor({ allow: ['echo', 'sleep'], heartbeatMs: 1_000, onLog: (l) => logs.push(l) });
  try {
    assert.match(executor.url, /^ws:\/\/127\.0\.0\.1:\d+\/ws\/mcp$/);
    assert.ok(executor.token.length >= 16);
    assert.ok(!executor.child.spawnargs.includes(executor.token), 'the token is not on the command line');
    await assert.rejects(TestClient.connect(executor.url), /401/);
    const client = await TestClient.connect(executor.url, { token: executor.token });
    client.request('execute', { command: 'echo served', timeout: 5 });
    await client.notification('process.completed');
    assert.equal(client.stdout(), 'served\n');
    const refused = await client.reply(client.request('execute', { command: 'echo a; rm -rf x', timeout: 5 }));
    assert.match(refused.error?.message ?? '', /^Command 'rm' is not allowed: not on the allow-list/);
    client.request('execute', { command: 'sleep 300', timeout: 60 });
    const pid = (await client.notification('process.started')).params?.pid as number;
    await executor.close();
    await executor.close();
    assert.deepEqual(await executor.exited, { code: 0, signal: null });
    assert.ok(!pidAlive(pid), 'the running command ended with the executor');
    await client.closed;
    await waitUntil(() => logs.some((l) => l.includes('"executor closed"')), 'the closing log line');
  } finally {
    await executor.close();
  }
});

test('the executor child runs with the memory settings that keep a long-lived process flat, and its commands do not inherit them', async () => {
  const executor = await spawnExecutor();
  try {
    const argv = readFileSync(`/proc/${executor.pid}/cmdline`, 'utf8').split('\0');
    for (const flag of NODE_MEMORY_FLAGS) assert.ok(argv.indexOf(flag) > 0 && argv.indexOf(flag) < argv.indexOf('executor'), `${flag} is a node flag of the child: ${argv.join(' ')}`);
    const environ = readFileSync(`/proc/${executor.pid}/environ`, 'utf8').split('\0');
    for (const [name, value] of Object.entries(MALLOC_ENV)) assert.ok(environ.includes(`${name}=${value}`), `the child has ${name}=${value}`);
    const client = await TestClient.connect(executor.url, { token: executor.token });
    client.request('execute', { command: 'echo start; env', timeout: 5 });
    await client.notification('process.completed');
    assert.match(client.stdout(), /^PATH=/m, 'the command printed its environment');
    for (const name of Object.keys(MALLOC_ENV)) assert.doesNotMatch(client.stdout(), new RegExp(`^${name}=`, 'm'), `a command does not get ${name}`);
    await client.close();
  } finally {
    await executor.close();
  }
});

test('`stressd executor --host 0.0.0.0` without a token exits 2 with a message', async () => {
  const env = { ...process.env };
  delete env.STRESSD_EXECUTOR_TOKEN;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'executor', '--host', '0.0.0.0', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 2);
  assert.match(stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
});

test('spawnExecutor rejects, naming the cause, when the child exits before it is ready', async () => {
  await assert.rejects(spawnExecutor({ env: { NODE_OPTIONS: '--require /nonexistent/stressd-preload.cjs' } }), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'STRESSD_ERR_CONNECT_FAILED');
    assert.match(err.message, /exited .*stressd-preload/s);
    return true;
  });
});

test('spawnExecutor gives up at its ready deadline and leaves no child behind', async () => {
  let pid = 0;
  await assert.rejects(
    spawnExecutor({ readyTimeoutMs: 30, onLog: () => undefined }).catch((err: Error & { code?: string }) => {
      pid = Number(/pid (\d+)/.exec(err.message)?.[1] ?? 0);
      throw err;
    }),
    { code: 'STRESSD_ERR_TIMEOUT' },
  );
  assert.ok(pid > 0, "the error names the child's pid");
  assert.ok(!pidAlive(pid), "the child was ended");
});
