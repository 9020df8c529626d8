/** The real daemon under stress: SIGTERM during a test, and its executor killed mid-test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import type { RunResult } from '../../src/result/types.ts';
import { getJson, pidsOf, spawnDaemon, waitFor } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, valueOf } from '../fixtures/prom-text.ts';
import { sleepyDaemon } from '../fixtures/daemon/sleepy-daemon.ts';

async function alive(pid: number): Promise<boolean> {
  try {
    await access(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

test('SIGTERM during a test: exit 0 within 15 s, a partial report with status aborted, no process left behind', async () => {
  const { d, reportsDir, executorPid, sleepPid, cleanup } = await sleepyDaemon('stressd-daemon-term-');
  try {
    const sentAt = Date.now();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    const tookMs = Date.now() - sentAt;
    assert.equal(code, 0, d.stderr());
    assert.ok(tookMs < 15_000, `exited after ${tookMs} ms`);

    const files = (await readdir(join(reportsDir, 'daemon_sleepy'))).filter((f) => f.endsWith('.json') && f !== 'latest.json');
    assert.equal(files.length, 1, files.join(', '));
    const run = JSON.parse(await readFile(join(reportsDir, 'daemon_sleepy', files[0] ?? ''), 'utf8')) as RunResult;
    assert.equal(run.status, 'aborted');
    assert.equal(run.tests[0]?.outcome, 'error');
    assert.ok(files.includes(`${run.id}.json`) && (await readdir(join(reportsDir, 'daemon_sleepy'))).includes(`${run.id}.md`));

    await waitFor(async () => !(await alive(sleepPid)) && !(await alive(executorPid)), 'the test command and the executor to be gone', 3_000);
    assert.deepEqual(await pidsOf(['sleep', '317']), []);
    const order = d.logs.map((l) => l.msg).filter((m) => ['shutting down', 'aborting the run in flight', 'run ended', 'stopped'].includes(String(m)));
    assert.deepEqual(order, ['shutting down', 'aborting the run in flight', 'run ended', 'stopped']);
  } finally {
    await cleanup();
  }
});

test('a second signal during the shutdown exits 1 at once, still telling the executor to end its commands', async () => {
  const { d, executorPid, sleepPid, cleanup } = await sleepyDaemon('stressd-daemon-twice-');
  try {
    // Back to back, so the second lands while the graceful shutdown (abort, report, close) is still going.
    const sentAt = Date.now();
    d.child.kill('SIGTERM');
    d.child.kill('SIGINT');
    const { code } = await d.exited;
    assert.equal(code, 1);
    assert.ok(Date.now() - sentAt < 2_000, 'exited at once');
    const order = d.logs.map((l) => l.msg).filter((m) => m === 'shutting down' || m === 'second signal: exiting at once' || m === 'stopped');
    assert.deepEqual(order, ['shutting down', 'second signal: exiting at once']);
    await waitFor(async () => !(await alive(sleepPid)) && !(await alive(executorPid)), 'the executor and its command to be gone', 10_000);
  } finally {
    await cleanup();
  }
});

test('survives its executor being killed mid-test: that test is an error, the executor comes back, the next run passes', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-daemon-crash-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/short-sleep.json', '--reports-dir', reportsDir]);
  try {
    await d.ready;
    const firstPid = Number((await d.waitLog((l) => l.msg === 'embedded executor started', 'the executor')).executorPid);
    const first = await getJson<{ id: string }>(`${d.url}/api/runs`, { method: 'POST' });
    assert.equal(first.status, 202);
    await waitFor(async () => (await pidsOf(['sleep', '3.17'])).length > 0, 'the test command to run');
    process.kill(firstPid, 'SIGKILL');
    // Readiness = can run tests now: 503 with the reason until the executor is back (250 ms backoff + a child start).
    const down = await waitFor(async () => {
      const r = await getJson<{ why?: string }>(`${d.url}/readyz`);
      return r.status === 503 ? r.body : null;
    }, '/readyz to say the executor is down', 5_000);
    assert.match(String(down.why), /embedded executor is down/);

    const crashed = await waitFor(async () => {
      const { body } = await getJson<RunResult>(`${d.url}/api/runs/${first.body.id}`);
      return body.status !== 'running' ? body : null;
    }, 'the run in flight to end');
    assert.equal(crashed.tests[0]?.outcome, 'error', JSON.stringify(crashed.tests[0]?.reason));
    const restarted = await d.waitLog((l) => l.msg === 'embedded executor restarted', 'the executor restart');
    assert.notEqual(Number(restarted.executorPid), firstPid);
    assert.equal((await fetch(`${d.url}/readyz`)).status, 200, 'ready again once the executor is back');

    // A run the API no longer calls running is recorded: a new trigger is accepted at once.
    const second = await getJson<{ id: string }>(`${d.url}/api/runs`, { method: 'POST' });
    assert.equal(second.status, 202);
    const passed = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
      return body.find((r) => r.id === second.body.id && r.status !== 'running');
    }, 'the next run to finish');
    assert.deepEqual([passed.status, passed.tests_passed, passed.tests_total], ['finished', 1, 1]);
    const expo = parsePromText(await (await fetch(`${d.url}/metrics`)).text());
    assert.equal(valueOf(expo, 'stressd_executor_restarts_total'), 1);
  } finally {
    await d.stop();
    await rm(reportsDir, { recursive: true, force: true });
  }
});
