/** Why a trigger was skipped (cause label), and the start run standing in for the first tick it overlaps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseSuite } from '../../src/config/load.ts';
import { RunCoordinator } from '../../src/daemon/coordinator.ts';
import { History } from '../../src/store/history.ts';
import { historySink } from '../../src/store/history-sink.ts';
import { createLogger } from '../../src/logger.ts';
import { fakeRunner } from '../fixtures/daemon/fake-runner.ts';

const { suite } = parseSuite({ suite: 'demo', tests: [{ id: 'a', name: 'A', command: 'echo a' }] }, 'demo.json');

async function setup() {
  const skipped: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-skips-'));
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const fake = fakeRunner();
  const coordinator = new RunCoordinator({
    suite, startRun: fake.startRun, reportsDir, log: createLogger({ destination: sink }),
    sinks: [historySink(new History({ reportsDir }))],
    onSkipped: (s, cause) => skipped.push(`${s}:${cause}`),
    executor: () => ({ url: 'ws://127.0.0.1:1/ws/mcp', localPid: null }),
  });
  const cleanup = async (): Promise<void> => {
    await coordinator.close();
    await rm(reportsDir, { recursive: true, force: true });
  };
  return { skipped, lines, fake, coordinator, cleanup };
}

test('a schedule tick that finds a run going counts as overlap; an API trigger as busy_api', async () => {
  const { skipped, fake, coordinator, cleanup } = await setup();
  try {
    assert.equal(coordinator.trigger('schedule').started, true);
    assert.equal(coordinator.trigger('schedule').started, false);
    assert.equal(coordinator.trigger('api').started, false);
    assert.deepEqual(skipped, ['demo:overlap', 'demo:busy_api']);
    fake.runs[0]?.finish();
  } finally {
    await cleanup();
  }
});

test('the start run stands in for the first tick it overlaps (not counted); a second tick is an overlap', async () => {
  const { skipped, lines, fake, coordinator, cleanup } = await setup();
  try {
    const start = coordinator.trigger('start');
    assert.equal(start.started, true);
    assert.deepEqual(coordinator.trigger('schedule'), { started: false, reason: 'running', runningId: fake.runs[0]?.handle.id });
    assert.deepEqual(skipped, []);
    assert.ok(lines.some((l) => l.msg === 'the start run stands in for this scheduled run'));
    coordinator.trigger('schedule');
    assert.deepEqual(skipped, ['demo:overlap']);
    coordinator.trigger('api');
    assert.deepEqual(skipped, ['demo:overlap', 'demo:busy_api']);
    fake.runs[0]?.finish();
  } finally {
    await cleanup();
  }
});
