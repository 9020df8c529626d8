/**
 * History on disk may hold runs of suites and tests that the current config no longer has; the
 * daemon restores gauges only for its own suite and tests, so retired ones cannot alert forever.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runResult, testResult } from '../fixtures/daemon/results.ts';
import { spawnDaemon, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';

const CONFIG = 'test/fixtures/daemon/quick.json';
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];

after(async () => {
  for (const d of daemons) await d.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function writeRun(reportsDir: string, run: ReturnType<typeof runResult>): Promise<void> {
  await mkdir(join(reportsDir, run.suite), { recursive: true });
  await writeFile(join(reportsDir, run.suite, `${run.id}.json`), JSON.stringify(run));
}

test('restores gauges only for the configured suite and its current tests, not for retired ones found on disk', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-history-scope-'));
  dirs.push(reportsDir);
  await writeRun(reportsDir, runResult({
    id: '20261124T090000Z-aaaa', suite: 'retired_suite', graduated: false,
    tests: [testResult({ id: 'old_test', outcome: 'failed', reason: 'exit_nonzero' })],
  }));
  await writeRun(reportsDir, runResult({
    id: '20261124T100000Z-bbbb', suite: 'daemon_quick',
    tests: [testResult({ id: 'hello' }), testResult({ id: 'retired_test', outcome: 'failed', reason: 'exit_nonzero' })],
  }));
  const d = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir]);
  daemons.push(d);
  await d.ready;
  const expo = parsePromText(await (await fetch(`${d.url}/metrics`)).text());
  const success = samples(expo, 'stressd_test_last_success').map((s) => `${s.labels.suite}/${s.labels.test}`);
  assert.deepEqual(success, ['daemon_quick/hello']);
  const graduated = samples(expo, 'stressd_run_last_graduated').map((s) => s.labels.suite);
  assert.deepEqual(graduated, ['daemon_quick']);
});
