/**
 * One entry in the measure table is the whole of a measure: a test-only entry (output lines, which
 * no real entry judges) reaches the baseline and verdicts, the report's comparison, the gauges and
 * `compare` with no other file changed.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { comparableTests, judgeTest, measureValues } from '../../src/analysis/index.ts';
import { compare, formatComparison } from '../../src/commands/compare.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { addMeasure } from '../../src/result/measures.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { passed, REGRESSION, run, SUITE } from '../fixtures/analysis/history.ts';

const REPORTS = join(resolve(import.meta.dirname, '../..'), 'test/fixtures/analysis/reports');
let remove: () => void = () => undefined;

before(() => {
  remove = addMeasure({
    name: 'output_lines_test', unit: 'lines', bad: 'lower', floor: 5,
    value: (t) => t.output_lines,
    metric: { name: 'stressd_test_last_output_lines_test', help: 'Output lines of the latest execution (a test-only measure).' },
    words: 'output lines (test)', format: (v) => `${Math.round(v)} lines`,
  });
});
after(() => remove());

const lines = (n: number) => passed('essay', 100, { output_lines: n });
const history = [400, 410, 395, 405, 400, 398].map((n, i) => run(i, [lines(n)]));

test('the baseline and the verdict: a drop from ~400 to 100 lines is suspected', () => {
  const comparable = comparableTests(history, { suite: SUITE, testId: 'essay', command: lines(0).command, window_runs: 20 });
  assert.deepEqual(measureValues(comparable, 'output_lines_test').sort(), [395, 398, 400, 400, 405, 410]);
  const j = judgeTest(lines(100), history, { ...REGRESSION, suite: SUITE, runId: 'current' });
  const record = j.records.find((r) => r.measure === 'output_lines_test');
  assert.equal(record?.verdict, 'regressed');
  assert.deepEqual(j.suspects.map((s) => s.record.measure), ['output_lines_test']);
});

test('the report\'s comparison names it in its words and writes its values in its format', () => {
  const current = lines(100);
  const regressions = judgeTest(current, history, { ...REGRESSION, suite: SUITE, runId: 'current' }).records;
  const result = run(99, [{ ...current, regressions }]);
  assert.equal(RunResultSchema.safeParse(result).success, true, 'a RunResult with the new measure still fits the schema');
  const md = renderMarkdown(result);
  assert.match(md, /\| `essay` \| output lines \(test\) \| 100 lines \| 400 lines ± [\d.]+ lines \(6\) \|/);
  assert.match(md, /Confirmed regressions: essay output lines \(test\)/);
});

test('the gauges: its latest value per test, and its verdict and baseline series', async () => {
  const metrics = createMetrics({ collectDefaults: false });
  const current = lines(100);
  const result = run(99, [{ ...current, regressions: judgeTest(current, history, { ...REGRESSION, suite: SUITE, runId: 'current' }).records }]);
  metrics.onRunStart(result);
  for (const t of result.tests) metrics.onTestEnd(result.suite, t);
  metrics.onRunEnd(result);
  const text = (await metrics.metricsResponse(undefined)).body;
  assert.match(text, /# HELP stressd_test_last_output_lines_test Output lines of the latest execution/);
  assert.match(text, /stressd_test_last_output_lines_test\{suite="demo",test="essay"\} 100\n/);
  assert.match(text, /stressd_test_regressed\{suite="demo",test="essay",measure="output_lines_test"\} 1/);
  assert.match(text, /stressd_test_baseline\{suite="demo",test="essay",measure="output_lines_test"\} 400/);
});

test('compare: against the baseline and against another run, with its unit', async () => {
  const c = await compare({ a: 'latest', reportsDir: REPORTS });
  const row = c.rows.find((r) => r.test === 'essay' && r.measure === 'output_lines_test');
  assert.equal(row?.verdict, 'unchanged');
  assert.match(row?.why ?? '', /below the absolute floor: \|change\| 0 lines ≤ 5 lines/);
  assert.match(formatComparison(c), /essay\s+output_lines_test \[lines\]\s+40\.0 ± 0\.000 \(6\)\s+40\.0/);
  const pair = await compare({ a: '20261130T000600Z-0006', b: '20261130T000000Z-0000', reportsDir: REPORTS });
  assert.ok(pair.rows.some((r) => r.measure === 'output_lines_test' && r.other === 40));
});
