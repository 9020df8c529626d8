/**
 * A damaged result on disk (a hand edit, a cut write of an older version) is skipped with a
 * warning that names the file and its first problem; the daemon starts, and the routes of that run
 * answer 404, never 500.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runResult, testResult } from '../fixtures/run-result.ts';
import { spawnDaemon, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';

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
