/**
 * A `setsid` escapee under the real daemon and the embedded executor (DESIGN section 12): the
 * test's command starts a child in a session of its own that outlives it. The executor finds it by
 * its run mark and ends it; the record keeps it — the TestResult, the JSON report on disk, the
 * markdown report, /api/runs/:id, the status page and stressd_test_escaped_processes all name it.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/result/types.ts';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';

const SUITE = 'daemon_escapee';
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];
const pids: number[] = [];

after(async () => {
  for (const d of daemons) await d.stop();
  // The executor ends the escapee; should it not have, it goes here, by its own pid only.
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone: what the executor promises
    }
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('a setsid child that outlives its command is in the TestResult, both reports, the API, the page and the gauge', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-escapee-'));
  dirs.push(dir);
  const config = join(dir, 'suite.json');
  const reportsDir = join(dir, 'reports');
  await writeFile(config, JSON.stringify({
    suite: SUITE, executor: 'embedded', pause_between_tests: 0, sample_interval_ms: 100, timeout: 30,
    tests: [{ id: 'leaves', name: 'Leaves a child', command: '(setsid sleep 6231 &); echo left behind', expected_patterns: ['left behind'] }],
  }));
  const d = spawnDaemon(['--config', config, '--reports-dir', reportsDir, '--run-on-start']);
  daemons.push(d);
  await d.ready;
  const summary = await waitFor(async () => (await getJson<RunSummary[]>(`${d.url}/api/runs`)).body.find((r) => r.status !== 'running'), 'the run at start', 60_000);
  const run = (await getJson<RunResult>(`${d.url}/api/runs/${summary.id}`)).body;
  const leaves = run.tests[0] ?? assert.fail('no test result');
  const escaped = leaves.escaped_processes ?? assert.fail('no escaped_processes in the API');
  pids.push(...escaped.map((p) => p.pid));
  assert.equal(escaped.length, 1, JSON.stringify(escaped));
  const [escapee] = escaped;
  assert.ok(escapee && escapee.pid > 0);
  assert.match(escapee.command, /sleep 6231/);
  assert.equal(leaves.outcome, 'passed', 'the escape is recorded, not a failure of the test');
  await waitFor(() => !alive(escapee.pid), `the escapee ${escapee.pid} ended by the executor`, 10_000);

  const json = JSON.parse(await readFile(join(reportsDir, SUITE, `${run.id}.json`), 'utf8')) as RunResult;
  assert.deepEqual(json.tests[0]?.escaped_processes, escaped, 'the JSON on disk');
  const md = await readFile(join(reportsDir, SUITE, `${run.id}.md`), 'utf8');
  const row = md.split('\n').find((l) => l.includes('Escaped processes')) ?? assert.fail('no Escaped processes row in the report');
  assert.ok(row.includes(String(escapee.pid)), row);
  assert.match(row, /sleep 6231/);

  const html = await (await fetch(`${d.url}/`, { headers: { accept: 'text/html' } })).text();
  assert.match(html, /<code>leaves<\/code> <span class="o-timeout" title="[^"]*sleep 6231[^"]*">1 escaped process<\/span>/);
  assert.ok(html.includes(`title="${escapee.pid} `), 'the pid in the tooltip');

  const series = samples(parsePromText(await (await fetch(`${d.url}/metrics`)).text()), 'stressd_test_escaped_processes', { suite: SUITE, test: 'leaves' });
  assert.equal(series.length, 1);
  assert.equal(series[0]?.value, 1);
});
