/**
 * `stressd compare latest` judges as the run did: a real run of a suite with its own regression
 * settings ({"model": "iqr", "min_change": 0.3}), reviewed against a history written to disk,
 * then the CLI asked about it. Every measure's verdict must be the one stored in the run; the
 * output-size drop of 20 % must be `unchanged` with the relative floor named, where the defaults
 * (min_change 10 %) would have called it a regression.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareWithBaseline } from '../../src/analysis/index.ts';
import { createReview } from '../../src/commands/review.ts';
import { RegressionSchema } from '../../src/config/schema.ts';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { writeReport } from '../../src/report/writer.ts';
import type { RunResult } from '../../src/result/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import { passed, run as historyRun } from '../fixtures/analysis/history.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { stressdCli } from '../fixtures/stressd-run.ts';

let executor: ExecutorServer;
let dir: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'stressd-compare-settings-'));
});
after(async () => {
  await executor.close();
  await rm(dir, { recursive: true, force: true });
});

function cli(args: string[]): ReturnType<typeof stressdCli> {
  return stressdCli('compare', [...args, '--reports-dir', dir]);
}

/** Prints `bytes` bytes of "x" and a newline. */
const print = (bytes: number): string => `head -c ${bytes} /dev/zero | tr '\\0' x; echo`;

test('compare latest prints the verdict per measure that the run stored, judged with the suite\'s own settings', async () => {
  const cmds = { fifth: print(100_000), half: print(100_000) };
  // Six earlier runs: "fifth" printed 125 000 bytes (now 20 % less), "half" 200 000 (now 50 % less).
  const history: RunResult[] = Array.from({ length: 6 }, (_, i) => historyRun(i, [
    passed('fifth', 0.1, { command: cmds.fifth, output_bytes: 125_000 }),
    passed('half', 0.1, { command: cmds.half, output_bytes: 200_000 }),
  ], { suite: 'itest' }));
  for (const r of history) await writeReport(r, dir);
  const suite = makeSuite([{ id: 'fifth', command: cmds.fifth }, { id: 'half', command: cmds.half }], { regression: { model: 'iqr', min_change: 0.3 } });
  const result = await startRun({ suite, executor: { url: executor.url, localPid: process.pid }, reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }).done;
  await writeReport(result, dir);
  assert.deepEqual(result.regression_settings, { window_runs: 50, min_runs: 5, min_change: 0.3, confirm_reruns: 3, model: 'iqr', pressure_wait_seconds: 0 });

  const r = await cli(['latest', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as { settings: { model: string }; rows: { test: string; measure: string; verdict: string; why: string | null }[] };
  assert.equal(c.settings.model, 'iqr');
  const stored = result.tests.flatMap((t) => (t.regressions ?? []).map((x) => `${t.id} ${x.measure} ${x.verdict}`));
  assert.ok(stored.length >= 4, `the run was judged: ${stored.join('; ')}`);
  assert.deepEqual(c.rows.map((x) => `${x.test} ${x.measure} ${x.verdict}`), stored);

  const row = (test: string) => c.rows.find((x) => x.test === test && x.measure === 'output_bytes');
  assert.equal(row('fifth')?.verdict, 'unchanged');
  assert.match(row('fifth')?.why ?? '', /below the relative floor: \|change\| 20\.0% ≤ min_change 30\.0%/);
  assert.equal(row('half')?.verdict, 'regressed', 'a 50 % drop confirmed by its re-run');

  // The same run judged with the defaults would have said otherwise: the settings matter.
  const withDefaults = compareWithBaseline(result, history, RegressionSchema.parse({}));
  assert.notEqual(withDefaults.find((x) => x.test === 'fifth' && x.measure === 'output_bytes')?.verdict, 'unchanged');

  const table = await cli(['latest']);
  assert.match(table.stdout, /against its baseline \(judged with model iqr, min_change 30\.0%/);
  assert.match(table.stdout, /fifth\s+output_bytes \[B\].*unchanged\s+below the relative floor/);
});
