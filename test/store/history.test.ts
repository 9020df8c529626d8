import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { History } from '../../src/store/history.ts';
import { isValidRunId } from '../../src/result/id.ts';
import { runResult } from '../fixtures/daemon/results.ts';

async function withReports(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-history-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function put(dir: string, suite: string, name: string, content: string): Promise<void> {
  await mkdir(join(dir, suite), { recursive: true });
  await writeFile(join(dir, suite, name), content);
}

test('reloads past runs from <reportsDir>/*/*.json, newest first, skipping latest.json', async () => {
  await withReports(async (dir) => {
    const older = runResult({ id: '20261124T101500Z-aaaa', started_at: '2026-11-24T10:15:00.000Z' });
    const newer = runResult({ id: '20261124T111500Z-bbbb', started_at: '2026-11-24T11:15:00.000Z' });
    const other = runResult({ id: '20261124T103000Z-cccc', suite: 'other', started_at: '2026-11-24T10:30:00.000Z' });
    await put(dir, 'demo', `${older.id}.json`, JSON.stringify(older));
    await put(dir, 'demo', `${newer.id}.json`, JSON.stringify(newer));
    await put(dir, 'other', `${other.id}.json`, JSON.stringify(other));
    await put(dir, 'demo', 'latest.json', JSON.stringify(runResult({ id: '20991231T000000Z-ffff' })));
    const history = new History({ reportsDir: dir });
    assert.equal(await history.load(), 3);
    assert.deepEqual(history.runs().map((r) => r.id), [newer.id, other.id, older.id]);
  });
});

test('skips unreadable and foreign JSON files with a warning each', async () => {
  await withReports(async (dir) => {
    await put(dir, 'demo', 'broken.json', '{ not json');
    await put(dir, 'demo', 'foreign.json', JSON.stringify({ hello: 'world' }));
    await put(dir, 'demo', '20261124T101500Z-aaaa.json', JSON.stringify(runResult({ id: '20261124T101500Z-aaaa' })));
    const warnings: string[] = [];
    const history = new History({ reportsDir: dir, warn: (path) => warnings.push(path) });
    assert.equal(await history.load(), 1);
    assert.deepEqual(warnings.map((p) => p.split('/').pop()).sort(), ['broken.json', 'foreign.json']);
  });
});

test('a missing reports dir is an empty history, not an error', async () => {
  const history = new History({ reportsDir: join(tmpdir(), 'stressd-does-not-exist-' + process.pid) });
  assert.equal(await history.load(), 0);
  assert.deepEqual(history.runs(), []);
});

test('keeps only the newest runs in memory, yet finds older ones on disk by id', async () => {
  await withReports(async (dir) => {
    const ids = ['20261124T100000Z-0001', '20261124T100100Z-0002', '20261124T100200Z-0003'];
    for (const [i, id] of ids.entries()) {
      await put(dir, 'demo', `${id}.json`, JSON.stringify(runResult({ id, started_at: `2026-11-24T10:0${i}:00.000Z` })));
    }
    const history = new History({ reportsDir: dir, limit: 2 });
    await history.load();
    assert.deepEqual(history.runs().map((r) => r.id), [ids[2], ids[1]]);
    const oldest = await history.get(ids[0] ?? '');
    assert.equal(oldest?.run.id, ids[0]);
    assert.equal(oldest?.markdownPath, join(dir, 'demo', `${ids[0]}.md`));
  });
});

test('add() puts a new run first and keeps the bound', async () => {
  await withReports(async (dir) => {
    const history = new History({ reportsDir: dir, limit: 2 });
    await history.load();
    for (const id of ['20261124T100000Z-0001', '20261124T100100Z-0002', '20261124T100200Z-0003']) {
      history.add({ run: runResult({ id, started_at: new Date(Date.parse('2026-11-24T10:00:00Z') + Number(id.slice(-1)) * 60_000).toISOString() }), jsonPath: null, markdownPath: null });
    }
    assert.deepEqual(history.runs().map((r) => r.id), ['20261124T100200Z-0003', '20261124T100100Z-0002']);
  });
});

test('refuses ids that could walk out of the reports dir', async () => {
  await withReports(async (dir) => {
    await put(dir, 'demo', 'secret.json', JSON.stringify(runResult({ id: 'secret' })));
    const history = new History({ reportsDir: join(dir, 'sub') });
    for (const id of ['../demo/secret', '..', 'a/b', '.hidden', '']) {
      assert.equal(isValidRunId(id), false, id);
      assert.equal(await history.get(id), null);
    }
    assert.equal(isValidRunId('20261124T101500Z-3f9a'), true);
  });
});

test('refresh() adds runs another process wrote, re-lists a suite dir only when its mtime moved, and waits for a running one to finish', async () => {
  await withReports(async (dir) => {
    const { utimes } = await import('node:fs/promises');
    const first = runResult({ id: '20261124T100000Z-0001', started_at: '2026-11-24T10:00:00.000Z' });
    await put(dir, 'demo', `${first.id}.json`, JSON.stringify(first));
    const history = new History({ reportsDir: dir });
    await history.load();
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, 'demo'), past, past);
    assert.deepEqual(await history.refresh(), [], 'nothing new');

    // A file the dir's mtime does not show (set back by hand) is not looked for: the listing was skipped.
    const hidden = runResult({ id: '20261124T100100Z-0002', started_at: '2026-11-24T10:01:00.000Z' });
    await put(dir, 'demo', `${hidden.id}.json`, JSON.stringify(hidden));
    await utimes(join(dir, 'demo'), past, past);
    assert.deepEqual(await history.refresh(), []);
    // Once the mtime moves, it is read.
    const now = new Date();
    await utimes(join(dir, 'demo'), now, now);
    assert.deepEqual((await history.refresh()).map((r) => r.id), [hidden.id]);

    // A run still going is not added, and its dir is looked at again until it ends.
    const going = runResult({ id: '20261124T100200Z-0003', started_at: '2026-11-24T10:02:00.000Z', status: 'running' });
    await put(dir, 'demo', `${going.id}.json`, JSON.stringify(going));
    assert.deepEqual(await history.refresh(), []);
    await put(dir, 'demo', `${going.id}.json`, JSON.stringify({ ...going, status: 'finished' }));
    await utimes(join(dir, 'demo'), past, past);
    assert.deepEqual((await history.refresh()).map((r) => r.id), [going.id]);
    assert.deepEqual(history.runs().map((r) => r.id), [going.id, hidden.id, first.id]);
  });
});
