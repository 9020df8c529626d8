import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StressdError } from '../../src/errors.ts';
import { writeReport } from '../../src/report/writer.ts';
import { runResult } from './run-result.ts';

describe('writeReport', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stressd-report-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes <suite>/<runId>.md and .json, plus latest.md and latest.json, and leaves no temp file', async () => {
    const result = runResult({ id: '20261124T101500Z-aaaa' });
    const paths = await writeReport(result, dir);
    assert.equal(paths.markdownPath, join(dir, 'demo', '20261124T101500Z-aaaa.md'));
    assert.equal(paths.jsonPath, join(dir, 'demo', '20261124T101500Z-aaaa.json'));
    const files = (await readdir(join(dir, 'demo'))).sort();
    assert.deepEqual(files, ['20261124T101500Z-aaaa.json', '20261124T101500Z-aaaa.md', 'latest.json', 'latest.md']);
    assert.deepEqual(JSON.parse(await readFile(paths.jsonPath, 'utf8')), result);
    assert.match(await readFile(paths.markdownPath, 'utf8'), /^# Stress test report: demo, run 20261124T101500Z-aaaa/);
  });

  it('points latest at the newest run and never back at an older one written later', async () => {
    await writeReport(runResult({ id: '20261124T103000Z-bbbb' }), dir);
    assert.match(await readFile(join(dir, 'demo', 'latest.md'), 'utf8'), /run 20261124T103000Z-bbbb/);
    await writeReport(runResult({ id: '20261124T100000Z-cccc' }), dir);
    assert.equal(JSON.parse(await readFile(join(dir, 'demo', 'latest.json'), 'utf8')).id, '20261124T103000Z-bbbb');
    assert.match(await readFile(join(dir, 'demo', 'latest.md'), 'utf8'), /run 20261124T103000Z-bbbb/);
    const leftovers = (await readdir(join(dir, 'demo'))).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
  });

  it('survives concurrent writes of different runs with whole files only, latest being the newest', async () => {
    const ids = ['20261124T110000Z-0001', '20261124T110000Z-0002', '20261124T110000Z-0003'];
    await Promise.all(ids.map((id) => writeReport(runResult({ id }), dir)));
    for (const id of ids) assert.equal(JSON.parse(await readFile(join(dir, 'demo', `${id}.json`), 'utf8')).id, id);
    assert.equal(JSON.parse(await readFile(join(dir, 'demo', 'latest.json'), 'utf8')).id, '20261124T110000Z-0003');
    assert.match(await readFile(join(dir, 'demo', 'latest.md'), 'utf8'), /run 20261124T110000Z-0003/);
    assert.deepEqual((await readdir(join(dir, 'demo'))).filter((f) => f.endsWith('.tmp')), []);
  });

  it('two runs in one second: latest is the one started later, whatever the ids\' random tails say', async () => {
    const first = runResult({ id: '20261124T120000Z-ffff', started_at: '2026-11-24T12:00:00.100Z' });
    const second = runResult({ id: '20261124T120000Z-0001', started_at: '2026-11-24T12:00:00.900Z' });
    await writeReport(first, dir);
    await writeReport(second, dir);
    assert.equal(JSON.parse(await readFile(join(dir, 'demo', 'latest.json'), 'utf8')).id, second.id);
    assert.match(await readFile(join(dir, 'demo', 'latest.md'), 'utf8'), /run 20261124T120000Z-0001/);
    await writeReport(first, dir); // a re-render of the older one, late
    assert.equal(JSON.parse(await readFile(join(dir, 'demo', 'latest.json'), 'utf8')).id, second.id);
  });

  it('refuses a suite label or run id that could escape the reports dir', async () => {
    await assert.rejects(writeReport(runResult({ suite: '../etc' }), dir), (err: unknown) => err instanceof StressdError && /suite label/.test(err.message));
    await assert.rejects(writeReport(runResult({ id: 'a/../../b' }), dir), (err: unknown) => err instanceof StressdError && /run id/.test(err.message));
  });
});
