import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { once } from 'node:events';
import { ResourceSampler } from '../../src/runner/sampler.ts';
import { rssBytesSync, TreeReader } from '../../src/runner/proctree.ts';

/** The pids of a tree, root first, as the sampler's walk finds them. */
const treeOf = (pid: number): number[] => new TreeReader().read(pid, 0).map((r) => r.pid);

async function withShell(script: string, fn: (child: ChildProcess) => Promise<void>): Promise<void> {
  const child = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
  try {
    await fn(child);
  } finally {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
      await once(child, 'exit');
    }
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T | null>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the process tree of a shell includes its grandchildren', () =>
  withShell('sleep 5 & sleep 5 & (sleep 5; true) ; wait', async (child) => {
    const tree = await waitFor('four processes', async () => {
      const t = treeOf(child.pid ?? -1);
      return t.length >= 4 ? t : null;
    });
    assert.equal(tree[0], child.pid);
  }));

test('a vanished pid has an empty tree', async () => {
  assert.deepEqual(treeOf(2 ** 22 + 12345), []);
});

test('peak CPU sums the tree: a child burning a core for 1.5 s has a CPU peak (its size depends on the machine\'s load)', () =>
  withShell(`${process.execPath} -e "const e=Date.now()+1500;while(Date.now()<e);"; true`, async (child) => {
    const s = new ResourceSampler({ intervalMs: 200, localPid: process.pid });
    s.setRoot(child.pid ?? -1);
    await once(child, 'exit');
    const peaks = await s.stop();
    assert.equal(peaks.measured, true);
    if (!peaks.measured) return;
    assert.ok((peaks.peak_cpu_ratio ?? 0) > 0.02, `peak cpu ${peaks.peak_cpu_ratio}`);
    assert.ok(peaks.samples >= 3);
    assert.ok((peaks.executor_peak_memory_bytes ?? 0) > 10 * 1024 * 1024);
  }));

test('a process killed the instant its pid is known still has a memory peak (the first reading is taken at once)', async () => {
  const child = spawn('/bin/sh', ['-c', 'sleep 5'], { stdio: 'ignore' });
  const exited = once(child, 'exit');
  const s = new ResourceSampler({ intervalMs: 1000, localPid: process.pid });
  s.setRoot(child.pid ?? -1);
  child.kill('SIGKILL');
  await exited;
  const peaks = await s.stop();
  assert.equal(peaks.measured, true, JSON.stringify(peaks));
  if (!peaks.measured) return;
  assert.ok(peaks.peak_memory_bytes > 0, `peak memory ${peaks.peak_memory_bytes}`);
  assert.ok((peaks.executor_peak_memory_bytes ?? 0) > 10 * 1024 * 1024);
});

test('the synchronous reading sees the tree and its resident memory; a vanished pid has none', () =>
  withShell('sleep 5 & wait', async (child) => {
    const tree = await waitFor('the shell and its sleep', async () => {
      const t = treeOf(child.pid ?? -1);
      return t.length >= 2 ? t : null;
    });
    assert.equal(tree[0], child.pid);
    for (const pid of tree) assert.ok((rssBytesSync(pid) ?? 0) > 0, `rss of ${pid}`);
    assert.deepEqual(treeOf(2 ** 22 + 12345), []);
    assert.equal(rssBytesSync(2 ** 22 + 12345), null);
  }));

test('a remote executor gives measured: false with the reason, never zeros', async () => {
  const s = new ResourceSampler({ intervalMs: 100, localPid: null });
  s.setRoot(process.pid);
  assert.deepEqual(await s.stop(), { measured: false, why: 'the executor is remote: its processes are not on this host' });
});

test('stopping leaves no timer and no open file descriptor', async () => {
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  await withShell('sleep 2', async (child) => {
    const s = new ResourceSampler({ intervalMs: 100, localPid: process.pid });
    s.setRoot(child.pid ?? -1);
    await waitFor('a sample', async () => (s.peaks().measured ? true : null));
    await s.stop();
    await s.stop();
  });
  await waitFor('fds closed', async () => (fds() <= before ? true : null), 6000);
});
