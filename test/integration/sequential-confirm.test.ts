/**
 * Sequential confirmation end to end: a history from fixtures, a real runner and embedded
 * executor, commands that count their runs in a file to be slow on some of them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRunWith } from '../../src/runner/runner.ts';
import { createReview } from '../../src/commands/review.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import type { RunResult } from '../../src/result/types.ts';
import { writeCalmHost } from '../fixtures/runner/calm-host.ts';
import { makeSuite, recordEvents } from '../fixtures/runner/suite.ts';
import { counted, durationOf } from '../fixtures/runner/reruns.ts';
import { passed, run as historyRun } from '../fixtures/analysis/history.ts';

let executor: ExecutorServer;
let dir: string;
let procRoot: string;

before(async () => {
  executor = await startExecutor({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'stressd-sequential-'));
  // A calm host, from fixture files (this machine's own pressure must not decide the verdicts).
  procRoot = await writeCalmHost(dir);
});
after(async () => {
  await executor.close();
  await rm(dir, { recursive: true, force: true });
});

const target = () => ({ url: executor.url, localPid: process.pid });

test('sequential confirmation: re-runs only while undecided; a lasting slowdown regressed, a one-off dismissed as noise', async () => {
  const cmds = {
    slower: counted(join(dir, 'slower.count'), '[ $n -ge 1 ]'),
    blip: counted(join(dir, 'blip.count'), '[ $n -eq 1 ]'),
    steady: 'echo steady',
  };
  const history: RunResult[] = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.09].map((d, i) =>
    historyRun(i, [passed('slower', d, { command: cmds.slower }), passed('blip', d, { command: cmds.blip }), passed('steady', d, { command: cmds.steady })], { suite: 'itest' }),
  );
  // The defaults: model sequential, at most 3 re-runs per suspect.
  const suite = makeSuite([{ id: 'slower', command: cmds.slower }, { id: 'blip', command: cmds.blip }, { id: 'steady', command: cmds.steady }]);
  const handle = startRunWith({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }, { procRoot });
  const events = recordEvents(handle);
  const result = await handle.done;
  const parsed = RunResultSchema.safeParse(result);
  assert.ok(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3)));
  const byId = new Map(result.tests.map((t) => [t.id, t]));

  // Each value's share is capped (3), so the suspect and one slow re-run (6) stay under the bound
  // (7.5): a second slow re-run decides, and the third is never run.
  const slower = durationOf(byId.get('slower'));
  assert.equal(slower.verdict, 'regressed');
  assert.equal(slower.reruns?.length, 2);
  assert.ok((slower.evidence ?? 0) >= 8, `evidence ${slower.evidence}`);
  // The one-off: the suspect (+3) and one normal re-run (−5: a value back at the baseline counts more against) reach the lower bound (−2).
  const blip = durationOf(byId.get('blip'));
  assert.equal(blip.verdict, 'noise');
  // One re-run back at the history's ~0.1 s decides; a busy host can make the echo slower than that history, and then it takes more.
  assert.ok((blip.reruns?.length ?? 0) >= 1 && (blip.reruns?.length ?? 0) <= 3, `blip re-runs ${blip.reruns?.length}`);
  assert.equal(durationOf(byId.get('steady')).verdict, 'unchanged');
  const starts = events.filter(([n]) => n === 'test:start').map(([, p]) => (p as { rerun_of?: string }).rerun_of ?? null);
  assert.deepEqual(starts.slice(0, 5), [null, null, null, 'slower', 'slower']);
  assert.deepEqual(starts.slice(5), (blip.reruns ?? []).map(() => 'blip'));
  assert.match(renderMarkdown(result), /noise \(re-runs did not confirm\)/);
});

test('a suspect measured with the host under pressure ends inconclusive with the reason, never regressed', async () => {
  const file = join(dir, 'busy.count');
  // Each run of the command makes the (fixture) host's CPU pressure jump while it runs, and is slow.
  const psi = join(procRoot, 'pressure', 'cpu');
  const command = `n=$(cat ${file} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${file}; echo "some avg10=90.00 avg60=50.00 avg300=20.00 total=$((1000 + n * 1000000000000))" > ${psi}; sleep 1.6; echo "run $n done"`;
  const history: RunResult[] = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.09].map((d, i) => historyRun(i, [passed('busy', d, { command })], { suite: 'itest' }));
  const suite = makeSuite([{ id: 'busy', command }]);
  const handle = startRunWith({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }, { procRoot });
  const result = await handle.done;
  const busy = result.tests[0];
  assert.equal(busy?.host_pressure?.under_pressure, true);
  assert.equal(busy?.host_pressure?.source, 'psi');
  assert.match(busy?.host_pressure?.reason ?? '', /CPU pressure 100 % of the test's time/);
  const d = durationOf(busy);
  assert.equal(d.verdict, 'inconclusive');
  assert.equal(d.reruns?.length, 3, 'slow re-runs under pressure leave it open to the last one');
  assert.match(d.reason ?? '', /4 of 4 value\(s\) measured with the host under pressure \(CPU pressure 100 %/);
  assert.ok(RunResultSchema.safeParse(result).success);
});

/**
 * The fixture host's CPU pressure rises from the suspect's start: a PSI `some` total that grows by
 * a test's worth each tick, written synchronously (so a stalled event loop delays it no later
 * than the runner's own readings). `stop()` lowers it and marks the moment in `marks`.
 */
function pressureBumper(psiFile: string, marks: string[]): { start: () => void; stop: () => void } {
  let total = 1000;
  let timer: NodeJS.Timeout | null = null;
  const bump = (): void => {
    total += 1_000_000_000;
    // Written aside and renamed: a reader never sees the file empty half-way through a write.
    writeFileSync(`${psiFile}.tmp`, `some avg10=90.00 avg60=50.00 avg300=20.00 total=${total}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`);
    renameSync(`${psiFile}.tmp`, psiFile);
  };
  return {
    start: () => {
      if (timer) return;
      bump();
      timer = setInterval(bump, 50);
    },
    stop: () => {
      if (timer) clearInterval(timer);
      timer = null;
      marks.push('calm');
    },
  };
}

test('a suspect measured under pressure is re-run once the host is calm again, and the calm re-runs confirm it', async () => {
  const command = counted(join(dir, 'later.count'), 'true');
  const history: RunResult[] = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.09].map((d, i) => historyRun(i, [passed('later', d, { command })], { suite: 'itest' }));
  const suite = makeSuite([{ id: 'later', command }], { regression: { pressure_wait_seconds: 60 } });
  const marks: string[] = [];
  const bumper = pressureBumper(join(procRoot, 'pressure', 'cpu'), marks);
  const handle = startRunWith({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }, { procRoot });
  handle.events.on('test:start', (p) => {
    marks.push(p.rerun_of ? 'rerun' : 'test');
    if (!p.rerun_of) bumper.start();
  });
  // The pressure lasts a while after the suspect ends (longer than a reading's pause), then falls.
  handle.events.on('test:end', (p) => {
    if (!p.result.rerun_of) setTimeout(() => bumper.stop(), 2500);
  });
  const result = await handle.done;
  bumper.stop();
  const t = result.tests[0];
  assert.equal(t?.host_pressure?.under_pressure, true, 'the suspect itself was measured under pressure');
  assert.deepEqual(marks.slice(0, 2), ['test', 'calm'], `no re-run started before the host calmed down: ${marks.join(', ')}`);
  const reruns = result.reruns ?? [];
  assert.ok(reruns.length > 0 && reruns.every((r) => r.host_pressure?.under_pressure === false), 'the re-runs ran on a calm host');
  const d = durationOf(t);
  assert.equal(d.verdict, 'regressed', 'confirmed by the calm re-runs alone (the pressured suspect counts nothing for it)');
  assert.equal(d.reruns?.length, 3);
  assert.ok(RunResultSchema.safeParse(result).success);
});

test('a host that stays under pressure past regression.pressure_wait_seconds: the re-runs run anyway and the verdict is inconclusive with the reason', async () => {
  const command = counted(join(dir, 'stays.count'), 'true');
  const history: RunResult[] = [0.08, 0.1, 0.12, 0.09, 0.11, 0.1, 0.1, 0.09].map((d, i) => historyRun(i, [passed('stays', d, { command })], { suite: 'itest' }));
  const suite = makeSuite([{ id: 'stays', command }], { regression: { pressure_wait_seconds: 1 } });
  const marks: string[] = [];
  const bumper = pressureBumper(join(procRoot, 'pressure', 'cpu'), marks);
  bumper.start();
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.message);
  process.on('warning', onWarning);
  try {
    const handle = startRunWith({ suite, executor: target(), reportsDir: dir, trigger: 'cli', review: createReview({ suite, history: () => history }) }, { procRoot });
    const result = await handle.done;
    const d = durationOf(result.tests[0]);
    assert.equal(d.verdict, 'inconclusive');
    assert.equal(d.reruns?.length, 3);
    assert.match(d.reason ?? '', /4 of 4 value\(s\) measured with the host under pressure/);
    assert.ok(warnings.some((w) => /stays: the host stayed under pressure .* re-running anyway/.test(w)), warnings.join('\n'));
  } finally {
    process.off('warning', onWarning);
    bumper.stop();
    writeFileSync(join(procRoot, 'pressure', 'cpu'), 'some avg10=0.00 avg60=0.00 avg300=0.00 total=1000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n');
  }
});
