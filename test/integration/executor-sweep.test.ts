/** The end-of-command sweep for escaped processes (mark-sweep.ts): real marked processes, real signals, one shared pass over /proc. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { endMarked, findMarked, newRunMark, sweepPasses, RUN_MARK_VAR } from '../../src/executor/mark-sweep.ts';
import { startExecutor } from '../../src/executor/server.ts';
import { TestClient, pidAlive } from '../fixtures/executor/ws-client.ts';
import { pidsOf, waitFor } from '../fixtures/daemon/spawn-daemon.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** A `sleep` in a session of its own (as an escapee would be), its environment exactly `env`. */
function marked(seconds: string, env: Record<string, string>): ChildProcess {
  const child = spawn('sleep', [seconds], { detached: true, stdio: 'ignore', env: { PATH, ...env } });
  child.unref();
  return child;
}

test('marks wanted together share one pass over /proc, and each gets only its own processes', async () => {
  const [m1, m2, m3] = [newRunMark(), newRunMark(), newRunMark()];
  const procs = [
    marked('611', { [RUN_MARK_VAR]: m1 }),
    marked('612', { [RUN_MARK_VAR]: m1, OTHER: 'x' }),
    // The marker after other variables, and a variable whose name only ends like it: not m3's.
    marked('613', { FIRST: 'y', [RUN_MARK_VAR]: m2 }),
    marked('614', { [`X${RUN_MARK_VAR}`]: m3 }),
    marked('615', {}),
  ];
  try {
    await waitFor(() => procs.every((p) => pidAlive(p.pid as number)), 'the sleeps to run');
    const passes = sweepPasses();
    const [f1, f2, f3] = await Promise.all([findMarked(m1), findMarked(m2), findMarked(m3)]);
    assert.equal(sweepPasses() - passes, 1, 'one pass for three marks');
    assert.deepEqual(f1?.map((p) => p.pid).sort(), [procs[0]?.pid, procs[1]?.pid].sort());
    assert.deepEqual(f1?.map((p) => p.command).sort(), ['sleep 611', 'sleep 612']);
    assert.deepEqual(f2, [{ pid: procs[2]?.pid, command: 'sleep 613' }]);
    assert.deepEqual(f3, []);
  } finally {
    for (const p of procs) p.kill('SIGKILL');
  }
});

test('ending several marks at once: SIGKILL after the grace for what ignores SIGTERM, the rest spared, two passes', async () => {
  const [m1, m2] = [newRunMark(), newRunMark()];
  // `trap '' TERM` is inherited by the sleep: only the SIGKILL follow-up ends them.
  const stubborn = (n: string, mark: string): ChildProcess => {
    const child = spawn('sh', ['-c', `trap '' TERM; sleep ${n}`], { detached: true, stdio: 'ignore', env: { PATH, [RUN_MARK_VAR]: mark } });
    child.unref();
    return child;
  };
  const procs = [stubborn('621', m1), stubborn('622', m2), marked('623', { [RUN_MARK_VAR]: newRunMark() })];
  try {
    const sleeps = await waitFor(async () => {
      const pids = [...(await pidsOf(['sleep', '621'])), ...(await pidsOf(['sleep', '622']))];
      return pids.length === 2 ? pids : null;
    }, 'the two stubborn sleeps');
    const passes = sweepPasses();
    const [e1, e2] = await Promise.all([endMarked(m1, 300), endMarked(m2, 300)]);
    // One pass finds them; one more, after the grace, re-checks for late children before SIGKILL.
    assert.equal(sweepPasses() - passes, 2);
    assert.ok(e1?.some((p) => p.command === 'sleep 621') && e1.every((p) => p.command.endsWith('621')), JSON.stringify(e1));
    assert.ok(e2?.some((p) => p.command === 'sleep 622') && e2.every((p) => p.command.endsWith('622')), JSON.stringify(e2));
    await waitFor(() => sleeps.every((pid) => !pidAlive(pid)), 'the stubborn sleeps to be killed', 3_000);
    assert.ok(pidAlive(procs[2]?.pid as number), 'a process of another mark is untouched');
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    for (const n of ['621', '622']) for (const pid of await pidsOf(['sleep', n])) process.kill(pid, 'SIGKILL');
  }
});

test('commands ending together each list only their own escaped processes', async () => {
  const server = await startExecutor({ port: 0, killGraceMs: 500 });
  const clients: TestClient[] = [];
  try {
    for (let i = 1; i <= 4; i++) clients.push(await TestClient.connect(server.url));
    clients.forEach((c, i) => c.request('execute', { command: `(setsid sh -c 'sleep 63${i + 1}' &); sleep 0.3` }));
    const completed = await Promise.all(clients.map((c) => c.notification('process.completed', 15_000)));
    completed.forEach((frame, i) => {
      const escaped = (frame.params as { escaped_processes?: { pid: number; command: string }[] }).escaped_processes ?? [];
      // dash may keep `sh -c 'sleep 63N'` as the sleep's parent: both are this command's escapees.
      assert.ok(escaped.some((p) => p.command === `sleep 63${i + 1}`), `command ${i + 1}: ${JSON.stringify(escaped)}`);
      assert.ok(escaped.every((p) => p.command.endsWith(`sleep 63${i + 1}`)), `command ${i + 1}, only its own: ${JSON.stringify(escaped)}`);
      for (const p of escaped) assert.ok(!pidAlive(p.pid), `escaped pid ${p.pid} ended`);
    });
  } finally {
    for (const c of clients) await c.close();
    await server.close();
    for (let i = 1; i <= 4; i++) for (const pid of await pidsOf(['sleep', `63${i}`])) process.kill(pid, 'SIGKILL');
  }
});
