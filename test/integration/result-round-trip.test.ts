/**
 * Everything stressd writes it can read back (DESIGN section 13): every TestResult shape the code
 * makes — passed; failed, timeout and error with each failure reason; not run (aborted, budget);
 * cut short by a stop and by a death found at the next start; load closed, open and a capacity
 * search; confirmation re-runs; a log that could not be written; resources measured and not — is
 * produced by the real producers (the runner against the embedded executor, the Claude simulator,
 * a scripted cc_executor peer, abortStale, a host whose /proc texts are garbage), written by the real report writer, and read back
 * through the result schema and through History: nothing rejected, nothing changed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { createReview } from '../../src/commands/review.ts';
import { writeReport } from '../../src/report/writer.ts';
import { RunResultSchema, firstProblem } from '../../src/result/schema.ts';
import { FAILURE_REASONS, OUTCOMES, type RunResult } from '../../src/result/types.ts';
import { startRun, startRunWith } from '../../src/runner/runner.ts';
import { History } from '../../src/store/history.ts';
import { currentOwner } from '../../src/store/journal-owner.ts';
import { abortStale } from '../../src/store/stale-runs.ts';
import { passed, run as historyRun } from '../fixtures/analysis/history.ts';
import { freePort } from '../fixtures/ports.ts';
import { FAILURE_SCRIPTS, scenarios, startQuirkPeer, steps, type QuirkPeer, type QuirkStep } from '../fixtures/quirk-peer.ts';
import { counted } from '../fixtures/runner/reruns.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

let executor: ExecutorServer;
let peer: QuirkPeer;
let dir: string;

/** What a real cc_executor sends for each failure only it makes, and a stream that never ends. */
const PEER_SCRIPTS: Record<string, QuirkStep[]> = { ...FAILURE_SCRIPTS, endless: steps(scenarios.endless({ intervalMs: 50 })) };
const simulator = (flags: string): string => `${process.execPath} --import tsx src/simulator/main.ts ${flags}`;
const local = () => ({ url: executor.url, localPid: process.pid });

before(async () => {
  executor = await startExecutor({ port: 0, maxSessions: 4 });
  peer = await startQuirkPeer({ steps: (ctx) => PEER_SCRIPTS[ctx.command] ?? [], onCancel: 'canceled' });
  dir = await mkdtemp(join(tmpdir(), 'stressd-round-trip-'));
});
after(async () => {
  await peer?.close();
  await executor?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every run shape, from the real producers. */
async function produceRuns(): Promise<RunResult[]> {
  const reportsDir = join(dir, 'runs');
  const runs: RunResult[] = [];
  // Real processes: a pass (measured), each failure a process makes, Claude's stream-json (a pass, an error, a rate limit).
  runs.push(await startRun({
    suite: makeSuite([
      { id: 'pass', command: 'echo hello world', expected_patterns: ['hello'] },
      { id: 'pattern_miss', command: 'echo only python here', expected_patterns: ['python', 'rust', 'go'] },
      { id: 'exit_nonzero', command: 'echo fine; echo oops >&2; exit 3' },
      { id: 'timeout', command: 'sleep 30', timeout: 1 },
      { id: 'claude_pass', command: simulator('--words 20 --interval-ms 2 --first-token-ms 0 --seed 2') },
      { id: 'sut_error', command: simulator('--is-error --words 5 --interval-ms 5 --first-token-ms 0 --seed 1') },
      { id: 'rate_limited_by_claude', command: simulator('--rate-limit --first-token-ms 0 --seed 1') },
    ], { suite: 'rt_processes' }),
    executor: local(), reportsDir, trigger: 'cli',
  }).done);
  // cc_executor's own failures, from a peer that is not this host: resources not measured.
  const peerTests = Object.keys(PEER_SCRIPTS).filter((k) => k !== 'endless').map((id) => ({ id, command: id }));
  runs.push(await startRun({ suite: makeSuite(peerTests, { suite: 'rt_peer' }), executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli' }).done);
  runs.push(await startRun({ suite: makeSuite([{ id: 'connect_failed', command: 'echo hi' }], { suite: 'rt_connect' }), executor: { url: `ws://127.0.0.1:${await freePort()}/ws/mcp`, localPid: null }, reportsDir, trigger: 'cli' }).done);
  // A run stopped under its first test: that one cut short, the next never run.
  const stop = new AbortController();
  const handle = startRun({ suite: makeSuite([{ id: 'endless', command: 'endless' }, { id: 'never', command: 'endless' }], { suite: 'rt_aborted' }), executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli', signal: stop.signal });
  handle.events.on('test:progress', () => stop.abort());
  runs.push(await handle.done);
  // The cost budget spent: the third test never starts.
  const costly = `echo '{"type":"result","subtype":"success","is_error":false,"result":"ok","total_cost_usd":0.6}'`;
  const budgetSuite = makeSuite([{ id: 'a', command: costly }, { id: 'b', command: costly }, { id: 'c', command: costly }], { suite: 'rt_budget', budget: { max_cost_usd_per_run: 1, max_cost_usd_per_day: null } });
  runs.push(await startRun({ suite: budgetSuite, executor: local(), reportsDir, trigger: 'cli', review: createReview({ suite: budgetSuite, history: () => [] }) }).done);
  // Load: closed (more sessions than the executor allows: refusals), open (arrivals per second), a capacity search.
  runs.push(await startRun({
    suite: makeSuite([
      { id: 'closed', command: 'sleep 0.3; echo ready', expected_patterns: ['ready'], load: { sessions: 6, stages: null, min_pass_ratio: 0.5 } },
      { id: 'open', command: 'sleep 0.3; echo ok', expected_patterns: ['ok'], load: { sessions: null, stages: null, min_pass_ratio: 0, rate: 5, duration_s: 1, max_in_flight: 3 } },
      {
        id: 'search', command: 'sleep 0.2; echo ok', expected_patterns: ['ok'],
        load: { sessions: null, stages: null, min_pass_ratio: 0.95, search: { start: 1, max_sessions: 8, step_s: 0.5, max_steps: 6, resolution: 0.1, max_seconds: 20, slo: { first_output_p95_s: 30, error_ratio: 0.05, min_output_bytes_per_second: null } } },
      },
    ], { suite: 'rt_load' }),
    executor: local(), reportsDir, trigger: 'cli',
  }).done);
  // Confirmation re-runs of a suspected regression, against a history of fast runs.
  const slower = counted(join(dir, 'slower.count'), '[ $n -ge 1 ]');
  const history = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.09].map((d, i) => historyRun(i, [passed('slower', d, { command: slower })], { suite: 'rt_reruns' }));
  const rerunSuite = makeSuite([{ id: 'slower', command: slower }], { suite: 'rt_reruns' });
  runs.push(await startRun({ suite: rerunSuite, executor: local(), reportsDir, trigger: 'cli', review: createReview({ suite: rerunSuite, history: () => history }) }).done);
  // A log that cannot be written: the reports dir lies under a file (ENOTDIR).
  const notADir = join(dir, 'a-file');
  await writeFile(notADir, 'not a directory\n');
  runs.push(await startRun({ suite: makeSuite([{ id: 'unlogged', command: 'echo lost' }], { suite: 'rt_log_error' }), executor: local(), reportsDir: join(notADir, 'reports'), trigger: 'cli' }).done);
  // A host whose /proc texts are garbage (400-digit PSI totals, NaN in /proc/stat, no loadavg): no reading, never NaN.
  const badProc = join(dir, 'bad-proc');
  await mkdir(join(badProc, 'pressure'), { recursive: true });
  const huge = '9'.repeat(400);
  for (const f of ['cpu', 'memory']) await writeFile(join(badProc, 'pressure', f), `some avg10=0.00 avg60=0.00 avg300=0.00 total=${huge}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${huge}\n`);
  await writeFile(join(badProc, 'stat'), 'cpu  1 NaN 3 4 5 6 7 Infinity 9 10\n');
  const hostSuite = makeSuite([{ id: 'bad_host', command: 'echo fine' }], { suite: 'rt_bad_host' });
  runs.push(await startRunWith({ suite: hostSuite, executor: local(), reportsDir, trigger: 'cli' }, { procRoot: badProc }).done);
  // A run whose process died under a test, found at the next start (its journal, then abortStale).
  const first = runs[0] ?? assert.fail('no first run');
  const journal: RunResult = {
    ...first, id: '20261130T120000Z-dead', suite: 'rt_stale', status: 'running', ended_at: null, duration_seconds: null,
    tests: first.tests.slice(0, 1), tests_passed: 1,
    journal: { ...currentOwner(), pid: 2 ** 22 + 1, current_test: { id: 'pattern_miss', started_at: first.tests[1]?.started_at ?? first.started_at } },
  };
  const planned = makeSuite(first.tests.map((t) => ({ id: t.id, command: t.command })), { suite: 'rt_stale' });
  runs.push(abortStale(journal, { suite: 'rt_stale', tests: planned.tests, graduation: planned.graduation }));
  return runs;
}

/** The tests' shapes: outcome, reason, load mode, and what else a shape may carry. */
function shapes(runs: readonly RunResult[]): Set<string> {
  const out = new Set<string>();
  for (const run of runs) {
    out.add(`run:${run.status}`);
    if ((run.reruns ?? []).length > 0) out.add('run:reruns');
    if ((run.write_errors ?? []).length > 0) out.add('run:write_errors');
    for (const t of [...run.tests, ...(run.reruns ?? [])]) {
      out.add(`outcome:${t.outcome}`);
      if (t.host_pressure) out.add(`host_pressure:${t.host_pressure.source}`);
      if (t.reason !== null) out.add(`reason:${t.reason}`);
      if (t.load) out.add(`load:${t.load.mode}`);
      out.add(`resources:${t.resources.measured ? 'measured' : 'not measured'}`);
      if (t.claude) out.add('claude');
      if (!t.log_complete) out.add('log:not complete');
    }
  }
  return out;
}

/** Every number in `value`, with its path. */
function numbers(value: unknown, path = '$'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

test('every TestResult shape, from the real producers, is written and read back through the schema and History unchanged', async () => {
  const runs = await produceRuns();
  const seen = shapes(runs);
  const want = [
    ...OUTCOMES.map((o) => `outcome:${o}`), ...FAILURE_REASONS.map((r) => `reason:${r}`),
    'run:finished', 'run:aborted', 'run:reruns', 'run:write_errors',
    'load:fixed', 'load:rate', 'load:search', 'resources:measured', 'resources:not measured', 'claude', 'log:not complete', 'host_pressure:psi', 'host_pressure:loadavg',
  ];
  assert.deepEqual(want.filter((s) => !seen.has(s)), [], `shapes produced: ${[...seen].sort().join(', ')}`);

  const out = join(dir, 'written');
  const written: RunResult[] = [];
  for (const run of runs) {
    // Numbers are checked where they are made: none reaches the writer as NaN or Infinity.
    assert.deepEqual(numbers(run).filter(([, n]) => !Number.isFinite(n)), [], `${run.suite}: a number that is not finite`);
    const write = await writeReport(run, out);
    assert.deepEqual(write.errors, [], `${run.suite}: written`);
    const text = await readFile(write.jsonPath, 'utf8');
    const parsed = RunResultSchema.safeParse(JSON.parse(text));
    assert.ok(parsed.success, `${run.suite}: the schema rejects its own JSON: ${parsed.success ? '' : firstProblem(parsed.error)}`);
    assert.deepEqual(parsed.data, JSON.parse(JSON.stringify(write.run)), `${run.suite}: changed by the schema`);
    written.push(write.run);
  }

  const skipped: string[] = [];
  const history = new History({ reportsDir: out, warn: (path, why) => skipped.push(`${path}: ${why}`) });
  assert.equal(await history.load(), runs.length);
  assert.deepEqual(skipped, []);
  assert.deepEqual(history.unreadable(), []);
  for (const run of written) {
    const back = history.runs().find((r) => r.id === run.id) ?? assert.fail(`${run.suite}: not in history`);
    assert.deepEqual(back, JSON.parse(JSON.stringify(run)), `${run.suite}: changed through history`);
  }
});

