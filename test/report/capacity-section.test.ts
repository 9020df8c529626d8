import { it } from 'node:test';
import assert from 'node:assert/strict';
import { capacityAnchor, capacityFinding, capacitySection, droppedLine } from '../../src/report/capacity-section.ts';
import { loadSection } from '../../src/report/load-section.ts';
import { testSection } from '../../src/report/test-section.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { LoadResult } from '../../src/result/types.ts';
import { testResult, runResult } from '../telemetry/results.ts';
import { capacitySearch, rateSearch, searchLoad, step } from '../fixtures/capacity/search.ts';

it('says the level that held, the first that broke and which objective broke it', () => {
  const md = capacitySection('cap', capacitySearch());
  assert.match(md, /held \*\*6 sessions at once\*\*; first broke at 7 \(first output p95 2\.600 s above 2 s\)/);
  assert.match(md, /Ended: bisected to within 10 % \(held 6, broke 7\)\./);
  assert.match(md, /Objectives: first output p95 ≤ 2\.00 s, error ratio ≤ 5\.0%\./);
});

it('has one table row per step in the order they ran, with the spread of each figure', () => {
  const md = capacitySection('cap', capacitySearch());
  const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  assert.deepEqual(rows.map((r) => r.split('|')[2]?.trim()), ['1', '2', '4', '8', '6', '7']);
  assert.match(md, /\| 4 \| 8 \| 5\.2 s \| 32 \| 1\.90 s \| 4\.10 s \| 4\.10 s \| 1\.50 s \/ 2\.50 s \| 0\.0% \| 1200 B\/s \| \*\*broke\*\*: first output p95 4\.100 s above 2 s \|/);
  assert.match(md, /\| 5 \| 6 \| .* \| held \|$/m);
});

it('puts the plot anchor between the finding and the steps, inside the test section', () => {
  const t = testResult({ id: 'cap', load: searchLoad() });
  const md = testSection(t, 0);
  assert.ok(md.includes(capacitySection('cap', capacitySearch())));
  assert.ok(md.indexOf(capacityAnchor('cap')) < md.indexOf('| step |'));
  assert.match(md, /\*\*Load\*\* \(a capacity search\)/);
  assert.match(md, /passed share 100\.0% over all steps \(a search passes when a level held\)\./);
  // A search has no per-second timeline: no empty table of it.
  assert.doesNotMatch(md, /Sessions per second/);
  assert.ok(renderMarkdown(runResult({ tests: [t] })).includes('**Capacity search**'));
});

it('says so when no level held, none broke, the objectives were not kept or no step ran', () => {
  assert.match(capacityFinding(capacitySearch({ held: 0, broke: 1, steps: [step(1, null, null, { error_ratio: 1, held: false, broke: ['error ratio 1.000 above 0.05'] })] })), /^no level held; first broke at 1 \(error ratio 1\.000 above 0\.05\)$/);
  assert.match(capacityFinding(capacitySearch({ held: 8, broke: null })), /no level broke/);
  const old = capacitySearch();
  delete old.slo;
  assert.match(capacitySection('cap', old), /Objectives: not recorded in this result/);
  assert.match(capacitySection('cap', capacitySearch({ steps: [] })), /_No step ran\._/);
});

it('escapes objective words that come from the result', () => {
  const md = capacitySection('cap', capacitySearch({ ended: '<b>x</b> | y', steps: [step(1, 0.1, 9, { broke: ['a|b <i>'] })] }));
  assert.doesNotMatch(md, /<b>|<i>/);
  assert.match(md, /a\\\|b &lt;i&gt;/);
});

it('counts dropped arrivals of an open-model test, and nothing for the closed model', () => {
  const open: LoadResult = { ...searchLoad(), mode: 'rate', sessions: 90, dropped: 10 };
  delete open.search;
  assert.match(droppedLine(open) ?? '', /\*\*Dropped arrivals\*\*: 10 \(10\.0% of 100 arrivals\) found `max_in_flight` sessions in flight/);
  assert.ok(loadSection(open).includes(droppedLine(open) ?? 'none'));
  assert.match(loadSection(open), /arrivals at a rate, the open model/);
  assert.match(droppedLine({ ...open, dropped: undefined }) ?? '', /Dropped arrivals\*\*: 0 /);
  assert.equal(droppedLine(searchLoad()), null);
  assert.doesNotMatch(loadSection(searchLoad()), /Dropped/);
});

it('a search over rate says held and broke in arrivals per second, with rate, in-flight and dropped columns', () => {
  const md = capacitySection('cap', rateSearch());
  assert.match(md, /held \*\*9\.75 arrivals\/s\*\*; first broke at 10\.5 arrivals\/s \(error ratio 0\.102 above 0\.05 \(6 arrivals dropped\)\)/);
  assert.doesNotMatch(md, /sessions at once/);
  assert.match(md, /the open model: latencies from each arrival's intended start\); an arrival that found `max_sessions` in flight is dropped/);
  assert.match(md, /^\| step \| rate \(arrivals\/s\) \| in flight \(max\) \| time \| started \| dropped \| first output p50 \|/m);
  const rows = md.split('\n').filter((l) => /^\| \d+ \|/.test(l)).map((r) => r.split('|').map((c) => c.trim()));
  // Every row has as many cells as the head (13 columns between the pipes).
  for (const r of rows) assert.equal(r.length, 15);
  assert.deepEqual(rows.map((r) => r[2]), ['1.5', '3', '6', '12', '9', '10.5', '9.75']);
  assert.deepEqual(rows.map((r) => r[3]), ['1', '1', '2', '8', '2', '8', '2'], 'the most in flight at each rate');
  assert.deepEqual(rows.map((r) => r[6]), ['0', '0', '0', '40', '0', '6', '0'], 'the dropped arrivals of each step');
  assert.match(md, /\| 4 \| 12 \| 8 \| 5\.2 s \| 60 \| 40 \| 0\.90 s \| 1\.90 s \| .* \| 40\.0% \| .* \| \*\*broke\*\*: error ratio 0\.400 above 0\.05 \(40 arrivals dropped\) \|$/m);
});

it('says which bound ended the search and what it cost, for either kind; nothing of either for older results', () => {
  const rate = capacitySection('cap', rateSearch());
  assert.match(rate, /Bound: `resolution` \(its answer: the gap between held and broke bisected to the resolution\)\. Cost: \$0\.2000 \(Claude's total_cost_usd over all steps\)\./);
  const top = capacitySection('cap', rateSearch({ held: 12, broke: null, bound: 'max_level', cost_usd: null }));
  assert.match(top, /held \*\*12 arrivals\/s\*\*; no level broke/);
  assert.match(top, /Bound: `max_level` \(the top level, `max_rate`, held\)\. Cost: no session reported one\./);
  const budget = capacitySection('cap', capacitySearch({ bound: 'max_steps', cost_usd: 0.5 }));
  assert.match(budget, /Bound: `max_steps` \(the step budget; the answer may be coarser than the resolution\)\. Cost: \$0\.5000/);
  assert.match(budget, /held \*\*6 sessions at once\*\*/);
  assert.match(capacitySection('cap', capacitySearch({ bound: 'max_level' })), /`max_level` \(the top level, `max_sessions`, held\)/);
  // The fixture of a sessions search predates bound and cost: neither is claimed.
  assert.doesNotMatch(capacitySection('cap', capacitySearch()), /Bound:|Cost:/);
});
