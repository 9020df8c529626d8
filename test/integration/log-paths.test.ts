/**
 * Log paths that cannot collide, through a real run on stressd's real executor: a test `t.s1`
 * beside a test `t` under load with two sessions. Each session's log is in `t.sessions/`, the test
 * `t.s1` keeps its own `t.s1.log`, and each file holds what its own command printed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import { logPathProblems } from '../../src/runner/log-paths.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

let executor: ExecutorServer;
let reportsDir: string;

before(async () => {
  executor = await startExecutor({ port: 0, maxSessions: 4 });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-log-paths-'));
});
after(async () => {
  await executor.close();
  await rm(reportsDir, { recursive: true, force: true });
});

test('a test t.s1 beside a test t under load with 2 sessions: three logs, each its own, none overwritten', async () => {
  const suite = makeSuite([
    { id: 't', command: 'echo from-the-load-test', expected_patterns: ['from-the-load-test'], load: { sessions: 2, stages: null, min_pass_ratio: 1 } },
    { id: 't.s1', command: 'echo from-the-other-test', expected_patterns: ['from-the-other-test'] },
  ]);
  assert.deepEqual(logPathProblems(suite), [], 'verify finds nothing to refuse: the paths cannot collide');
  const run = await startRun({ suite, executor: { url: executor.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
  const [load, other] = run.tests;
  assert.equal(load?.outcome, 'passed', load?.reason_detail ?? '');
  assert.equal(other?.outcome, 'passed', other?.reason_detail ?? '');
  assert.notEqual(load?.log_path, other?.log_path);

  const runDir = join(reportsDir, 'itest', run.id);
  assert.equal(other?.log_path, join(runDir, 't.s1.log'));
  assert.equal(await readFile(other?.log_path ?? '', 'utf8'), 'from-the-other-test\n');
  assert.equal(dirname(load?.log_path ?? ''), join(runDir, 't.sessions'));
  const sessions = (await readdir(join(runDir, 't.sessions'))).sort();
  assert.deepEqual(sessions, ['s1.log', 's2.log']);
  for (const name of sessions) assert.equal(await readFile(join(runDir, 't.sessions', name), 'utf8'), 'from-the-load-test\n', name);
  assert.ok(sessions.includes(basename(load?.log_path ?? '')));
  assert.equal(load?.log_complete, true);
});

test('verify refuses ids whose logs would be one file on a disk that does not tell case apart', () => {
  const suite = makeSuite([{ id: 'Big', command: 'true' }, { id: 'big', command: 'true' }]);
  const problems = logPathProblems(suite);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0] ?? '', /tests "Big" and "big" would both write "big\.log"/);
});
