/**
 * Retention under the real daemon (DESIGN section 3) with `retention.max_bytes` smaller than one
 * run: the run just written is the suite's newest finished run, so it stays whole — its JSON, its
 * report and its log — and a warning names it; the API lists it. Over several runs the older ones
 * go (from disk and from /api/runs), the newest finished never does, and latest.* name it.
 * The runs follow each other within a second or so: two of them often share the second their ids
 * carry, which is what once made retention remove the run just written (ordered by the ids'
 * random tails) — retention and latest.* now order such ties by started_at.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/result/types.ts';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';

const SUITE = 'daemon_retention';
const MAX_BYTES = 20_000;
const OUTPUT_BYTES = 3_000 * 11;
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];

after(async () => {
  for (const d of daemons) await d.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

test('max_bytes smaller than one run: each run is kept whole and named in a warning, older runs go, the newest finished never does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-retention-'));
  dirs.push(dir);
  const config = join(dir, 'suite.json');
  const reportsDir = join(dir, 'reports');
  const suiteDir = join(reportsDir, SUITE);
  await writeFile(config, JSON.stringify({
    suite: SUITE, executor: 'embedded', pause_between_tests: 0, sample_interval_ms: 100, timeout: 30,
    retention: { max_bytes: MAX_BYTES },
    tests: [{ id: 'chatty', name: 'Prints 33 kB', command: 'yes 0123456789 | head -n 3000', expected_patterns: ['0123456789'] }],
  }));
  const d = spawnDaemon(['--config', config, '--reports-dir', reportsDir, '--run-on-start']);
  daemons.push(d);
  await d.ready;

  /** The run `id` to its end, retention included (its warning is the last thing its end logs). */
  const settled = async (id: string | null): Promise<RunResult> => {
    const summary = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
      return body.find((r) => (id === null || r.id === id) && r.status !== 'running');
    }, `run ${id ?? 'at start'} finished`, 60_000);
    const warning = await d.waitLog((l) => l.msg === 'retention: a run larger than max_bytes on its own is kept (the newest finished run, or one in flight)' && l.runId === summary.id, `the retention warning for ${summary.id}`);
    assert.equal(warning.suite, SUITE);
    assert.equal(warning.max_bytes, MAX_BYTES);
    assert.ok(Number(warning.bytes) > MAX_BYTES, `the run's size ${String(warning.bytes)} is over the bound`);
    return (await getJson<RunResult>(`${d.url}/api/runs/${summary.id}`)).body;
  };

  const seen: RunResult[] = [];
  for (let n = 0; n < 3; n++) {
    let id: string | null = null;
    if (n > 0) {
      const started = await getJson<{ id: string }>(`${d.url}/api/runs`, { method: 'POST' });
      assert.equal(started.status, 202);
      id = started.body.id;
    }
    const run = await settled(id);
    seen.push(run);
    assert.equal(run.status, 'finished');
    const chatty = run.tests[0] ?? assert.fail('no test result');
    assert.equal(chatty.output_bytes, OUTPUT_BYTES);
    assert.equal(chatty.log_complete, true);

    // The newest finished run is whole: JSON, report, log, and latest.* are its copies.
    const json = JSON.parse(await readFile(join(suiteDir, `${run.id}.json`), 'utf8')) as RunResult;
    assert.equal(json.id, run.id);
    assert.match(await readFile(join(suiteDir, `${run.id}.md`), 'utf8'), new RegExp(run.id));
    const logPath = chatty.log_path ?? assert.fail('no log path');
    assert.ok(logPath.startsWith(join(suiteDir, run.id)), logPath);
    assert.equal((await stat(logPath)).size, OUTPUT_BYTES);
    assert.equal((JSON.parse(await readFile(join(suiteDir, 'latest.json'), 'utf8')) as RunResult).id, run.id);

    // The older runs are gone, every file of them, and from the API too.
    for (const old of seen.slice(0, -1)) {
      for (const path of [`${old.id}.json`, `${old.id}.md`, old.id]) assert.equal(await exists(join(suiteDir, path)), false, `${path} of an older run is removed`);
      assert.equal((await fetch(`${d.url}/api/runs/${old.id}`)).status, 404);
    }
    const listed = (await getJson<RunSummary[]>(`${d.url}/api/runs`)).body.map((r) => r.id);
    assert.deepEqual(listed, [run.id]);
    const left = (await readdir(suiteDir)).filter((f) => !f.startsWith('latest.')).sort();
    assert.deepEqual(left, [run.id, `${run.id}.json`, `${run.id}.md`].sort());
  }
  assert.equal(d.logs.filter((l) => l.msg === 'retention: removed old runs').length, 2, 'runs 2 and 3 each removed the one before');
});
