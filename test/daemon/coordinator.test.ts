import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { parseSuite } from '../../src/config/load.ts';
import { RunCoordinator } from '../../src/daemon/coordinator.ts';
import { History } from '../../src/store/history.ts';
import { historySink } from '../../src/store/history-sink.ts';
import { logSink } from '../../src/daemon/log-sink.ts';
import { createLogger } from '../../src/logger.ts';
import type { Sink } from '../../src/result/sink.ts';
import type { RunResult } from '../../src/result/types.ts';
import { LiveStatus } from '../../src/web/live-status.ts';
import { fakeRunner } from '../fixtures/daemon/fake-runner.ts';
import { testResult } from '../fixtures/daemon/results.ts';

const { suite } = parseSuite({ suite: 'demo', tests: [{ id: 'a', name: 'A', command: 'echo a' }, { id: 'b', name: 'B', command: 'echo b' }] }, 'demo.json');

function setup(extra: { report?: Partial<Sink>; more?: Sink[] } = {}) {
  const calls: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const out = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const log = createLogger({ destination: out });
  const metrics: Sink = {
    name: 'metrics',
    onRunStart: (run) => void calls.push(`start:${run.id}`),
    onTestEnd: (e) => void calls.push(`test:${e.suite}:${e.result.id}`),
    onRunEnd: (run) => void calls.push(`end:${run.id}:${run.status}`),
  };
  const written: RunResult[] = [];
  const report: Sink = {
    name: 'report',
    onRunEnd: async (run) => {
      calls.push(`report:${run.id}`);
      written.push(run);
    },
    ...extra.report,
  };
  const history = new History({ reportsDir: '/tmp/reports' });
  const live = new LiveStatus();
  const fake = fakeRunner();
  const coordinator = new RunCoordinator({
    suite, startRun: fake.startRun, reportsDir: '/tmp/reports', log,
    sinks: [logSink(log), report, metrics, historySink(history), live, ...(extra.more ?? [])],
    onSkipped: (s) => calls.push(`skipped:${s}`),
    executor: () => ({ url: 'ws://127.0.0.1:1/ws/mcp', localPid: null }),
  });
  return { calls, lines, history, live, fake, coordinator, written };
}

async function until(check: () => boolean, what: string, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

test('feeds the sinks per test, then ends them in list order: report, metrics, history', async () => {
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
  await until(() => coordinator.current() === null, 'the run to leave flight');
});

test('the run stays running until every sink has it, then is finished with all of them', async () => {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const { calls, history, fake, coordinator } = setup({ report: { onRunEnd: async (run) => { await released; calls.push(`report:${run.id}`); } } });
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
  const { lines, live, fake, coordinator } = setup();
  coordinator.trigger('api');
  const run = fake.runs[0];
  assert.ok(run);
  await once(run.handle.events, 'run:start');
  const id = run.handle.id;
  run.handle.events.emit('test:start', { runId: id, suite: 'demo', index: 0, total: 2, test: { id: 'a', name: 'A', category: null } });
  run.handle.events.emit('test:progress', { runId: id, testId: 'a', elapsed_seconds: 4, output_bytes: 99, output_lines: 2 });
  await until(() => live.progress(id)?.output_bytes === 99, 'the progress to reach the live status');
  assert.equal(coordinator.current()?.run.status, 'running');
  assert.deepEqual({ index: live.progress(id)?.index, total: live.progress(id)?.total }, { index: 1, total: 2 });
  assert.ok(lines.some((l) => l.msg === 'test started' && l.runId === id && l.testId === 'a'));
  run.endTest(testResult({ id: 'a' }));
  await until(() => live.progress(id)?.test === null, 'nothing in flight between tests');
  run.finish();
  await coordinator.close();
  await until(() => coordinator.current() === null, 'the run to leave flight');
  assert.equal(live.progress(id), null, 'the live status forgets an ended run');
  assert.equal(run.handle.events.listenerCount('test:end'), 0, 'listeners removed');
});

test('a throwing sink is logged once per hook and does not stop the others or the run', async () => {
  const boom: Sink = { name: 'boom', onTestEnd: () => { throw new Error('boom'); }, onRunEnd: async () => { throw new Error('boom at end'); } };
  const { fake, coordinator, history, lines } = setup({ more: [boom] });
  coordinator.trigger('api');
  const run = fake.runs[0];
  assert.ok(run);
  await once(run.handle.events, 'run:start');
  run.endTest(testResult({ id: 'a' }));
  run.endTest(testResult({ id: 'b' }));
  run.finish();
  await until(() => history.runs().length === 1 && coordinator.current() === null, 'the run recorded');
  const failures = lines.filter((l) => l.sink === 'boom');
  assert.deepEqual(failures.map((l) => [l.hook, l.msg]), [
    ['onTestEnd', 'boom sink failed'],
    ['onRunEnd', 'boom sink failed'],
    ['onTestEnd', 'boom sink failed again 1 time(s) in this run'],
  ]);
});

test('a new sink is one object in the list: it hears every event of the run in order', async () => {
  const heard: string[] = [];
  const audit: Sink = {
    name: 'audit',
    onRunStart: (r) => void heard.push(`run:${r.status}`),
    onTestStart: (e) => void heard.push(`start:${e.test.id}`),
    onTestProgress: (e) => void heard.push(`progress:${e.testId}`),
    onTestEnd: (e) => void heard.push(`end:${e.result.id}`),
    onRunEnd: (r) => void heard.push(`run:${r.status}`),
  };
  const { fake, coordinator } = setup({ more: [audit] });
  coordinator.trigger('api');
  const run = fake.runs[0];
  assert.ok(run);
  await once(run.handle.events, 'run:start');
  run.handle.events.emit('test:start', { runId: run.handle.id, suite: 'demo', index: 0, total: 2, test: { id: 'a', name: 'A', category: null } });
  run.handle.events.emit('test:progress', { runId: run.handle.id, testId: 'a', elapsed_seconds: 1, output_bytes: 1, output_lines: 1 });
  run.endTest(testResult({ id: 'a' }));
  run.finish();
  await until(() => coordinator.current() === null, 'the run recorded');
  assert.deepEqual(heard, ['run:running', 'start:a', 'progress:a', 'end:a', 'run:finished']);
});
