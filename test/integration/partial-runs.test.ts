/**
 * Partial runs (`stressd run --only`, issue 27 point 4) with the real CLI beside a real daemon on one
 * reports dir: a partial run never replaces `latest.*`, the running daemon shows it without a
 * restart, and the CLI summary, the daemon's page, API and ratio gauge agree on graduation over runs
 * (partial runs are not counted).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunSummary } from '../../src/web/run-routes.ts';
import { getJson, spawnDaemon, waitFor } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';
import { stressdCli, stressdRun } from '../fixtures/stressd-run.ts';

const SUITE = {
  suite: 'partial_demo',
  executor: 'embedded',
  pause_between_tests: 0,
  sample_interval_ms: 100,
  timeout: 20,
  // One of two passing graduates a whole run; the failing test alone does not.
  graduation: { min_pass_rate: 0.5, min_success_failure_ratio: 1 },
  tests: [
    { id: 'steady', command: 'echo steady', expected_patterns: ['steady'] },
    { id: 'flaky', command: 'echo flaky', expected_patterns: ['never printed'] },
  ],
};

test('a partial run keeps latest.*, shows in the running daemon marked partial, and is not counted over runs anywhere', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-partial-'));
  const reports = join(dir, 'reports');
  const config = join(dir, 'suite.json');
  await writeFile(config, JSON.stringify(SUITE, null, 2));
  const daemon = spawnDaemon(['--config', config, '--reports-dir', reports]);
  t.after(async () => {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  });
  await daemon.ready;

  const whole = [];
  for (let i = 0; i < 2; i++) {
    const exit = await stressdRun(['--config', config, '--reports-dir', reports]);
    assert.equal(exit.code, 0, exit.stderr);
    whole.push(exit);
  }
  const latestBefore = JSON.parse(await readFile(join(reports, SUITE.suite, 'latest.json'), 'utf8')) as { id: string; only?: string[] };
  assert.equal(latestBefore.only, undefined);

  const partial = await stressdRun(['--config', config, '--reports-dir', reports, '--only', 'flaky']);
  assert.equal(partial.code, 1, partial.stderr);
  assert.match(partial.stdout, /\(partial: --only flaky; latest\.\* is left as it is\)/);
  const id = /stressd: run (\S+) of partial_demo/.exec(partial.stdout)?.[1];
  assert.ok(id, partial.stdout);
  // The CLI says the ratio of the two whole runs: the partial one is not counted.
  assert.match(partial.stdout, /^Success\/Failure ratio 2:0 over 2 runs — ratio met/m);
  assert.match(whole[1]?.stdout ?? '', /^Success\/Failure ratio 2:0 over 2 runs/m);

  const own = JSON.parse(await readFile(join(reports, SUITE.suite, `${id}.json`), 'utf8')) as { only?: string[]; graduated: boolean; success_ratio: { text: string } };
  assert.deepEqual(own.only, ['flaky']);
  assert.equal(own.graduated, false);
  const latestAfter = JSON.parse(await readFile(join(reports, SUITE.suite, 'latest.json'), 'utf8')) as { id: string };
  assert.equal(latestAfter.id, latestBefore.id, 'the partial run replaced latest.json');
  assert.doesNotMatch(await readFile(join(reports, SUITE.suite, 'latest.md'), 'utf8'), new RegExp(id));
  assert.match(await readFile(join(reports, SUITE.suite, `${id}.md`), 'utf8'), /\| \*\*Trigger\*\* \| cli, partial: only `flaky` \(not counted over runs\) \|/);

  // The daemon, started before any of these runs, lists all three, the partial one marked.
  const runs = await waitFor(async () => {
    const { body } = await getJson<RunSummary[]>(`${daemon.url}/api/runs`);
    return body.length === 3 ? body : null;
  }, 'the daemon to list the three CLI runs');
  assert.deepEqual(runs.map((r) => [r.partial, r.only ?? null]), [[true, ['flaky']], [false, null], [false, null]]);
  assert.equal(runs[0]?.id, id);

  const page = await (await fetch(`${daemon.url}/`)).text();
  assert.match(page, /<span class="partial"[^>]*>partial<\/span>/);
  assert.match(page, /id="success-ratio">.*Success\/Failure ratio 2:0 over 2 runs/);

  // The gauge: graduated ÷ counted runs, from the same history by the same rule (2 of 2, not 2 of 3).
  const exposition = parsePromText(await (await fetch(`${daemon.url}/metrics`)).text());
  const ratio = samples(exposition, 'stressd_suite_graduated_runs_ratio', { suite: SUITE.suite });
  assert.deepEqual(ratio.map((s) => s.value), [1]);

  // compare: `latest` is latest.json's run, not the partial one; the partial one says what it is and the same ratio.
  const latest = await stressdCli('compare', ['latest', '--reports-dir', reports]);
  assert.equal(latest.code, 0, latest.stderr);
  assert.match(latest.stdout, new RegExp(`^partial_demo: run ${latestBefore.id} against its baseline`));
  const named = await stressdCli('compare', [id, latestBefore.id, '--reports-dir', reports]);
  assert.equal(named.code, 0, named.stderr);
  assert.match(named.stdout, new RegExp(`^${id} is a partial run \\(--only flaky\\): not counted over runs$`, 'm'));
  assert.match(named.stdout, /^Over runs, as \S+ recorded it: Success\/Failure ratio 2:0 over 2 runs/m);
});
