/** SuiteSet: the limit across suites, its FIFO queue (one pending trigger per suite), and shutdown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSuite } from '../../src/config/load.ts';
import { RunCoordinator } from '../../src/daemon/coordinator.ts';
import { SuiteSet } from '../../src/daemon/suites.ts';
import { fakeRunner, type FakeRun } from '../fixtures/daemon/fake-runner.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';
import { waitFor } from '../fixtures/daemon/spawn-daemon.ts';

function setup(names: string[], maxConcurrentRuns: number) {
  const { log } = memoryLogger();
  const fake = fakeRunner();
  const counted = { queued: [] as string[], skipped: [] as string[] };
  const coordinators = new Map<string, RunCoordinator>();
  const set = new SuiteSet({
    coordinators, maxConcurrentRuns, log,
    onQueued: (s) => counted.queued.push(s),
    onSkipped: (s) => counted.skipped.push(s),
  });
  for (const name of names) {
    const { suite } = parseSuite({ suite: name, tests: [{ id: 't', name: 'T', command: 'true' }] }, `${name}.json`);
    coordinators.set(name, new RunCoordinator({
      suite, startRun: fake.startRun, reportsDir: '/nonexistent', sinks: [], log,
      executor: () => ({ url: 'ws://127.0.0.1:1/ws/mcp', localPid: null }),
      onSkipped: (s) => counted.skipped.push(s),
      onIdle: () => set.onIdle(),
    }));
  }
  const suiteOf = (run: FakeRun | undefined): string | undefined => run?.options.suite.suite;
  return { set, fake, counted, suiteOf };
}

test('with a limit of 1, triggers of other suites queue in FIFO order and start as slots free up', async () => {
  const { set, fake, counted, suiteOf } = setup(['a', 'b', 'c'], 1);
  assert.equal(set.trigger('schedule', 'a').started, true);
  assert.deepEqual(set.trigger('schedule', 'c'), { started: false, reason: 'queued', position: 1 });
  assert.deepEqual(set.trigger('api', 'b'), { started: false, reason: 'queued', position: 2 });
  // One pending trigger per suite: the second of c is skipped and counted as such.
  assert.deepEqual(set.trigger('schedule', 'c'), { started: false, reason: 'queued', position: 1 });
  // A running suite still answers for itself.
  assert.deepEqual(set.trigger('api', 'a'), { started: false, reason: 'running', runningId: fake.runs[0]?.handle.id });
  assert.deepEqual(counted, { queued: ['c', 'b'], skipped: ['c', 'a'] });

  fake.runs[0]?.finish();
  await waitFor(() => fake.runs.length === 2, 'the first queued trigger to start');
  assert.equal(suiteOf(fake.runs[1]), 'c');
  assert.deepEqual(set.active().map((r) => r.id), [fake.runs[1]?.handle.id]);
  fake.runs[1]?.finish();
  await waitFor(() => fake.runs.length === 3, 'the second queued trigger to start');
  assert.deepEqual([suiteOf(fake.runs[2]), fake.runs[2]?.options.trigger], ['b', 'api']);
  fake.runs[2]?.finish();
  await waitFor(() => set.active().length === 0, 'all runs to end');
  assert.equal(set.queued().length, 0);
  await set.close();
});

test('with a limit of 2, two suites run at once and a third waits; close drops the queue and aborts the runs', async () => {
  const { set, fake, suiteOf } = setup(['a', 'b', 'c'], 2);
  assert.equal(set.trigger('schedule', 'a').started, true);
  assert.equal(set.trigger('schedule', 'b').started, true);
  assert.equal(set.trigger('schedule', 'c').started, false);
  assert.deepEqual(fake.runs.map(suiteOf), ['a', 'b']);
  await set.close();
  assert.equal(fake.runs.length, 2, 'the queued trigger did not start at shutdown');
  assert.ok(fake.runs.every((r) => r.options.signal?.aborted));
  assert.deepEqual(set.trigger('api', 'a'), { started: false, reason: 'closed', detail: 'the daemon is shutting down' });
});

test('the suite may be left out only when there is one', async () => {
  const one = setup(['solo'], 1);
  assert.equal(one.set.trigger('api').started, true);
  const two = setup(['a', 'b'], 1);
  const outcome = two.set.trigger('api');
  assert.equal(outcome.started, false);
  assert.match(outcome.started === false && 'detail' in outcome ? outcome.detail : '', /unknown suite null; suites: a, b/);
  assert.throws(() => setup(['a'], 0), /max_concurrent_runs: expected a whole number ≥ 1, found 0/);
  await Promise.all([one.set.close(), two.set.close()]);
});
