import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { parseSuite } from '../../src/config/load.ts';
import { RunCoordinator, type RunMetrics } from '../../src/daemon/coordinator.ts';
import { History } from '../../src/daemon/history.ts';
import { createLogger } from '../../src/logger.ts';
import type { RunResult } from '../../src/result/types.ts';
import { fakeRunner } from '../fixtures/daemon/fake-runner.ts';
import { testResult } from '../fixtures/daemon/results.ts';

const { suite } = parseSuite({ suite: 'demo', tests: [{ id: 'a', name: 'A', command: 'echo a' }, { id: 'b', name: 'B', command: 'echo b' }] }, 'demo.json');

function setup() {
  const calls: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const log = createLogger({ destination: sink });
  const metrics: RunMetrics = {
    onRunStart: (run) => calls.push(`start:${run.id}`),
    onTestEnd: (s, t) => calls.push(`test:${s}:${t.id}`),
    onRunEnd: (run) => calls.push(`end:${run.id}:${run.status}`),
    onRunSkipped: (s) => calls.push(`skipped:${s}`),
  };
  const history = new History({ reportsDir: '/nonexistent' });
  const fake = fakeRunner();
  const written: RunResult[] = [];
  const coordinator = new RunCoordinator({
    suite, startRun: fake.startRun, reportsDir: '/tmp/reports', history, metrics, log,
    executor: () => ({ url: 'ws://127.0.0.1:1/ws/mcp', localPid: null }),
    writeReport: async (result) => {
      calls.push(`report:${result.id}`);
      written.push(result);
      return { markdownPath: `/tmp/reports/demo/${result.id}.md`, jsonPath: `/tmp/reports/demo/${result.id}.json` };
    },
  });
  return { calls, lines, history, fake, coordinator, written };
}

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('feeds metrics per test, then writes the report, updates metrics and history at run end, in that order', async () => {
  const { calls, history, fake, coordinator } = setup();
  const outcome = coordinator.trigger('api');
  assert.equal(outcome.started, true);
  const run = fake.runs[0];
  assert.ok(run);
  await once(run.handle.events, 'run:start');
  run.endTest(testResult({ id: 'a' }));
  run.finish();
  await until(() => history.runs().length === 1, 'the run in history');
  const id = run.handle.id;
  assert.deepEqual(calls, [`start:${id}`, 'test:demo:a', `report:${id}`, `end:${id}:finished`]);
  assert.equal(history.list()[0]?.markdownPath, `/tmp/reports/demo/${id}.md`);
  assert.equal(coordinator.current(), null);
});

test('the run stays running until its report, metrics and history are recorded, then is finished with all three', async () => {
  const { calls, history, fake, coordinator } = setup();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const c = coordinator as unknown as { options: { writeReport: (r: RunResult) => Promise<{ markdownPath: string; jsonPath: string }> } };
  const write = c.options.writeReport;
  c.options.writeReport = async (r) => {
    await released;
    return write(r);
  };
  coordinator.trigger('api');
  const run = fake.runs[0];
  assert.ok(run);
  run.finish();
  await run.handle.done;
  await new Promise((r) => setImmediate(r));
  assert.equal(run.handle.snapshot().status, 'finished', 'the runner itself is done');
  const during = coordinator.current();
  assert.deepEqual([during?.run.id, during?.run.status, during?.run.ended_at], [run.handle.id, 'running', null]);
  assert.equal(history.runs().length, 0);
  release();
  await until(() => coordinator.current() === null, 'the run to be recorded');
  assert.equal(history.runs()[0]?.status, 'finished');
  assert.ok(calls.includes(`report:${run.handle.id}`) && calls.includes(`end:${run.handle.id}:finished`));
});

test('a trigger while a run is going is skipped, logged and counted', async () => {
  const { calls, lines, fake, coordinator } = setup();
  const first = coordinator.trigger('schedule');
  assert.equal(first.started, true);
  const second = coordinator.trigger('schedule');
  assert.deepEqual(second, { started: false, reason: 'running', runningId: fake.runs[0]?.handle.id });
  assert.equal(fake.runs.length, 1);
  assert.ok(calls.includes('skipped:demo'));
  assert.ok(lines.some((l) => l.msg === 'run skipped: a run of this suite is still going' && l.runId === fake.runs[0]?.handle.id));
  fake.runs[0]?.finish();
  await coordinator.close();
});

test('close() aborts the run in flight and waits until its partial report is written and its metrics updated', async () => {
  const { calls, fake, coordinator, written } = setup();
  coordinator.trigger('schedule');
  await coordinator.close();
  assert.equal(fake.runs[0]?.options.signal?.aborted, true);
  assert.equal(written[0]?.status, 'aborted');
  assert.equal(calls.at(-1), `end:${fake.runs[0]?.handle.id}:aborted`);
  assert.deepEqual(coordinator.trigger('api'), { started: false, reason: 'closed', detail: 'the daemon is shutting down' });
});

test('the live status follows test:start and test:progress; log lines carry run and test ids', async () => {
  const { lines, fake, coordinator } = setup();
  coordinator.trigger('api');
  const run = fake.runs[0];
  assert.ok(run);
  run.handle.events.emit('test:start', { runId: run.handle.id, suite: 'demo', index: 0, total: 2, test: { id: 'a', name: 'A', category: null } });
  run.handle.events.emit('test:progress', { runId: run.handle.id, testId: 'a', elapsed_seconds: 4, output_bytes: 99, output_lines: 2 });
  const cur = coordinator.current();
  assert.equal(cur?.run.status, 'running');
  assert.deepEqual({ index: cur?.live.index, total: cur?.live.total, bytes: cur?.live.output_bytes }, { index: 1, total: 2, bytes: 99 });
  assert.ok(lines.some((l) => l.msg === 'test started' && l.runId === run.handle.id && l.testId === 'a'));
  run.endTest(testResult({ id: 'a' }));
  assert.equal(coordinator.current()?.live.test, null, 'nothing in flight between tests');
  run.finish();
  await coordinator.close();
  assert.equal(run.handle.events.listenerCount('test:end'), 0, 'listeners removed');
});

test('a throwing metrics sink does not stop the run from being recorded', async () => {
  const { fake, coordinator, history } = setup();
  const c = coordinator as unknown as { options: { metrics: RunMetrics } };
  c.options.metrics.onRunEnd = () => { throw new Error('boom'); };
  coordinator.trigger('api');
  fake.runs[0]?.finish();
  await until(() => history.runs().length === 1, 'the run in history');
});
