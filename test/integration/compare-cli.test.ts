import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { stressdCli } from '../fixtures/stressd-run.ts';

const REPO = resolve(import.meta.dirname, '../..');
// Seven runs of suite "demo" written by test/fixtures/analysis/history.ts's builder; the newest one's
// "essay" took 140 s against about 100 s before. Plus one file that is not a RunResult.
const REPORTS = join(REPO, 'test/fixtures/analysis/reports');

function cli(args: string[]): ReturnType<typeof stressdCli> {
  return stressdCli('compare', [...args, '--reports-dir', REPORTS]);
}

test('compare latest against its baseline prints a table with the regressed duration', async () => {
  const r = await cli(['latest']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /demo: run 20261130T000600Z-0006 against its baseline/);
  assert.match(r.stdout, /essay\s+duration \[s\]\s+100\.5 ± \S+ \(6\)\s+140\.0\s+\+39\.3%\s+\S+\s+regressed/);
  assert.match(r.stdout, /checklist\s+duration \[s\].*unchanged/);
  assert.match(r.stderr, /skipped .*not-a-run\.json: not a RunResult/);
});

test('compare A B --json gives the change per test and measure between two runs', async () => {
  const r = await cli(['20261130T000600Z-0006', '20261130T000000Z-0000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(r.stdout) as { a: string; b: string; rows: { test: string; measure: string; value: number; other: number; change: number; verdict: string }[] };
  assert.deepEqual([c.a, c.b], ['20261130T000600Z-0006', '20261130T000000Z-0000']);
  const row = c.rows.find((x) => x.test === 'essay' && x.measure === 'duration');
  assert.deepEqual([row?.other, row?.value, row?.verdict], [100, 140, 'regressed']);
  assert.ok(Math.abs((row?.change ?? 0) - 0.4) < 1e-9);
});

test('an unknown run is bad input: exit 2 naming it', async () => {
  const r = await cli(['20991231T000000Z-dead']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /run "20991231T000000Z-dead" not found in .*reports/);
});
