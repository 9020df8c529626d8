/**
 * A two-mode test end to end: a history of RunResult JSON files in a temp reports dir (loaded by
 * the real History, as `stressd run` does), where the test's duration has two modes — 90 % of the
 * runs around 1.5 s, every tenth around 6 s (a prompt that sometimes takes a tool call) — then a
 * real run through the runner and the embedded executor with sleep-based commands:
 * - one that lands in the known second mode is not a regression (no suspect, no re-run);
 * - one that shifts the main mode (every run ~2.7 s, between the modes and clearly off both) is
 *   `regressed` after the sequential re-runs;
 * - the same second-mode value under the one-mode `mad` model would be regressed (what the
 *   mixture is for).
 * The modes are far apart (×4) and the shift large (+80 %, 1.2 s over the duration's 1 s floor),
 * so that a busy core (+0.1–0.3 s at most on a sleep) cannot move a value from one judgement to
 * the other. The host's pressure comes from fixture files, so this machine's own load cannot
 * turn a verdict `inconclusive`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRunWith } from '../../src/runner/runner.ts';
import { createReview } from '../../src/commands/review.ts';
import { History } from '../../src/store/history.ts';
import { fitMixture } from '../../src/analysis/mixture.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import type { RunResult } from '../../src/result/types.ts';
import type { SuiteSpec } from '../fixtures/runner/suite.ts';
import { writeCalmHost } from '../fixtures/runner/calm-host.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { durationOf } from '../fixtures/runner/reruns.ts';
import { passed, run as historyRun } from '../fixtures/analysis/history.ts';

let executor: ExecutorServer;
let dir: string;
let procRoot: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'stressd-two-mode-'));
  // A calm host, from fixture files (this machine's own pressure must not decide the verdicts).
  procRoot = await writeCalmHost(dir);
});
after(async () => {
  await executor.close();
  await rm(dir, { recursive: true, force: true });
});

const target = () => ({ url: executor.url, localPid: process.pid });

const MAIN = 1.5;
const SECOND = 6;
/** Deterministic within-mode noise: −8 % … +8 % in steps of 2 %, a CV of about 5 %. */
const jitter = (i: number): number => 1 + (((i * 7) % 9) - 4) / 50;
/** Fifty runs (the default window): every tenth in the second mode. */
const DURATIONS = Array.from({ length: 50 }, (_, i) => (i % 10 === 7 ? SECOND : MAIN) * jitter(i));

/** Counts its own runs in `file` (so the test sees how often it ran); prints at once, then sleeps. */
function sleeper(file: string, seconds: number): string {
  return `n=$(cat ${file} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${file}; echo "run $n"; sleep ${seconds}`;
}

async function runsOf(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim());
}

/** Writes the two-mode history of test `id` (with this command) as RunResult files under `<reports>/itest/`, and loads it back. */
async function historyFor(reports: string, id: string, command: string): Promise<History> {
  await mkdir(join(reports, 'itest'), { recursive: true });
  const runs: RunResult[] = DURATIONS.map((d, i) => historyRun(i, [passed(id, d, { command })], { suite: 'itest' }));
  for (const r of runs) await writeFile(join(reports, 'itest', `${r.id}.json`), `${JSON.stringify(r, null, 2)}\n`);
  const problems: string[] = [];
  const history = new History({ reportsDir: reports, limit: 1000, warn: (path, why) => problems.push(`${path}: ${why}`) });
  assert.equal(await history.load(), 50, problems.join('\n'));
  return history;
}

async function runOnce(name: string, seconds: number, over: SuiteSpec = {}): Promise<{ result: RunResult; ran: number }> {
  const reports = join(dir, name);
  const count = join(dir, `${name}.count`);
  const command = sleeper(count, seconds);
  const history = await historyFor(reports, 'essay', command);
  const suite = makeSuite([{ id: 'essay', command }], over);
  const handle = startRunWith({ suite, executor: target(), reportsDir: reports, trigger: 'cli', review: createReview({ suite, history: () => history.runs() }) }, { procRoot });
  const result = await handle.done;
  const parsed = RunResultSchema.safeParse(result);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3)));
  return { result, ran: await runsOf(count) };
}

test('the fixture history is two-mode: the mixture finds 90 % around 1.5 s and 10 % around 6 s', () => {
  const m = fitMixture(DURATIONS, { minSeparation: 3, minModeShare: 0.1 });
  assert.equal(m.modes.length, 2, JSON.stringify(m));
  assert.deepEqual(m.modes.map((x) => x.weight), [0.9, 0.1]);
  assert.ok(Math.abs(Math.exp(m.modes[0]!.center) - MAIN) < 0.1 && Math.abs(Math.exp(m.modes[1]!.center) - SECOND) < 0.4, JSON.stringify(m.modes));
});

test('a two-mode test: a run in the known second mode is not a regression, and is not re-run', async () => {
  const { result, ran } = await runOnce('second-mode', SECOND);
  const t = result.tests[0];
  assert.equal(t?.outcome, 'passed');
  assert.ok((t?.duration_seconds ?? 0) >= SECOND, `duration ${t?.duration_seconds}`);
  assert.equal(t?.host_pressure?.under_pressure, false, 'the fixture host is calm');
  const d = durationOf(t);
  assert.ok(d.verdict === 'unchanged' || d.verdict === 'noise', `verdict ${d.verdict} (${JSON.stringify(d)})`);
  assert.notEqual(d.verdict, 'regressed');
  assert.equal(d.baseline?.n, 50, 'judged against the whole window, both modes');
  // A value in the known mode opens no suspect: nothing is re-run, on any measure.
  assert.equal(d.reruns?.length ?? 0, 0, `re-runs ${JSON.stringify(d.reruns)}`);
  assert.equal(result.reruns?.length ?? 0, 0);
  assert.equal(ran, 1, 'the command ran once');
  assert.ok(!(t?.regressions ?? []).some((r) => r.verdict === 'regressed'), JSON.stringify(t?.regressions));
});

test('a two-mode test: a shift of the main mode (every run ~2.7 s, off both modes) is regressed after the sequential re-runs', async () => {
  const { result, ran } = await runOnce('main-shift', 2.7);
  const t = result.tests[0];
  assert.equal(t?.outcome, 'passed');
  assert.equal(t?.host_pressure?.under_pressure, false, 'the fixture host is calm');
  const d = durationOf(t);
  assert.equal(d.verdict, 'regressed', JSON.stringify(d));
  // Each value's share is capped (3): the suspect and one re-run (6) stay under the bound (7.5), a second re-run decides.
  assert.equal(d.reruns?.length, 2, `re-runs ${JSON.stringify(d.reruns)}`);
  assert.ok((d.reruns ?? []).every((v) => v >= 2.7 && v < 4), `re-runs ${JSON.stringify(d.reruns)}`);
  assert.ok((d.evidence ?? 0) >= 7.5, `evidence ${d.evidence}`);
  assert.equal(ran, 3, 'the suspect and its two re-runs');
  assert.deepEqual(result.reruns?.map((r) => r.rerun_of), ['essay', 'essay']);
});

test('without the mixture (the one-mode mad model) the same second-mode run pages: what the two-mode judgement prevents', async () => {
  const { result } = await runOnce('mad-second-mode', SECOND, { regression: { model: 'mad', confirm_reruns: 1 } });
  const d = durationOf(result.tests[0]);
  assert.equal(d.verdict, 'regressed', JSON.stringify(d));
  assert.equal(d.reruns?.length, 1);
});
