import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from '@opentelemetry/api';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { runLoadTest } from '../../src/runner/load.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

// The executor's session cap is the bottleneck: its knee does not depend on how fast the machine is.
const CAP = 6;
let executor: ExecutorServer;
let reportsDir: string;

before(async () => {
  executor = await startExecutor({ port: 0, maxSessions: CAP });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-capacity-'));
});
after(async () => {
  await executor.close();
  await rm(reportsDir, { recursive: true, force: true });
});

const ctx = () => ({
  suite: makeSuite([]), runId: 'capacity-run', executor: { url: executor.url, localPid: process.pid }, reportsDir, signal: undefined,
  traceContext: context.active(), onProgress: () => undefined,
});

test('a capacity search through the protocol finds the executor\'s session cap', async () => {
  const load = {
    min_pass_ratio: 0.95,
    search: { start: 1, max_sessions: 32, step_s: 1.5, max_steps: 12, resolution: 0.1, max_seconds: 120, slo: { first_output_p95_s: 30, error_ratio: 0.05, min_output_bytes_per_second: null } },
  };
  const [one] = makeSuite([{ id: 'cap', command: 'sleep 0.5; echo ok', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  const search = result.load?.search;
  assert.ok(search, JSON.stringify(result.load));
  assert.ok(search.steps.length <= 12, String(search.steps.length));
  // The cap refuses the seventh session at once: everything up to six holds.
  assert.ok(search.held >= CAP - 1 && search.held <= CAP, JSON.stringify(search));
  assert.ok(search.broke !== null && search.broke > search.held, JSON.stringify(search));
  assert.equal(result.outcome, 'passed');
  assert.equal(result.load?.mode, 'search');
  assert.equal(search.bound, 'resolution');
  assert.equal(search.over, 'sessions');
});

test('a search over arrival rate (the open model) breaks where the cap refuses sessions, and names its bound', async () => {
  const load = { search: { over: 'rate' as const, start: 1, max_rate: 64, max_sessions: 100, step_s: 2, max_steps: 10, resolution: 0.15, max_seconds: 120, slo: { first_output_p95_s: 30 } } };
  const [one] = makeSuite([{ id: 'rate', command: 'sleep 0.5; echo ok', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  const search = result.load?.search;
  assert.ok(search, JSON.stringify(result.load));
  assert.equal(search.over, 'rate');
  assert.ok(search.held >= 1 && search.broke !== null && search.broke > search.held, JSON.stringify(search));
  for (const s of search.steps) {
    assert.ok(s.rate !== undefined && s.dropped === 0, JSON.stringify(s));
    // A step that broke was refused by the cap: its errors, not its latency, broke it.
    if (!s.held) assert.ok(s.error_ratio > 0.05, JSON.stringify(s));
  }
  // Each session takes at least 0.5 s, so at most CAP / 0.5 arrivals per second can hold.
  assert.ok(search.held <= CAP / 0.5, String(search.held));
  assert.ok(['resolution', 'max_steps'].includes(search.bound ?? ''), search.ended);
  assert.equal(result.outcome, 'passed');
});

test('a search whose first level fails on errors stops after that one step', async () => {
  const load = { search: { start: 2, max_sessions: 32, step_s: 1, max_seconds: 60 } };
  const [one] = makeSuite([{ id: 'broken', command: 'echo nope; exit 3', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  const search = result.load?.search;
  assert.ok(search);
  assert.deepEqual([search.bound, search.held, search.broke, search.steps.length], ['errors', 0, 2, 1]);
  assert.match(search.ended, /^errors at the first level \(error ratio 1\.000 above 0\.05/);
  assert.equal(result.outcome, 'failed');
});

test('the cost budget ends a search before a step whose expected cost (from Claude\'s cost_usd so far) would pass it', async () => {
  const simulator = `${process.execPath} --import tsx src/simulator/main.ts --words 5 --first-token-ms 0 --tokens-per-second 500`;
  // Any step costs more than a millionth of a cent: the first step runs (nothing is known before it), the second would pass the budget.
  const load = { search: { start: 1, max_sessions: 8, step_s: 1, max_seconds: 120, max_cost_usd: 1e-8, slo: { first_output_p95_s: 30 } } };
  const [one] = makeSuite([{ id: 'costly', command: simulator, load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  const search = result.load?.search;
  assert.ok(search, JSON.stringify(result.load));
  assert.equal(search.bound, 'max_cost_usd', search.ended);
  assert.equal(search.steps.length, 1);
  assert.ok((search.cost_usd ?? 0) > 0 && search.steps[0]?.cost_usd === search.cost_usd, JSON.stringify(search));
  assert.match(search.ended, /^cost budget of \$1e-8 reached/);
});

test('the time budget ends a search before a step expected to end past max_seconds, and says so', async () => {
  // Steps of 1 s against a budget of 4 s: the first is expected to take 2 s (twice step_s), later ones 1 s plus the longest tail seen.
  const load = { search: { start: 1, max_sessions: 64, step_s: 1, max_seconds: 4, slo: { first_output_p95_s: 30 } } };
  const [one] = makeSuite([{ id: 'budget', command: 'sleep 0.2; echo ok', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  const search = result.load?.search;
  assert.ok(search, JSON.stringify(result.load));
  assert.equal(search.bound, 'max_seconds', search.ended);
  assert.match(search.ended, /^time budget of 4 s reached \(\d+\.\d s spent, the next step expected to take \d+\.\d s\)$/);
  assert.ok(search.steps.length >= 1 && search.steps.length <= 3, String(search.steps.length));
  assert.ok(search.steps.every((s) => s.held), JSON.stringify(search.steps));
  assert.equal(search.broke, null);
});

test('the open model above the cap drops arrivals and measures from the intended start', async () => {
  const load = { min_pass_ratio: 0, rate: 10, duration_s: 2, max_in_flight: 3 };
  const [one] = makeSuite([{ id: 'open', command: 'sleep 1; echo ok', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const result = await runLoadTest(one, ctx());
  assert.equal(result.load?.mode, 'rate');
  // 20 arrivals, each session ~1 s, at most 3 in flight: most find the cap full.
  const dropped = result.load?.dropped ?? 0;
  assert.ok(dropped >= 10, String(dropped));
  assert.equal((result.load?.sessions ?? 0) + dropped, 20);
  assert.ok((result.load?.peak_active ?? 0) <= 3);
});
