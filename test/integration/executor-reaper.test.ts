/** The executor's one reaper (reaper.ts): real `stressd executor` children, real SIGKILLs, checked through /proc. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnExecutor } from '../../src/executor/child.ts';
import { REAPER_NAME } from '../../src/executor/reaper.ts';
import { TestClient, pidAlive } from '../fixtures/executor/ws-client.ts';
import { pidsOf, waitFor } from '../fixtures/daemon/spawn-daemon.ts';

/** The live reapers whose parent is `ppid` (their argv ends with the reaper's name). */
function reapersOf(ppid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== ppid || fields[0] === 'Z') continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv[0] === '/bin/sh' && argv.at(-1) === REAPER_NAME) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function pidsOfAll(names: string[]): Promise<number[]> {
  const all: number[] = [];
  for (const n of names) all.push(...(await pidsOf(['sleep', n])));
  return all;
}

async function killAll(names: string[]): Promise<void> {
  for (const pid of await pidsOfAll(names)) process.kill(pid, 'SIGKILL');
}

test('kill -9 of the executor with several commands running: no process of any of them remains within 5 s, nor the reaper', async () => {
  const executor = await spawnExecutor();
  const names = ['741', '742', '743', '751', '752', '753', '761', '762', '763'];
  const clients: TestClient[] = [];
  try {
    for (const i of [4, 5, 6]) {
      const client = await TestClient.connect(executor.url, { token: executor.token });
      clients.push(client);
      client.request('execute', { command: `(setsid sh -c 'sleep 7${i}1' &); sleep 7${i}2 & sleep 7${i}3` });
    }
    const pids = await waitFor(async () => {
      const found = await pidsOfAll(names);
      return found.length === names.length ? found : null;
    }, 'the nine sleeps');
    const reapers = reapersOf(executor.pid);
    assert.equal(reapers.length, 1, `one reaper for the executor, not one per command: ${reapers.join(', ')}`);
    const killedAt = Date.now();
    process.kill(executor.pid, 'SIGKILL');
    await waitFor(() => [...pids, ...reapers].every((p) => !pidAlive(p)), 'every process of the three commands and the reaper to end', 5_000);
    assert.ok(Date.now() - killedAt < 5_000);
  } finally {
    await executor.close();
    await killAll(names);
  }
});

test('a killed reaper is replaced (and logged), and the replacement still ends the group when the executor dies', async () => {
  const logs: string[] = [];
  const executor = await spawnExecutor({ onLog: (line) => logs.push(line) });
  const names = ['781', '782', '783'];
  try {
    const client = await TestClient.connect(executor.url, { token: executor.token });
    client.request('execute', { command: "(setsid sh -c 'sleep 781' &); sleep 782 & sleep 783" });
    const pids = await waitFor(async () => {
      const found = await pidsOfAll(names);
      return found.length === names.length ? found : null;
    }, 'the three sleeps');
    const [first] = await waitFor(() => (reapersOf(executor.pid).length === 1 ? reapersOf(executor.pid) : null), 'the reaper');
    process.kill(first as number, 'SIGKILL');
    const [second] = await waitFor(() => {
      const now = reapersOf(executor.pid);
      return now.length === 1 && now[0] !== first ? now : null;
    }, 'a new reaper', 5_000);
    await waitFor(() => logs.some((l) => l.includes('orphan reaper exited')), 'the log line about the reaper');
    assert.ok(pids.every((p) => pidAlive(p)), 'the command runs on, untouched by the old reaper\'s death');
    process.kill(executor.pid, 'SIGKILL');
    await waitFor(() => [...pids, second as number].every((p) => !pidAlive(p)), 'the group, the escape and the new reaper to end', 5_000);
  } finally {
    await executor.close();
    await killAll(names);
  }
});

test('the reaper exits with the executor when it closes normally', async () => {
  const executor = await spawnExecutor();
  const client = await TestClient.connect(executor.url, { token: executor.token });
  client.request('execute', { command: 'echo hi' });
  await client.notification('process.completed');
  const reapers = reapersOf(executor.pid);
  assert.equal(reapers.length, 1);
  await client.close();
  await executor.close();
  await waitFor(() => reapers.every((p) => !pidAlive(p)), 'the reaper to exit', 3_000);
});
