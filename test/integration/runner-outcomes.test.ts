import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import { RUN_ID_PATTERN } from '../../src/result/id.ts';
import type { TestResult } from '../../src/result/types.ts';
import { eventually, isAlive, makeSuite, recordEvents } from '../fixtures/runner/suite.ts';
import { freePort } from '../fixtures/ports.ts';

let executor: ExecutorServer;
let reportsDir: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-runner-'));
});
after(async () => {
  await executor.close();
  await rm(reportsDir, { recursive: true, force: true });
});

const target = () => ({ url: executor.url, localPid: process.pid });

test('a suite records a pass, a pattern miss, a non-zero exit and a timeout, each with its reason', async () => {
  const suite = makeSuite([
    { id: 'pass', command: 'echo "Hello, World"; echo production ready', expected_patterns: ['hello', 'PRODUCTION'] },
    { id: 'miss', command: 'echo only python here', expected_patterns: ['python', 'rust', 'go lang'] },
    { id: 'exit', command: 'echo fine; echo "config missing: /etc/app.toml" >&2; exit 3', expected_patterns: ['fine'] },
    { id: 'slow', command: 'echo "pids $$"; sleep 30 & echo "child $!"; wait', timeout: 1 },
  ]);
  const handle = startRun({ suite, executor: target(), reportsDir, trigger: 'cli' });
  const events = recordEvents(handle);
  const run = await handle.done;
  const byId = new Map(run.tests.map((t) => [t.id, t]));
  const get = (id: string): TestResult => byId.get(id) ?? assert.fail(`no result for ${id}`);

  assert.deepEqual([get('pass').outcome, get('pass').reason], ['passed', null]);
  assert.deepEqual(get('pass').patterns_found, ['hello', 'PRODUCTION']);
  assert.equal(get('pass').exit_code, 0);
  assert.equal(await readFile(get('pass').log_path ?? '', 'utf8'), 'Hello, World\nproduction ready\n');
  assert.ok(get('pass').log_path?.startsWith(join(reportsDir, 'itest', run.id)));

  assert.deepEqual([get('miss').outcome, get('miss').reason], ['failed', 'pattern_miss']);
  assert.deepEqual(get('miss').patterns_missing, ['rust', 'go lang']);
  assert.ok(Math.abs(get('miss').pattern_coverage - 1 / 3) < 1e-9);

  assert.deepEqual([get('exit').outcome, get('exit').reason, get('exit').exit_code], ['failed', 'exit_nonzero', 3]);
  assert.equal(get('exit').reason_detail, 'exit code 3: config missing: /etc/app.toml');
  assert.equal(get('exit').last_stderr_line, 'config missing: /etc/app.toml');

  const slow = get('slow');
  assert.deepEqual([slow.outcome, slow.reason], ['timeout', 'timeout']);
  assert.ok(slow.duration_seconds >= 1 && slow.duration_seconds < 8, String(slow.duration_seconds));
  const pids = [...slow.preview_head.matchAll(/(?:pids|child) (\d+)/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2);
  await eventually('the timed-out command and its child to be gone', () => pids.every((p) => !isAlive(p)));

  assert.equal(run.status, 'finished');
  assert.match(run.id, RUN_ID_PATTERN);
  assert.equal(run.tests_total, 4);
  assert.equal(run.tests_passed, 1);
  assert.equal(run.graduated, false);
  assert.ok(run.verdict?.reasons.some((r) => /timed out \(slow\)/.test(r)));
  assert.ok(Object.isFrozen(run) && Object.isFrozen(run.tests[0]));

  const names = events.map(([name]) => name).filter((n) => n !== 'test:progress');
  assert.deepEqual(names, ['run:start', ...Array(4).fill(['test:start', 'test:end']).flat(), 'run:end']);
});

test('a command much shorter than the sampling interval still gets a memory peak', async () => {
  // ~100 ms against a 2 s interval: only the reading taken the moment the pid is known can see it.
  // (A command of a few milliseconds can be gone before the pid even reaches the runner; it is then
  // reported as not measured, which is the truth, so it cannot be asserted here without a race.)
  const suite = makeSuite(
    [{ id: 'warm', command: 'true' }, { id: 'uname', command: 'uname -a && df -h / && sleep 0.1', expected_patterns: ['Filesystem'] }],
    { sample_interval_ms: 2000 },
  );
  const run = await startRun({ suite, executor: target(), reportsDir, trigger: 'cli' }).done;
  const t = run.tests[1] ?? assert.fail('no uname result');
  assert.equal(t.outcome, 'passed');
  assert.equal(t.resources.measured, true, JSON.stringify(t.resources));
  if (t.resources.measured) assert.ok(t.resources.peak_memory_bytes > 0);
});

test('a closed port gives connect_failed, an error outcome, and no resource figures', async () => {
  const port = await freePort();
  const suite = makeSuite([{ id: 'refused', command: 'echo hi' }]);
  const run = await startRun({ suite, executor: { url: `ws://127.0.0.1:${port}/ws/mcp`, localPid: null }, reportsDir, trigger: 'cli' }).done;
  const [t] = run.tests;
  assert.deepEqual([t?.outcome, t?.reason], ['error', 'connect_failed']);
  assert.match(t?.reason_detail ?? '', /ECONNREFUSED|connect/i);
  assert.equal(t?.resources.measured, false);
  assert.equal(run.graduated, false);
});

test('credentials in a ws:// executor URL never reach the result: not in executor, not in the failure detail', async () => {
  const port = await freePort();
  const suite = makeSuite([{ id: 'refused', command: 'echo hi' }]);
  const url = `ws://bench:s3cret@127.0.0.1:${port}/ws/mcp`;
  const run = await startRun({ suite, executor: { url, localPid: null }, reportsDir, trigger: 'cli' }).done;
  assert.equal(run.executor, `ws://***@127.0.0.1:${port}/ws/mcp`);
  assert.equal(run.tests[0]?.reason, 'connect_failed');
  assert.doesNotMatch(JSON.stringify(run), /s3cret/);
});

test('aborting a run cancels the test in flight, skips the rest and still yields the result', async () => {
  const suite = makeSuite([
    { id: 'first', command: 'echo one' },
    { id: 'long', command: 'echo "pid $$"; sleep 30' },
    { id: 'never', command: 'echo never' },
  ]);
  const controller = new AbortController();
  const handle = startRun({ suite, executor: target(), reportsDir, trigger: 'api', signal: controller.signal });
  handle.events.on('test:start', ({ test: t }) => {
    if (t.id === 'long') setTimeout(() => controller.abort(), 500);
  });
  const run = await handle.done;
  assert.equal(run.status, 'aborted');
  // The test the abort kept from starting is in the result, so every total counts the suite.
  assert.deepEqual(run.tests.map((t) => [t.id, t.outcome, t.reason]), [['first', 'passed', null], ['long', 'error', 'aborted'], ['never', 'not_run', 'aborted']]);
  assert.equal(run.tests_total, run.tests.length);
  assert.equal(run.abort_cause, 'the run was aborted');
  assert.equal(run.verdict?.pass_rate, 0.5, 'the pass rate is over the tests that ran');
  assert.equal(run.graduated, false);
  const pid = Number(/pid (\d+)/.exec(run.tests[1]?.preview_head ?? '')?.[1]);
  assert.ok(pid > 0);
  await eventually('the cancelled command to be gone', () => !isAlive(pid));
});

test('the snapshot shows a running run with the tests so far, and progress comes at most once a second', async () => {
  const suite = makeSuite([
    { id: 'a', command: 'echo a' },
    { id: 'b', command: 'for i in 1 2 3 4 5 6 7 8 9 10 11; do echo tick $i; sleep 0.2; done' },
  ]);
  const handle = startRun({ suite, executor: target(), reportsDir, trigger: 'cli' });
  const progress: number[] = [];
  let mid: ReturnType<typeof handle.snapshot> | null = null;
  handle.events.on('test:progress', (p) => {
    progress.push(performance.now());
    mid ??= handle.snapshot();
    assert.equal(p.testId, 'b');
  });
  const run = await handle.done;
  assert.ok(progress.length >= 1 && progress.length <= 3, String(progress.length));
  for (let i = 1; i < progress.length; i++) assert.ok((progress[i] ?? 0) - (progress[i - 1] ?? 0) >= 900);
  const snap = mid as ReturnType<typeof handle.snapshot> | null;
  assert.equal(snap?.status, 'running');
  assert.deepEqual(snap?.tests.map((t) => t.id), ['a']);
  assert.equal(handle.snapshot(), run);
});
