import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideOutcome, type OutcomeEvidence } from '../../src/runner/outcome.ts';
import { ConnectFailedError, ConnectionLostError, RpcCallError } from '../../src/client/errors.ts';
import type { ProcessCompletedParams } from '../../src/protocol/messages.ts';
import { summarizePatterns, type PatternSummary } from '../../src/runner/patterns.ts';

const completed = (exit_code: number | null): ProcessCompletedParams => ({
  status: exit_code === 0 ? 'completed' : 'failed', pid: 1, pgid: 1, exit_code, error: null, execution_time: 1,
  early_completion_detected: false, early_completion_time: null, time_saved: null, completion_marker: null,
});
/** Two expected patterns, `found` of them found, judged against a threshold of 0.8. */
const patterns = (found: number): PatternSummary =>
  summarizePatterns(
    ['python', 'production'].map((pattern, i) => ({ pattern, found: i < found, first_seen_seconds: null, first_seen_byte: null })),
    0.8,
  );
const ok: OutcomeEvidence = {
  aborted: false, end: { kind: 'completed', completed: completed(0) }, error: null, deadlineSeconds: 30,
  exitCode: 0, signal: null, serverStallLines: 0, streamErrorLines: 0, rateLimited: null, tokenLimit: null,
  sutError: null, patterns: patterns(2),
};

test('a clean exit with enough patterns passes with no reason', () => {
  assert.deepEqual(decideOutcome(ok), { outcome: 'passed', reason: null, detail: null });
});

test('too few patterns is a pattern miss that names the missing ones', () => {
  const r = decideOutcome({ ...ok, patterns: patterns(1) });
  assert.equal(r.outcome, 'failed');
  assert.equal(r.reason, 'pattern_miss');
  assert.match(r.detail ?? '', /1\/2 patterns.*missing: production/);
});

test('a non-zero exit quotes the last stderr line, which usually says why', () => {
  const r = decideOutcome({ ...ok, exitCode: 127, lastStderrLine: 'sh: 1: claude: not found' });
  assert.deepEqual([r.reason, r.detail], ['exit_nonzero', 'exit code 127: sh: 1: claude: not found']);
});

test('a non-zero exit beats a pattern miss', () => {
  const r = decideOutcome({ ...ok, exitCode: 2, patterns: patterns(0) });
  assert.deepEqual([r.outcome, r.reason, r.detail], ['failed', 'exit_nonzero', 'exit code 2']);
});

test('our deadline passing is a timeout, whatever else happened', () => {
  const r = decideOutcome({ ...ok, end: { kind: 'deadline', confirmed: true, completed: null }, exitCode: null, serverStallLines: 1 });
  assert.deepEqual([r.outcome, r.reason], ['timeout', 'timeout']);
});

test('a stopped run marks the test in flight aborted, even past its deadline', () => {
  const r = decideOutcome({ ...ok, aborted: true, end: { kind: 'deadline', confirmed: false, completed: null } });
  assert.deepEqual([r.outcome, r.reason], ['error', 'aborted']);
});

test('thrown client errors map to connect_failed, connection_lost and rpc_error', () => {
  const lost = new ConnectionLostError('ws://x', 1006, '', { pid: 1, pgid: 1, outputFrames: 3, malformedFrames: 0, unknownNotifications: 0, sentAt: 0, lostAt: 1 });
  const cases: [unknown, string][] = [
    [new ConnectFailedError('ws://x', 'ECONNREFUSED'), 'connect_failed'],
    [lost, 'connection_lost'],
    [new RpcCallError('execute', -32602, 'A process is already running'), 'rpc_error'],
    [new Error('surprise'), 'rpc_error'],
  ];
  for (const [error, reason] of cases) {
    const r = decideOutcome({ ...ok, end: null, error, exitCode: null });
    assert.equal(r.outcome, 'error');
    assert.equal(r.reason, reason);
    assert.ok(r.detail && r.detail.length > 0);
  }
});

test('server signals fail the test in the documented order', () => {
  assert.equal(decideOutcome({ ...ok, rateLimited: 'error.rate_limit_exceeded', serverStallLines: 1 }).reason, 'rate_limited');
  assert.equal(decideOutcome({ ...ok, tokenLimit: 'error.token_limit_exceeded', serverStallLines: 1 }).reason, 'token_limit');
  assert.equal(decideOutcome({ ...ok, serverStallLines: 1, streamErrorLines: 1 }).reason, 'server_stall');
  assert.equal(decideOutcome({ ...ok, streamErrorLines: 1, exitCode: 3 }).reason, 'stream_error');
  assert.equal(decideOutcome({ ...ok, sutError: { subtype: 'error_max_turns' }, exitCode: 1 }).reason, 'sut_error');
});

test('a process killed by a signal is exit_nonzero and says which signal', () => {
  const r = decideOutcome({ ...ok, exitCode: null, signal: 'SIGKILL' });
  assert.deepEqual([r.reason, r.detail], ['exit_nonzero', 'no exit code (signal SIGKILL)']);
});

test("the executor's own deadline ending the process first is still a timeout, not a non-zero exit", () => {
  const killed = { ...completed(0), exit_code: null, signal: 'SIGTERM', terminated_by: 'deadline' as const };
  const r = decideOutcome({ ...ok, end: { kind: 'completed', completed: killed }, exitCode: null, signal: 'SIGTERM' });
  assert.deepEqual([r.outcome, r.reason], ['timeout', 'timeout']);
  assert.match(r.detail ?? '', /executor's deadline/);
});
