/** The report shows the host pressure read around each test, and a verdict the pressure left open says so with the reason. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testSection } from '../../src/report/test-section.ts';
import { baselineSection } from '../../src/report/baseline-section.ts';
import { testResult } from '../fixtures/run-result.ts';
import type { HostPressure, RegressionRecord, RunResult } from '../../src/result/types.ts';
import { runResult } from './run-result.ts';

const row = (md: string, name: string): string | undefined => md.split('\n').find((l) => l.startsWith(`| **${name}** |`));

const busy: HostPressure = { source: 'psi', cpu_some_share: 0.62, memory_some_share: 0.01, load_per_core: 3.5, steal_share: 0, under_pressure: true, reason: "CPU pressure 62 % of the test's time" };
const calmNoPsi: HostPressure = { source: 'loadavg', cpu_some_share: null, memory_some_share: null, load_per_core: 0.4, steal_share: 0.02, under_pressure: false, reason: null };
const open: RegressionRecord = {
  measure: 'duration', value: 130, baseline: { median: 100, spread: 5, n: 50 }, change: 0.3, score: 2, verdict: 'inconclusive', reruns: [131, 129, 133], evidence: 3.1,
  reason: "4 of 4 value(s) measured with the host under pressure (CPU pressure 62 % of the test's time): they cannot confirm a regression, and the rest did not decide",
};

test('a test measured under pressure shows the PSI figures and the reason, and its inconclusive verdict the pressure that held it', () => {
  const md = testSection(testResult({ host_pressure: busy, regressions: [open] }), 0);
  const p = row(md, 'Host pressure') ?? '';
  assert.match(p, /\*\*under pressure: CPU pressure 62 % of the test's time\*\*/);
  assert.match(p, /PSI: CPU some 62\.0 % of the test's time, memory some 1\.0 %, load 3\.50 per core, steal 0\.0 %/);
  const inc = row(md, 'Inconclusive') ?? '';
  assert.match(inc, /duration/i);
  assert.match(inc, /measured with the host under pressure \(CPU pressure 62 %/);
});

test('without PSI the row says what was read instead; a calm host has no inconclusive row', () => {
  const md = testSection(testResult({ host_pressure: calmNoPsi }), 0);
  const p = row(md, 'Host pressure') ?? '';
  assert.match(p, /^\| \*\*Host pressure\*\* \| calm — no PSI \(\/proc\/pressure unreadable\): load average and steal only: load 0\.40 per core, steal 2\.0 %/);
  assert.doesNotMatch(p, /CPU some/);
  assert.equal(row(md, 'Inconclusive'), undefined);
});

test('a result from before the reading was recorded has no pressure row', () => {
  assert.equal(row(testSection(testResult(), 0), 'Host pressure'), undefined);
});

test('the baseline table gives an inconclusive verdict its reason, and the re-run list marks re-runs under pressure', () => {
  const base = runResult();
  const t = { ...base.tests.find((x) => x.outcome === 'passed')!, host_pressure: busy, regressions: [open] };
  const rerun = { ...t, rerun_of: t.id, regressions: undefined };
  const run: RunResult = { ...base, tests: [t], reruns: [rerun] };
  const md = baselineSection(run);
  assert.match(md, /inconclusive \(evidence undecided\): 4 of 4 value\(s\) measured with the host under pressure/);
  assert.match(md, /host under pressure \(CPU pressure 62 % of the test's time\)/);
});
