import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scenarios, startQuirkPeer, type QuirkScenario } from '../fixtures/quirk-peer.ts';
import { startRun } from '../../src/runner/runner.ts';
import type { TestResult } from '../../src/result/types.ts';
import { makeSuite, type TestSpec } from '../fixtures/runner/suite.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function runAgainst(scenario: QuirkScenario, spec: Partial<TestSpec> = {}): Promise<{ result: TestResult; events: string[] }> {
  const peer = await startQuirkPeer(scenario);
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-quirks-'));
  dirs.push(reportsDir);
  try {
    const suite = makeSuite([{ id: 'quirk', command: 'claude -p "anything"', timeout: 10, ...spec }]);
    const run = await startRun({ suite, executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
    const result = run.tests[0] ?? assert.fail('no test result');
    return { result, events: peer.events.map((e) => e.type) };
  } finally {
    await peer.close();
  }
}

const started = [{ do: 'result' }, { do: 'started' }] as const;

test('a "[Stream timed out" line from the server is server_stall, even with exit code 0', async () => {
  const { result } = await runAgainst(scenarios.stallCompletion());
  assert.deepEqual([result.outcome, result.reason, result.exit_code], ['failed', 'server_stall', 0]);
  assert.equal(result.server_stall_lines, 2);
});

test('a "[Stream error:" line is stream_error', async () => {
  const { result } = await runAgainst(scenarios.streamError());
  assert.deepEqual([result.outcome, result.reason], ['failed', 'stream_error']);
  assert.equal(result.stream_error_lines, 1);
});

test("cc_executor's rate-limit and token-limit notifications are rate_limited and token_limit", async () => {
  for (const [method, reason] of [['error.rate_limit_exceeded', 'rate_limited'], ['error.token_limit_exceeded', 'token_limit']] as const) {
    const { result } = await runAgainst({
      steps: [...started, { do: 'line', data: 'working\n' }, { do: 'notify', method, params: { retry_after: 30 } }, { do: 'completed', exitCode: 0 }],
    });
    assert.deepEqual([result.outcome, result.reason], ['failed', reason]);
    assert.match(result.reason_detail ?? '', /retry_after/);
    assert.equal(result.notifications[method], 1);
  }
});

test('a connection dropped mid-test is connection_lost, keeping what arrived before', async () => {
  const { result } = await runAgainst(scenarios.dropAfter(['one\n', 'two\n']));
  assert.deepEqual([result.outcome, result.reason], ['error', 'connection_lost']);
  assert.equal(result.output_lines, 2);
  assert.equal(result.preview_head, 'one\ntwo\n');
});

test('an RPC error answering execute is rpc_error with the server text', async () => {
  const { result } = await runAgainst({ steps: [{ do: 'error', code: -32602, message: 'A process is already running' }] });
  assert.deepEqual([result.outcome, result.reason], ['error', 'rpc_error']);
  assert.match(result.reason_detail ?? '', /already running/);
});

test('a test longer than the heartbeat cut-off passes through a peer that drops silent clients', async () => {
  const { result, events } = await runAgainst(scenarios.heartbeat({ pingIntervalMs: 300, durationMs: 2000 }));
  assert.deepEqual([result.outcome, result.reason], ['passed', null]);
  assert.ok(result.duration_seconds >= 1.9, String(result.duration_seconds));
  assert.ok(!events.includes('heartbeat-drop'));
});

test('first output and gaps match a peer that waits 300 ms then sends a line every 50 ms', async () => {
  const { result } = await runAgainst({
    steps: [...started, { do: 'wait', ms: 300 }, { do: 'lines', count: 30, intervalMs: 50, line: (i) => `line ${i}\n` }, { do: 'wait', ms: 100 }, { do: 'completed', exitCode: 0 }],
  });
  const s = result.stream;
  assert.ok(Math.abs((s.first_output_seconds ?? NaN) - 0.3) <= 0.02, `first output ${s.first_output_seconds}`);
  assert.ok(Math.abs((s.gap_p50_seconds ?? NaN) - 0.05) <= 0.02, `p50 ${s.gap_p50_seconds}`);
  assert.ok(Math.abs((s.gap_p95_seconds ?? NaN) - 0.05) <= 0.02, `p95 ${s.gap_p95_seconds}`);
  // The peer's `lines` step also waits one interval after its last line: 50 + 100 ms.
  assert.ok(Math.abs((s.completion_lag_seconds ?? NaN) - 0.15) <= 0.02, `lag ${s.completion_lag_seconds}`);
  assert.ok(Math.abs((s.lines_per_second ?? NaN) - 20) <= 2, `lines/s ${s.lines_per_second}`);
});

test('a loopback executor whose reported pid does not exist here is not measured, and says why', async () => {
  const { result } = await runAgainst(scenarios.echo(['hi\n'], { resultLeadMs: 0 }));
  assert.equal(result.resources.measured, false);
  assert.match(result.resources.measured ? '' : result.resources.why, /^pid \d+ the executor reported is not visible on this host/);
});
