/**
 * A damaged result on disk (a hand edit, a cut write of an older version) is skipped with a
 * warning that names the file and its first problem; the daemon starts, and the routes of that run
 * answer 404, never 500. The file is kept, listed on the status page and in
 * stressd_history_unreadable_files, and the baselines are computed from the runs that do read.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runResult, testResult } from '../fixtures/run-result.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';
import type { RunResult } from '../../src/result/types.ts';
import type { RunSummary } from '../../src/web/http.ts';

const CONFIG = 'test/fixtures/daemon/quick.json';
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];

after(async () => {
  for (const d of daemons) await d.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test('damaged history files are skipped with a warning naming file and problem; the daemon starts and their routes are 404', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-history-damaged-'));
  dirs.push(reportsDir);
  const suiteDir = join(reportsDir, 'daemon_quick');
  await mkdir(suiteDir, { recursive: true });
  const good = runResult({ id: '20261124T100000Z-0001', suite: 'daemon_quick', tests: [testResult({ id: 'hello' })] });
  const nullTest = { ...runResult({ id: '20261124T100000Z-0002', suite: 'daemon_quick' }), tests: [null] };
  const { outcome: _dropped, ...missing } = testResult({ id: 'hello' });
  const missingField = { ...runResult({ id: '20261124T100000Z-0003', suite: 'daemon_quick' }), tests: [missing] };
  await writeFile(join(suiteDir, `${good.id}.json`), JSON.stringify(good));
  await writeFile(join(suiteDir, `${nullTest.id}.json`), JSON.stringify(nullTest));
  await writeFile(join(suiteDir, `${missingField.id}.json`), JSON.stringify(missingField));
  await writeFile(join(suiteDir, '20261124T100000Z-0004.json'), '{"id": "20261124T100000Z-0004", "tests": [');

  const d = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir]);
  daemons.push(d);
  await d.ready;

  const warnings = d.logs.filter((l) => l.msg === 'history: skipped a file');
  const why = (id: string): string => String(warnings.find((l) => String(l.path).endsWith(`${id}.json`))?.why ?? '');
  assert.match(why(nullTest.id), /tests\[0\]/, 'the null test is named');
  assert.match(why(missingField.id), /tests\[0\]\.outcome/, 'the missing field is named');
  assert.ok(why('20261124T100000Z-0004') !== '', 'the cut JSON is skipped too');
  assert.equal(warnings.length, 3);

  const list = (await (await fetch(`${d.url}/api/runs`)).json()) as { id: string }[];
  assert.deepEqual(list.map((r) => r.id), [good.id]);
  assert.equal((await fetch(`${d.url}/api/runs/${good.id}`)).status, 200);
  for (const id of [nullTest.id, missingField.id, '20261124T100000Z-0004']) {
    for (const route of [`/api/runs/${id}`, `/api/runs/${id}/report`, `/api/runs/${id}/report.html`, `/api/runs/${id}/tests/hello/log`]) {
      const res = await fetch(`${d.url}${route}`);
      await res.arrayBuffer();
      assert.equal(res.status, 404, `${route} answers ${res.status}`);
    }
  }
});

test('an unreadable file is kept and listed on the page with its path and problem, counted in the gauge, and the baselines are those of the readable runs', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-history-unreadable-'));
  dirs.push(reportsDir);
  const suiteDir = join(reportsDir, 'daemon_quick');
  await mkdir(suiteDir, { recursive: true });
  // Five readable runs of `hello` (its real command) with output_bytes 100…104, and a newer damaged file.
  const command = 'echo hello stressd world';
  for (let i = 0; i < 5; i++) {
    const at = `2026-11-24T10:0${i}:00.000Z`;
    const run = runResult({
      id: `20261124T100${i}00Z-000${i}`, suite: 'daemon_quick', started_at: at, ended_at: at,
      tests: [testResult({ id: 'hello', command, output_bytes: 100 + i, started_at: at, ended_at: at })],
    });
    await writeFile(join(suiteDir, `${run.id}.json`), JSON.stringify(run));
  }
  const damagedPath = join(suiteDir, '20261124T101000Z-0009.json');
  const damaged = JSON.stringify({ ...runResult({ id: '20261124T101000Z-0009', suite: 'daemon_quick' }), tests: [{ id: 'hello', output_bytes: 1 }] });
  await writeFile(damagedPath, damaged);

  const d = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir, '--run-on-start']);
  daemons.push(d);
  await d.ready;
  const summary = await waitFor(async () => {
    const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
    return body.find((r) => r.status !== 'running' && r.trigger === 'start');
  }, 'the run at start', 60_000);

  // Kept, byte for byte; listed on the page with its path and problem; one gauge series at 1.
  assert.equal(await readFile(damagedPath, 'utf8'), damaged);
  const problem = String(d.logs.find((l) => l.msg === 'history: skipped a file' && l.path === damagedPath)?.why ?? assert.fail('no warning for the damaged file'));
  const html = await (await fetch(`${d.url}/`, { headers: { accept: 'text/html' } })).text();
  const section = /<section id="unreadable">[\s\S]*?<\/section>/.exec(html)?.[0] ?? assert.fail('no unreadable section on the page');
  assert.match(section, /Unreadable files \(1\)/);
  assert.ok(section.includes(`<code>${damagedPath}</code>`), section);
  assert.ok(section.includes(escapeHtml(problem.slice(0, 40))), `the problem ${problem} is on the page`);
  const expo = parsePromText(await (await fetch(`${d.url}/metrics`)).text());
  const series = samples(expo, 'stressd_history_unreadable_files');
  assert.equal(series.length, 1, JSON.stringify(series));
  assert.equal(series[0]?.value, 1);
  assert.equal(series[0]?.labels.path, damagedPath);

  // The new run's baseline is the five readable runs, none of the damaged one, nothing else missing.
  const run = (await getJson<RunResult>(`${d.url}/api/runs/${summary.id}`)).body;
  const hello = run.tests.find((t) => t.id === 'hello') ?? assert.fail('no hello result');
  const bytes = hello.regressions?.find((r) => r.measure === 'output_bytes') ?? assert.fail('no output_bytes verdict');
  assert.equal(bytes.baseline?.n, 5);
  assert.equal(bytes.baseline?.median, 102);
  const listed = (await getJson<RunSummary[]>(`${d.url}/api/runs`)).body.map((r) => r.id);
  assert.equal(listed.length, 6, listed.join(', '));
  assert.ok(!listed.includes('20261124T101000Z-0009'));
});

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
