/**
 * Regression verdicts end to end: a history built from fixtures, a real runner and embedded executor, and
 * commands that read a counter file to be slow on some runs. A test slow on its run AND its re-run
 * is a confirmed regression; one slow only on its first run is dismissed as noise; one as fast as
 * ever is unchanged. Then the budget: past max_cost_usd_per_run no new test starts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import { createReview } from '../../src/commands/review.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import type { RunResult } from '../../src/result/types.ts';
import { makeSuite, recordEvents } from '../fixtures/runner/suite.ts';
import { counted, durationOf } from '../fixtures/runner/reruns.ts';
import { passed, run as historyRun } from '../fixtures/analysis/history.ts';

let executor: ExecutorServer;
let dir: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'stressd-regression-'));
});
after(async () => {
  await executor.close();
  await rm(dir, { recursive: true, force: true });
});

const target = () => ({ url: executor.url, localPid: process.pid });

test('a slowdown confirmed by its re-run is regressed, one the re-run does not repeat is noise', async () => {
  const cmds = {
    slower: counted(join(dir, 'slower.count'), '[ $n -ge 1 ]'),
    blip: counted(join(dir, 'blip.count'), '[ $n -eq 1 ]'),
    steady: 'echo steady',
  };
  // Six earlier passed runs of the same commands, each around 0.1 s.
  const history: RunResult[] = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1].map((d, i) =>
    historyRun(i, [passed('slower', d, { command: cmds.slower }), passed('blip', d, { command: cmds.blip }), passed('steady', d, { command: cmds.steady })], { suite: 'itest' }),
  );
  const suite = makeSuite(
    [{ id: 'slower', command: cmds.slower }, { id: 'blip', command: cmds.blip }, { id: 'steady', command: cmds.steady }],
    { regression: { window_runs: 20, min_runs: 5, min_change: 0.1, confirm_reruns: 1, model: 'mad' } },
  );
  const handle = startRun({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) });
  const events = recordEvents(handle);
  const result = await handle.done;
  assert.ok(RunResultSchema.safeParse(result).success, 'the RunResult with re-runs still fits the schema');
  const byId = new Map(result.tests.map((t) => [t.id, t]));

  const slower = durationOf(byId.get('slower'));
  assert.equal(slower.verdict, 'regressed');
  assert.equal(slower.reruns?.length, 1);
  assert.ok((slower.reruns?.[0] ?? 0) > 1.5, `re-run took ${slower.reruns?.[0]}`);
  assert.equal(slower.baseline?.n, 6);

  const blip = durationOf(byId.get('blip'));
  assert.equal(blip.verdict, 'noise');
  assert.ok((blip.reruns?.[0] ?? 99) < 1, `the re-run was fast: ${blip.reruns?.[0]}`);
  assert.equal(durationOf(byId.get('steady')).verdict, 'unchanged');

  // The re-runs: in the result, marked, with their own logs; the tests themselves are unchanged.
  assert.deepEqual(result.reruns?.map((r) => r.rerun_of), ['slower', 'blip']);
  assert.notEqual(result.reruns?.[0]?.log_path, byId.get('slower')?.log_path);
  assert.equal(result.tests_total, 3);
  assert.equal(result.tests_passed, 3);
  const starts = events.filter(([n]) => n === 'test:start').map(([, p]) => (p as { rerun_of?: string }).rerun_of ?? null);
  assert.deepEqual(starts, [null, null, null, 'slower', 'blip']);

  // Graduation over runs: six graduated earlier runs and this one.
  assert.equal(result.success_ratio?.runs, 7);
  assert.equal(result.success_ratio?.ratio, null);
  assert.match(result.success_ratio?.text ?? '', /^Success\/Failure ratio 7:0 over 7 runs — ratio not met, needs 10:1 over at least 11 runs$/);

  // Everywhere it shows: metrics and the report.
  const metrics = createMetrics({ collectDefaults: false });
  metrics.onRunStart(result);
  for (const t of [...result.tests, ...(result.reruns ?? [])]) metrics.onTestEnd(result.suite, t);
  metrics.onRunEnd(result);
  const text = (await metrics.metricsResponse(undefined)).body;
  assert.match(text, /stressd_test_regressed\{suite="itest",test="slower",measure="duration"\} 1/);
  assert.match(text, /stressd_test_regressed\{suite="itest",test="blip",measure="duration"\} 0/);
  assert.match(text, /stressd_test_baseline\{suite="itest",test="slower",measure="duration"\} 0\.1/);
  assert.match(text, /stressd_suite_success_failure_ratio\{suite="itest"\} \+Inf/);
  assert.match(text, /stressd_suite_graduated\{suite="itest"\} 0/);
  // The re-run did not move the test's last duration (the test's own run did).
  const last = /stressd_test_last_duration_seconds\{suite="itest",test="blip"\} ([\d.]+)/.exec(text);
  assert.ok(Number(last?.[1]) > 1.5, `last duration of blip: ${last?.[1]}`);
  const md = renderMarkdown(result);
  assert.match(md, /## Compared with the baseline/);
  assert.match(md, /\*\*Confirmed regressions: slower duration, slower first output\.\*\*/);
  assert.match(md, /noise \(re-runs did not confirm\)/);
});

test('past max_cost_usd_per_run no new test starts: not_run, reason budget', async () => {
  const costly = `echo '{"type":"result","subtype":"success","is_error":false,"result":"ok","total_cost_usd":0.6}'`;
  const suite = makeSuite([{ id: 'a', command: costly }, { id: 'b', command: costly }, { id: 'c', command: costly }], {
    budget: { max_cost_usd_per_run: 1, max_cost_usd_per_day: null },
  });
  const handle = startRun({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => [] }) });
  const result = await handle.done;
  assert.deepEqual(result.tests.map((t) => [t.id, t.outcome, t.reason]), [['a', 'passed', null], ['b', 'passed', null], ['c', 'not_run', 'budget']]);
  assert.match(result.tests[2]?.reason_detail ?? '', /run budget \$1\.00 spent \(\$1\.20 so far\)/);
  assert.equal(result.budget?.exhausted_by, 'run');
  assert.ok(Math.abs((result.budget?.run_cost_usd ?? 0) - 1.2) < 1e-9);
  assert.equal(result.graduated, false);

  const metrics = createMetrics({ collectDefaults: false });
  metrics.onRunEnd(result);
  const text = (await metrics.metricsResponse(undefined)).body;
  assert.match(text, /stressd_budget_exhausted\{suite="itest"\} 1/);
  assert.match(text, /stressd_run_cost_usd_total\{suite="itest"\} 1\.2/);
  assert.match(renderMarkdown(result), /Budget exhausted \(run\)/);
});
