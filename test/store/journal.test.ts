/**
 * The run journal (DESIGN section 13): a run in progress is on disk as `running` with its owner;
 * a journal whose owner is dead is found at the next load and becomes an aborted run,
 * "stopped unexpectedly", with the test in flight cut short and the rest not_run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { History } from '../../src/store/history.ts';
import { currentOwner, ownerAlive } from '../../src/store/journal-owner.ts';
import { journalSink } from '../../src/store/journal-sink.ts';
import { abortStale } from '../../src/store/stale-runs.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import { GraduationSchema } from '../../src/config/schema.ts';
import type { JournalOwner, RunResult } from '../../src/result/types.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

const GRADUATION = GraduationSchema.parse({ min_pass_rate: 1 });
const plan = (id: string) => ({ id, name: `Test ${id}`, description: null, category: null, command: `run ${id}`, timeout: 60 });
const SUITE = { suite: 'demo', tests: ['one', 'two', 'three', 'four'].map(plan), graduation: GRADUATION };

/** The pid of a process that has just exited: a dead owner. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  assert.ok(child.pid);
  return child.pid;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-journal-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the owner of a journal is alive only while that very process runs', async () => {
  const me: JournalOwner = { ...currentOwner(), current_test: null };
  assert.equal(ownerAlive(me), true);
  assert.equal(ownerAlive({ ...me, pid: await deadPid() }), false, 'a dead pid');
  assert.equal(ownerAlive({ ...me, hostname: `${hostname()}-elsewhere` }), false, 'another host');
  assert.equal(ownerAlive({ ...me, process_start: '1' }), false, 'a reused pid (another start time)');
  assert.equal(ownerAlive(undefined), false, 'no owner at all');
});

test('the journal sink writes the run as running at its start, at each test start and end', async () => {
  await withDir(async (dir) => {
    const sink = journalSink(dir);
    const run = runResult({ status: 'running', ended_at: null, duration_seconds: null, graduated: false, tests: [], tests_total: 2 });
    const path = join(dir, run.suite, `${run.id}.json`);
    const read = async (): Promise<RunResult> => RunResultSchema.parse(JSON.parse(await readFile(path, 'utf8')));
    await sink.onRunStart?.(run);
    assert.deepEqual([(await read()).status, (await read()).tests.length, (await read()).journal?.pid], ['running', 0, process.pid]);
    await sink.onTestStart?.({ runId: run.id, suite: run.suite, index: 0, total: 2, test: { id: 'one', name: 'One', category: null } });
    assert.equal((await read()).journal?.current_test?.id, 'one');
    await sink.onTestEnd?.({ runId: run.id, suite: run.suite, result: testResult({ id: 'one' }) });
    const after = await read();
    assert.deepEqual([after.status, after.tests.map((t) => t.id), after.tests_passed, after.tests_total, after.journal?.current_test], ['running', ['one'], 1, 2, null]);
  });
});

test('a dead journal becomes aborted: tests ended kept, the one in flight cut short, the rest not_run', async () => {
  const owner: JournalOwner = { ...currentOwner(), pid: await deadPid(), current_test: { id: 'two', started_at: '2026-11-24T10:15:03.000Z' } };
  const journal = runResult({
    status: 'running', ended_at: null, duration_seconds: null, graduated: false, tests_total: 4,
    tests: [testResult({ id: 'one', ended_at: '2026-11-24T10:15:02.000Z' })], journal: owner,
  });
  const run = abortStale(journal, SUITE);
  assert.equal(RunResultSchema.safeParse(run).success, true);
  assert.deepEqual([run.status, run.abort_cause, run.graduated, run.tests_total, run.tests_passed], ['aborted', 'stopped unexpectedly', false, 4, 1]);
  assert.deepEqual(run.tests.map((t) => [t.id, t.outcome, t.reason]), [['one', 'passed', null], ['two', 'error', 'aborted'], ['three', 'not_run', 'aborted'], ['four', 'not_run', 'aborted']]);
  assert.equal(run.ended_at, '2026-11-24T10:15:03.000Z', 'ends at the last moment the journal saw it alive');
  assert.equal(run.journal, undefined, 'the owner block goes with the journal');
  assert.equal(run.verdict?.pass_rate, 0.5);
  // Without the suite's config (another suite's run), only what was recorded is known.
  const foreign = abortStale(journal, { ...SUITE, suite: 'other' });
  assert.deepEqual([foreign.tests.length, foreign.tests_total, foreign.verdict], [2, 2, null]);
});

test('history finds journals whose owner is dead, not the ones a live process owns, and settles them', async () => {
  await withDir(async (dir) => {
    const dead = runResult({ id: '20261124T101500Z-dead', status: 'running', ended_at: null, tests: [], journal: { ...currentOwner(), pid: await deadPid(), current_test: null } });
    const live = runResult({ id: '20261124T111500Z-live', status: 'running', ended_at: null, tests: [], journal: { ...currentOwner(), current_test: null } });
    for (const run of [dead, live]) {
      const sink = journalSink(dir, run.journal);
      await sink.onRunStart?.(run);
    }
    const history = new History({ reportsDir: dir });
    await history.load();
    assert.deepEqual(history.stale().map((e) => e.run.id), [dead.id]);
    const settled = await history.settleStale(async (j) => abortStale(j, SUITE));
    assert.deepEqual(settled.map((r) => [r.id, r.status, r.tests_total]), [[dead.id, 'aborted', 4]]);
    assert.equal((await history.get(dead.id))?.run.status, 'aborted');
    assert.equal((await history.get(live.id))?.run.status, 'running');
    assert.deepEqual(history.stale(), []);
  });
});
