import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readinessOf, type ReadinessState } from '../../src/daemon/readiness.ts';

function state(over: { stopping?: boolean; armed?: boolean; up?: boolean } = {}): ReadinessState {
  return {
    suite: 'demo',
    stopping: over.stopping ?? false,
    scheduler: { armed: over.armed ?? true, expression: '*/5 * * * *', nextRun: () => new Date('2026-11-24T10:20:00.000Z') },
    executor: { up: over.up ?? true, pid: over.up === false ? null : 42, restarts: over.up === false ? 1 : 0, target: { url: 'ws://127.0.0.1:8003/ws/mcp', localPid: 42 } },
  };
}

test('ready once the scheduler is armed and the executor is up, with the schedule, next run and executor', () => {
  assert.deepEqual(readinessOf(state()), {
    ready: true,
    detail: {
      suite: 'demo', schedule: '*/5 * * * *', next_run: '2026-11-24T10:20:00.000Z',
      executor: { url: 'ws://127.0.0.1:8003/ws/mcp', pid: 42, restarts: 0 },
    },
  });
});

test('not ready while the embedded executor is down or restarting, saying so', () => {
  const r = readinessOf(state({ up: false }));
  assert.equal(r.ready, false);
  assert.match(r.ready ? '' : r.why, /embedded executor is down \(restarts so far: 1\); restarting/);
});

test('not ready while shutting down or before the scheduler is armed', () => {
  assert.deepEqual(readinessOf(state({ stopping: true })), { ready: false, why: 'shutting down' });
  assert.deepEqual(readinessOf(state({ armed: false })), { ready: false, why: 'scheduler not armed' });
});
