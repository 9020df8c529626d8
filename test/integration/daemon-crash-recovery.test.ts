/**
 * A daemon SIGKILLed mid-run (DESIGN section 13): after a restart on the same reports dir the run
 * is in history as aborted, "stopped unexpectedly", with the test it finished, the test it was in
 * cut short and the rest not_run; JSON, markdown, API and /metrics agree on every total; and the
 * metrics it restores fire no alert (promtool evaluates the project's rules on the scrapes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/result/types.ts';
import { getJson, pidsOf, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { inputSeries, promtoolTest } from '../fixtures/daemon/promtool-series.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';
import { requireTool } from '../fixtures/tools.ts';
import { ruleFiles } from '../ops/ops-files.ts';

const SUITE = 'crash_check';
const SLEEP = ['sleep', '419.17'];

/** Four tests of 3,000+ bytes each; `second` sleeps first while the marker file exists. */
function suiteConfig(marker: string): string {
  const bytes = (c: string, id: string) => `head -c 3000 /dev/zero | tr '\\000' ${c}; echo; echo done-${id}`;
  const tests = [
    { id: 'first', name: 'First', command: bytes('a', 'first'), expected_patterns: ['done-first'] },
    { id: 'second', name: 'Second', command: `if [ -e ${marker} ]; then ${SLEEP.join(' ')}; fi; ${bytes('b', 'second')}`, expected_patterns: ['done-second'] },
    { id: 'third', name: 'Third', command: bytes('c', 'third'), expected_patterns: ['done-third'] },
    { id: 'fourth', name: 'Fourth', command: bytes('d', 'fourth'), expected_patterns: ['done-fourth'] },
  ];
  return JSON.stringify({ suite: SUITE, executor: 'embedded', pause_between_tests: 0, sample_interval_ms: 200, timeout: 600, tests });
}

async function text(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  return res.text();
}

async function readRun(path: string): Promise<RunResult> {
  return JSON.parse(await readFile(path, 'utf8')) as RunResult;
}

/** A SIGKILLed daemon leaves its executor and the test's command behind: end them here. */
async function killLeftovers(d: DaemonProcess): Promise<void> {
  const executorPid = Number(d.logs.find((l) => l.msg === 'embedded executor started')?.executorPid);
  for (const pid of [...(executorPid > 0 ? [executorPid] : []), ...(await pidsOf(SLEEP))]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('a run SIGKILLed mid-run is aborted after the restart, its totals agree everywhere, and it fires no alert', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-crash-'));
  const reports = join(dir, 'reports');
  const marker = join(dir, 'slow');
  const config = join(dir, 'suite.json');
  await writeFile(config, suiteConfig(marker));
  const args = ['--config', config, '--reports-dir', reports, '--host', '127.0.0.1'];
  const first = spawnDaemon([...args, '--run-on-start']);
  let second: (DaemonProcess & { ready: Promise<void> }) | null = null;
  try {
    // A healthy run first: the gauges an aborted run must not move.
    await first.ready;
    const firstUrl = `${first.url.replace(/\/$/, '')}/`;
    await first.waitLog((l) => l.msg === 'run ended', 'the first run to end', 60_000);
    const before = await text(`${firstUrl}metrics`);
    assert.equal(valueOf(parsePromText(before), 'stressd_run_last_graduated', { suite: SUITE }), 1);

    // The second run: `first` ends, `second` sleeps, and the daemon is killed under it.
    await writeFile(marker, '');
    const started = await getJson<{ id: string }>(`${firstUrl}api/runs`, { method: 'POST' });
    assert.equal(started.status, 202);
    const runId = started.body.id;
    const jsonPath = join(reports, SUITE, `${runId}.json`);
    const journal = await waitFor(async () => {
      try {
        const run = await readRun(jsonPath);
        return run.tests.length === 1 && run.journal?.current_test?.id === 'second' ? run : null;
      } catch {
        return null;
      }
    }, 'the journal to show the first test ended and the second in flight', 30_000);
    assert.equal(journal.status, 'running');
    first.child.kill('SIGKILL');
    await first.exited;
    await killLeftovers(first);
    assert.equal((await readRun(jsonPath)).status, 'running', 'the journal is all that is left');

    const restarted = spawnDaemon(args);
    second = restarted;
    await restarted.ready;
    const url = `${restarted.url.replace(/\/$/, '')}/`;

    // The API: the run is there, aborted with its cause, counting the whole suite.
    const list = await getJson<{ id: string; status: string; abort_cause: string | null; tests_total: number; tests_passed: number }[]>(`${url}api/runs`);
    const summary = list.body.find((r) => r.id === runId);
    assert.deepEqual(summary && [summary.status, summary.abort_cause, summary.tests_total, summary.tests_passed], ['aborted', 'stopped unexpectedly', 4, 1]);
    const api = (await getJson<RunResult>(`${url}api/runs/${runId}`)).body;
    assert.deepEqual(api.tests.map((t) => [t.id, t.outcome, t.reason]), [['first', 'passed', null], ['second', 'error', 'aborted'], ['third', 'not_run', 'aborted'], ['fourth', 'not_run', 'aborted']]);
    assert.equal(api.tests_total, api.tests.length);

    // The JSON on disk is the same run, and so is the markdown.
    const onDisk = await readRun(jsonPath);
    assert.deepEqual([onDisk.status, onDisk.abort_cause, onDisk.tests_total, onDisk.tests_passed, onDisk.journal], ['aborted', 'stopped unexpectedly', 4, 1, undefined]);
    const markdown = await readFile(join(reports, SUITE, `${runId}.md`), 'utf8');
    assert.match(markdown, /4 total: 1 passed, 0 failed, 0 timeouts, 0 errors, 1 aborted, 2 not run/);
    assert.match(markdown, /50\.0% \(1\/2 that ran\)/);
    assert.equal(await text(`${url}api/runs/${runId}/report`), markdown);

    // /metrics: the abort is counted; the gauges still describe the last run that finished.
    const after = await text(`${url}metrics`);
    const exp = parsePromText(after);
    assert.equal(valueOf(exp, 'stressd_runs_total', { suite: SUITE, result: 'aborted' }), 1);
    assert.equal(valueOf(exp, 'stressd_run_last_graduated', { suite: SUITE }), 1);
    assert.equal(valueOf(exp, 'stressd_run_last_success_ratio', { suite: SUITE }), valueOf(parsePromText(before), 'stressd_run_last_success_ratio', { suite: SUITE }));
    assert.equal(samples(exp, 'stressd_test_runs_total', { outcome: 'not_run' }).length, 0);
    const beforeSecond = valueOf(parsePromText(before), 'stressd_test_last_output_bytes', { suite: SUITE, test: 'second' });
    assert.equal(valueOf(exp, 'stressd_test_last_output_bytes', { suite: SUITE, test: 'second' }), beforeSecond);
    assert.ok(beforeSecond > 1024, 'big enough for StressdTestOutputShrinking to look at it');

    // The project's alert rules on what the two daemons exported: ten minutes before, twenty after.
    const promtool = requireTool('promtool');
    if (promtool === undefined) return;
    const result = await promtoolTest(promtool, dir, {
      interval: '1m',
      input_series: inputSeries([{ body: before, minutes: 10 }, { body: after, minutes: 20 }]),
      alert_rule_test: ['StressdRunNotGraduated', 'StressdTestOutputShrinking', 'StressdTestFailingRepeatedly'].map((alertname) => ({ eval_time: '28m', alertname, exp_alerts: [] })),
      promql_expr_test: [
        // The inputs are live: the series the alerts read are there with the values above.
        { expr: `stressd_run_last_graduated{suite="${SUITE}"}`, eval_time: '28m', exp_samples: [{ labels: `stressd_run_last_graduated{instance="stressd:9464", job="stressd", suite="${SUITE}"}`, value: 1 }] },
        { expr: `stressd_test_last_output_bytes{test="second"}`, eval_time: '28m', exp_samples: [{ labels: `stressd_test_last_output_bytes{instance="stressd:9464", job="stressd", suite="${SUITE}", test="second"}`, value: beforeSecond }] },
      ],
    }, ruleFiles());
    assert.equal(result.code, 0, result.output);
  } finally {
    await first.stop(2_000);
    await killLeftovers(first);
    await second?.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
