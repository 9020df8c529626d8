/** No orphan, ever (DESIGN §12): real SIGKILLs of the executor and of the daemon, and a setsid escape. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnExecutor } from '../../src/executor/child.ts';
import { TestClient, pidAlive } from '../fixtures/executor/ws-client.ts';
import { pidsOf, waitFor } from '../fixtures/daemon/spawn-daemon.ts';
import { sleepyDaemon } from '../fixtures/daemon/sleepy-daemon.ts';

const killAll = async (argv: string[]): Promise<void> => {
  for (const pid of await pidsOf(argv)) process.kill(pid, 'SIGKILL');
};

test('kill -9 of the executor mid-test: the group and an escaped process are gone within 5 s', async () => {
  const executor = await spawnExecutor();
  try {
    const client = await TestClient.connect(executor.url, { token: executor.token });
    client.request('execute', { command: "(setsid sh -c 'sleep 771' &); sleep 772 & sleep 773" });
    await client.notification('process.started');
    const [a, b, c] = await waitFor(async () => {
      const pids = [...(await pidsOf(['sleep', '771'])), ...(await pidsOf(['sleep', '772'])), ...(await pidsOf(['sleep', '773']))];
      return pids.length === 3 ? pids : null;
    }, 'the three sleeps');
    const killedAt = Date.now();
    process.kill(executor.pid, 'SIGKILL');
    await waitFor(() => [a, b, c].every((p) => !pidAlive(p as number)), 'every process of the test to end', 5_000);
    assert.ok(Date.now() - killedAt < 5_000);
  } finally {
    await executor.close();
    for (const n of ['771', '772', '773']) await killAll(['sleep', n]);
  }
});

test('a process that left its group is ended at the end of the test and listed in process.completed', async () => {
  const executor = await spawnExecutor();
  try {
    const client = await TestClient.connect(executor.url, { token: executor.token });
    client.request('execute', { command: "(setsid sh -c 'sleep 888' &); echo left" });
    const completed = await client.notification('process.completed', 15_000);
    const escaped = (completed.params as { escaped_processes?: { pid: number; command: string }[] }).escaped_processes;
    assert.ok(escaped && escaped.length >= 1, `escaped_processes listed: ${JSON.stringify(escaped)}`);
    assert.ok(escaped.some((p) => p.command === 'sleep 888' || p.command.includes("sleep 888")), JSON.stringify(escaped));
    for (const p of escaped) assert.ok(!pidAlive(p.pid), `escaped pid ${p.pid} ended`);
    assert.deepEqual(await pidsOf(['sleep', '888']), []);
    assert.equal(client.stdout(), 'left\n');
    // A clean command reports an empty list.
    client.frames.length = 0;
    client.request('execute', { command: 'echo clean' });
    const clean = await client.notification('process.completed');
    assert.deepEqual((clean.params as { escaped_processes?: unknown[] }).escaped_processes, []);
    await client.close();
  } finally {
    await executor.close();
    await killAll(['sleep', '888']);
  }
});

test('kill -9 of the daemon mid-run: its executor and the test processes are gone within 5 s', async () => {
  const { d, executorPid, sleepPid, cleanup } = await sleepyDaemon('stressd-orphan-');
  try {
    d.child.kill('SIGKILL');
    await d.exited;
    await waitFor(() => !pidAlive(executorPid) && !pidAlive(sleepPid), 'the executor and sleep 317 to end', 5_000);
  } finally {
    await cleanup();
  }
});
