import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MAX_DUTY, nextDelayMs } from '../../src/runner/sampler.ts';
import { TreeReader } from '../../src/runner/proctree.ts';

const GROW = fileURLToPath(new URL('../fixtures/runner/grow-on-line.py', import.meta.url));
const MiB = 1024 * 1024;

/** Resolves with the first stdout line matching `pattern`; rejects after `ms`. */
function lineMatching(child: ChildProcessWithoutNullStreams, pattern: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${ms} ms: ${out}`)), ms);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m === null) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve(m);
    };
    child.stdout.on('data', onData);
  });
}

async function withPython(args: string[], fn: (child: ChildProcessWithoutNullStreams) => Promise<void>): Promise<void> {
  const child = spawn('python3', [GROW, ...args], { stdio: 'pipe', detached: true });
  try {
    await fn(child);
  } finally {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = once(child, 'exit');
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
  }
}

test('a process whose resident pages changed is read again at once: its growth is seen within the PSS refresh', () =>
  withPython([], async (child) => {
    await lineMatching(child, /ready/);
    const reader = new TreeReader(60_000);
    const pid = child.pid as number;
    const before = reader.read(pid, 0)[0];
    assert.ok(before !== undefined && before.pssBytes !== null, 'PSS read');
    const grown = lineMatching(child, /grown/);
    child.stdin.write('grow\n');
    await grown;
    // 1 ms later: far inside the 60 s refresh, so only the change of resident pages can explain a new PSS.
    const after = reader.read(pid, 1)[0];
    assert.ok(after !== undefined && after.pssBytes !== null);
    assert.ok(after.pssBytes - (before.pssBytes ?? 0) > 60 * MiB, `PSS ${(before.pssBytes ?? 0) / MiB} → ${after.pssBytes / MiB} MiB`);
    assert.ok(after.rssBytes - before.rssBytes > 60 * MiB);
  }));

test('an unchanged process keeps its reading until the refresh, and the cache forgets processes that are gone', () =>
  withPython([], async (child) => {
    await lineMatching(child, /ready/);
    const pid = child.pid as number;
    const reader = new TreeReader(1000);
    const first = reader.read(pid, 0)[0];
    const cachedRead = reader.read(pid, 10)[0];
    assert.equal(cachedRead?.pssBytes, first?.pssBytes);
    assert.equal(reader.cached, 1);
    const exited = once(child, 'exit');
    child.stdin.end();
    await exited;
    assert.deepEqual(reader.read(pid, 20), []);
    assert.equal(reader.cached, 0);
  }));

test('a child started from a second thread is in the tree (a many-threaded process is read thread by thread)', () =>
  withPython(['thread'], async (child) => {
    const m = await lineMatching(child, /child (\d+)/);
    await lineMatching(child, /ready/);
    const kid = Number(m[1]);
    const reader = new TreeReader();
    assert.ok(reader.read(child.pid as number, 0).some((r) => r.pid === kid && r.rssBytes > 0), `sleep ${kid} in the tree of ${child.pid}`);
  }));

test('the sampler takes at most MAX_DUTY of the time: a dear reading stretches the schedule, a cheap one keeps it', () => {
  assert.equal(nextDelayMs(0, 500, 0.05), 100, 'fast schedule at the start');
  assert.equal(nextDelayMs(5000, 500, 0.05), 500, 'the interval after it');
  assert.equal(nextDelayMs(0, 500, 10), 10 / MAX_DUTY, 'a 10 ms reading waits 50 times as long');
  assert.equal(nextDelayMs(5000, 60_000, 10), 60_000, 'a long interval is kept');
});
