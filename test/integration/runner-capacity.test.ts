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
    sessions: null, stages: null, min_pass_ratio: 0.95,
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
});

test('the open model above the cap drops arrivals and measures from the intended start', async () => {
  const load = { sessions: null, stages: null, min_pass_ratio: 0, rate: 10, duration_s: 2, max_in_flight: 3 };
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
