/** The test after an executor crash waits for the supervisor's restart instead of failing connect_failed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startExecutor } from '../../src/commands/daemon-executor.ts';
import { startRunWith } from '../../src/runner/runner.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { isRunning } from '../../src/proc-state.ts';

test('kill -9 of the embedded executor between tests: the next test waits for the restart and passes', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-restart-'));
  let restarts = 0;
  const supervisor = await startExecutor('embedded', { log: pino({ level: 'silent' }), onRestart: () => restarts++ });
  try {
    const suite = makeSuite([
      { id: 'first', command: 'echo one', expected_patterns: ['one'] },
      { id: 'second', command: 'echo two', expected_patterns: ['two'] },
    ]);
    const handle = startRunWith({ suite, executor: supervisor.target, reportsDir, trigger: 'cli' }, {});
    const firstPid = supervisor.pid;
    handle.events.on('test:end', ({ result }) => {
      // Dies at once, before the second test starts; its restart takes a node start-up (~1 s).
      if (result.id !== 'first' || firstPid === null) return;
      process.kill(firstPid, 'SIGKILL');
      // A signal is delivered a moment later: hold the runner until the kernel has ended it (bounded).
      const deadline = Date.now() + 2_000;
      while (isRunning(firstPid) && Date.now() < deadline);
    });
    const run = await handle.done;
    assert.equal(restarts, 1, 'the executor was restarted once');
    assert.notEqual(supervisor.pid, firstPid);
    assert.deepEqual(run.tests.map((t) => [t.id, t.outcome, t.reason]), [['first', 'passed', null], ['second', 'passed', null]]);
  } finally {
    await supervisor.close();
    await rm(reportsDir, { recursive: true, force: true });
  }
});

test('the wait is bounded: past it the test runs and fails with the real cause', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-restart-'));
  try {
    const suite = makeSuite([{ id: 'only', command: 'echo x' }]);
    const never = { url: 'ws://127.0.0.1:9/ws/mcp', localPid: null, ready: () => new Promise<void>(() => undefined) };
    const t0 = Date.now();
    const run = await startRunWith({ suite, executor: never, reportsDir, trigger: 'cli' }, { readyTimeoutMs: 300 }).done;
    assert.ok(Date.now() - t0 >= 300 && Date.now() - t0 < 10_000);
    assert.equal(run.tests[0]?.reason, 'connect_failed');
  } finally {
    await rm(reportsDir, { recursive: true, force: true });
  }
});
