import { test } from 'node:test';
import { runResult } from '../fixtures/run-result.ts';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyRetention } from '../../src/store/retention.ts';
import { RetentionSchema } from '../../src/config/schema.ts';

const RETENTION_DEFAULTS = RetentionSchema.parse({});
import { History } from '../../src/store/history.ts';
import { currentOwner } from '../../src/store/journal-owner.ts';
import { ConfigSchema } from '../../src/config/schema.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);

/** A run id for `daysAgo` days before NOW (ids carry their start time). */
function idAt(daysAgo: number, n = 0): string {
  const stamp = new Date(NOW - daysAgo * DAY + n * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${n.toString(16).padStart(4, '0')}`;
}

/** A suite folder with one run per id: .json, .md and a log folder of `logBytes`. */
async function folder(ids: string[], logBytes = 10): Promise<{ reports: string; dir: string }> {
  const reports = await mkdtemp(join(tmpdir(), 'stressd-retention-'));
  const dir = join(reports, 's');
  await mkdir(dir, { recursive: true });
  for (const id of ids) {
    const run = JSON.stringify({ id, suite: 's', status: 'finished', started_at: new Date(NOW).toISOString(), tests: [] });
    await writeFile(join(dir, `${id}.json`), run);
    await writeFile(join(dir, `${id}.md`), `# run ${id}\n`);
    await mkdir(join(dir, id));
    await writeFile(join(dir, id, 't.log'), 'x'.repeat(logBytes));
  }
  const newest = ids.at(-1);
  if (newest) {
    await writeFile(join(dir, 'latest.json'), await readFile(join(dir, `${newest}.json`)));
    await writeFile(join(dir, 'latest.md'), await readFile(join(dir, `${newest}.md`)));
  }
  return { reports, dir };
}

const runsIn = async (dir: string): Promise<string[]> => (await readdir(dir)).filter((n) => n.endsWith('.json') && n !== 'latest.json').map((n) => n.slice(0, -5)).sort();

test('max_runs: the oldest go first, each with its markdown and its log folder', async () => {
  const ids = [idAt(3), idAt(2), idAt(1), idAt(0)];
  const { reports, dir } = await folder(ids);
  try {
    const r = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_runs: 2 }, NOW);
    assert.deepEqual(r.removed, ids.slice(0, 2));
    assert.deepEqual(await runsIn(dir), ids.slice(2));
    const left = await readdir(dir);
    for (const gone of ids.slice(0, 2)) for (const n of [gone, `${gone}.md`]) assert.ok(!left.includes(n), `${n} removed`);
    assert.equal(JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')).id, ids[3]);
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('max_age_days: runs started before the cutoff go, by the start time in their id', async () => {
  const ids = [idAt(40), idAt(31), idAt(29), idAt(1)];
  const { reports, dir } = await folder(ids);
  try {
    const r = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_age_days: 30 }, NOW);
    assert.deepEqual(r.removed, ids.slice(0, 2));
    assert.deepEqual(await runsIn(dir), ids.slice(2));
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('max_bytes: the oldest go until the suite folder (reports and logs) is within the bound', async () => {
  const ids = [idAt(0, 1), idAt(0, 2), idAt(0, 3), idAt(0, 4)];
  const { reports, dir } = await folder(ids, 1000);
  try {
    const r = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_bytes: 2500 }, NOW);
    assert.deepEqual(r.removed, ids.slice(0, 2));
    assert.ok(r.bytes <= 2500 && r.bytes > 2000, `kept ${r.bytes} bytes`);
    assert.deepEqual(await runsIn(dir), ids.slice(2));
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('within every bound nothing is touched; files stressd did not name are never removed', async () => {
  const ids = [idAt(2), idAt(1)];
  const { reports, dir } = await folder(ids);
  await writeFile(join(dir, 'notes.txt'), 'mine');
  try {
    assert.deepEqual((await applyRetention(reports, 's', RETENTION_DEFAULTS, NOW)).removed, []);
    await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_age_days: 0.5 }, NOW);
    assert.ok((await readdir(dir)).includes('notes.txt'));
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('latest.* never name a removed run: re-written from the newest kept, or removed with the last', async () => {
  const ids = [idAt(50), idAt(40)];
  const { reports, dir } = await folder(ids);
  try {
    // No finished run among them (both aborted): every one may go, and latest.* with them.
    for (const id of ids) await writeFile(join(dir, `${id}.json`), JSON.stringify({ id, suite: 's', status: 'aborted', tests: [] }));
    await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_age_days: 30 }, NOW);
    const left = await readdir(dir);
    assert.ok(!left.includes('latest.json') && !left.includes('latest.md'), left.join(','));
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
  // latest.json naming an old run (written out of order) is re-pointed at the newest kept.
  const second = await folder([idAt(50), idAt(1)]);
  await writeFile(join(second.dir, 'latest.json'), await readFile(join(second.dir, `${idAt(50)}.json`)));
  try {
    await applyRetention(second.reports, 's', { ...RETENTION_DEFAULTS, max_age_days: 30 }, NOW);
    assert.equal(JSON.parse(await readFile(join(second.dir, 'latest.json'), 'utf8')).id, idAt(1));
    assert.equal(await readFile(join(second.dir, 'latest.md'), 'utf8'), `# run ${idAt(1)}\n`);
  } finally {
    await rm(second.reports, { recursive: true, force: true });
  }
});

test('the newest finished run is never removed: not by age, not by count, not when it alone is over max_bytes (named as oversize)', async () => {
  const ids = [idAt(50), idAt(45), idAt(40)];
  const { reports, dir } = await folder(ids, 30_000);
  try {
    const r = await applyRetention(reports, 's', { max_age_days: 30, max_runs: 1, max_bytes: 20_000 }, NOW);
    assert.deepEqual(r.removed, ids.slice(0, 2));
    assert.deepEqual(await runsIn(dir), [ids[2]]);
    assert.equal(r.kept, 1);
    assert.deepEqual(r.oversize.map((o) => o.id), [ids[2]]);
    assert.ok((r.oversize[0]?.bytes ?? 0) > 30_000);
    assert.equal(JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')).id, ids[2]);
    assert.ok((await readdir(join(dir, ids[2] ?? ''))).includes('t.log'), 'its logs stay');
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('two runs in one second: the one started later is the newer, whatever the ids\' random tails say (the run just written stays)', async () => {
  const { reports, dir } = await folder([]);
  try {
    const older = '20261130T120000Z-ffff';
    const newer = '20261130T120000Z-0001';
    for (const [id, at] of [[older, '2026-11-30T12:00:00.100Z'], [newer, '2026-11-30T12:00:00.900Z']] as const) {
      await writeFile(join(dir, `${id}.json`), JSON.stringify({ id, suite: 's', status: 'finished', started_at: at, tests: [] }));
      await writeFile(join(dir, `${id}.md`), `# run ${id}\n`);
    }
    await writeFile(join(dir, 'latest.json'), await readFile(join(dir, `${newer}.json`)));
    const r = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_runs: 1 }, NOW);
    assert.deepEqual(r.removed, [older]);
    assert.deepEqual(await runsIn(dir), [newer]);
    assert.equal(JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')).id, newer);
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('a run in flight is never removed: its journal\'s owner lives (this process), or the caller names it', async () => {
  const ids = [idAt(3), idAt(2), idAt(1), idAt(0)];
  const { reports, dir } = await folder(ids, 30_000);
  try {
    // The oldest is a journal this process writes; the newest (finished) one is kept as the newest finished.
    await writeFile(join(dir, `${ids[0]}.json`), JSON.stringify({ id: ids[0], suite: 's', status: 'running', tests: [], journal: { ...currentOwner(), current_test: null } }));
    const r = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_runs: 1 }, NOW, new Set([ids[1] ?? '']));
    assert.deepEqual(r.removed, [ids[2]]);
    assert.deepEqual(await runsIn(dir), [ids[0], ids[1], ids[3]]);
    // A journal whose owner is gone (a pid of an earlier boot) is no run in flight.
    await writeFile(join(dir, `${ids[0]}.json`), JSON.stringify({ id: ids[0], suite: 's', status: 'running', tests: [], journal: { ...currentOwner(), current_test: null, boot_id: 'an-earlier-boot' } }));
    const again = await applyRetention(reports, 's', { ...RETENTION_DEFAULTS, max_runs: 1 }, NOW);
    assert.deepEqual(again.removed, [ids[0], ids[1]]);
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('a missing suite folder is no error', async () => {
  const r = await applyRetention(join(tmpdir(), 'stressd-no-such-dir-xyz'), 's', RETENTION_DEFAULTS, NOW);
  assert.deepEqual(r, { removed: [], kept: 0, bytes: 0, oversize: [] });
});

test('the history load at start reads at most `limit` files per suite, the newest', async () => {
  const ids = Array.from({ length: 12 }, (_, i) => idAt(0, i));
  const { reports, dir } = await folder(ids);
  // History reads results through the schema: these must be whole RunResults.
  for (const id of ids) await writeFile(join(dir, `${id}.json`), JSON.stringify(runResult({ id, suite: 's', started_at: new Date(NOW).toISOString(), tests: [] })));
  try {
    const h = new History({ reportsDir: reports, limit: 5 });
    assert.equal(await h.load(), 5);
    assert.deepEqual(h.runs().map((r) => r.id).sort(), ids.slice(7));
    // Older runs stay readable by id; forgotten ones leave memory.
    assert.equal((await h.get(ids[0] as string))?.run.id, ids[0]);
    h.forget([ids[11] as string]);
    assert.equal(h.runs().length, 4);
  } finally {
    await rm(reports, { recursive: true, force: true });
  }
});

test('config: `retention` defaults to 30 days, 1000 runs, 1 GiB; bad values are refused', () => {
  const parsed = ConfigSchema.parse({ tests: [{ id: 'a', command: 'echo' }] });
  assert.deepEqual(parsed.retention, { max_age_days: 30, max_runs: 1000, max_bytes: 1024 ** 3 });
  assert.equal(ConfigSchema.safeParse({ tests: [{ id: 'a', command: 'echo' }], retention: { max_runs: 0 } }).success, false);
  assert.equal(ConfigSchema.parse({ tests: [{ id: 'a', command: 'echo' }], retention: { max_runs: 5 } }).retention.max_runs, 5);
});
