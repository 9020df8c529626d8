import { test } from 'node:test';
import assert from 'node:assert/strict';
import { superviseExecutor, type ExecutorChild } from '../../src/daemon/executor.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';

interface FakeChild extends ExecutorChild {
  die(code: number | null, signal: string | null): void;
  closed: boolean;
  signals: NodeJS.Signals[];
}

function fakeChild(pid: number, port: number): FakeChild {
  let die: (v: { code: number | null; signal: string | null }) => void = () => undefined;
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => (die = r));
  const child: FakeChild = {
    url: `ws://127.0.0.1:${port}/ws/mcp`, token: `t${pid}`, pid, exited, closed: false, signals: [],
    die: (code, signal) => die({ code, signal }),
    kill: (signal) => {
      child.signals.push(signal);
      die({ code: null, signal });
    },
    close: async () => {
      child.closed = true;
      die({ code: 0, signal: null });
    },
  };
  return child;
}

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('restarts a child that dies unexpectedly, on the same port, and counts it', async () => {
  const { log } = memoryLogger();
  const spawnedWith: (number | undefined)[] = [];
  const children: FakeChild[] = [];
  let restartsCounted = 0;
  const sup = await superviseExecutor({
    log, initialBackoffMs: 10,
    onRestart: () => (restartsCounted += 1),
    spawn: async (port) => {
      spawnedWith.push(port);
      const c = fakeChild(100 + children.length, port ?? 40123);
      children.push(c);
      return c;
    },
  });
  assert.equal(sup.target.localPid, 100);
  assert.equal(sup.up, true);
  children[0]?.die(null, 'SIGKILL');
  await until(() => !sup.up, 'the supervisor to see the child down');
  await until(() => sup.pid === 101, 'the restarted child');
  assert.equal(sup.up, true, 'up again once restarted');
  assert.deepEqual(spawnedWith, [undefined, 40123]);
  assert.equal(restartsCounted, 1);
  assert.equal(sup.restarts, 1);
  assert.equal(sup.target.url, 'ws://127.0.0.1:40123/ws/mcp');
  assert.equal(sup.target.token, 't101', 'the live target follows the new child');
  await sup.close();
  assert.equal(children[1]?.closed, true);
  assert.equal(children.length, 2, 'closing is not mistaken for a crash');
});

test('keeps retrying a failing restart with growing backoff until close()', async () => {
  const { log, lines } = memoryLogger();
  let attempts = 0;
  const first = fakeChild(1, 40000);
  const sup = await superviseExecutor({
    log, initialBackoffMs: 5, maxBackoffMs: 20, onRestart: () => undefined,
    spawn: async () => {
      attempts += 1;
      if (attempts === 1) return first;
      throw new Error('port in use');
    },
  });
  first.die(1, null);
  await until(() => attempts >= 4, 'several restart attempts');
  assert.equal(sup.pid, null);
  assert.equal(sup.up, false, 'down for as long as restarts fail');
  await sup.close();
  const after = attempts;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(attempts, after, 'no attempts after close');
  assert.ok(lines.some((l) => l.msg === 'embedded executor failed to restart'));
});

test('killNow() SIGTERMs the child at once and does not restart it', async () => {
  const { log } = memoryLogger();
  let spawned = 0;
  const first = fakeChild(7, 40500);
  const sup = await superviseExecutor({
    log, initialBackoffMs: 1, onRestart: () => assert.fail('counted as a crash'),
    spawn: async () => {
      spawned += 1;
      return first;
    },
  });
  sup.killNow();
  assert.deepEqual(first.signals, ['SIGTERM'], 'signalled synchronously');
  await first.exited;
  await sup.close();
  assert.equal(spawned, 1, 'no restart after killNow');
});
