/** The real daemon's triggers: cron fires, API triggers with a token, overlap refusal, bad starts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';

const CONFIG = 'test/fixtures/daemon/short-sleep.json';
const SUITE = { suite: 'daemon_short' };

async function withDaemon(args: string[], env: Record<string, string>, fn: (url: string, logs: Record<string, unknown>[]) => Promise<void>): Promise<void> {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-daemon-sched-'));
  const d = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir, ...args], env);
  try {
    await d.ready;
    await fn(d.url, d.logs);
  } finally {
    await d.stop();
    await rm(reportsDir, { recursive: true, force: true });
  }
}

async function scrape(url: string) {
  return parsePromText(await (await fetch(`${url}/metrics`)).text());
}

test('with STRESSD_TOKEN set, POST /api/runs is 401 without the bearer, 202 with it, and 409 while that run goes', async () => {
  await withDaemon([], { STRESSD_TOKEN: 'tok-123' }, async (url) => {
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status, 401);
    const auth = { authorization: 'Bearer tok-123' };
    const started = await getJson<{ id: string; status: string }>(`${url}/api/runs`, { method: 'POST', headers: auth });
    assert.equal(started.status, 202);
    assert.equal(started.body.status, 'running');
    const again = await getJson<{ id: string }>(`${url}/api/runs`, { method: 'POST', headers: auth });
    assert.deepEqual([again.status, again.body.id], [409, started.body.id]);
    assert.equal(valueOf(await scrape(url), 'stressd_run_skipped_total', { ...SUITE, cause: 'busy_api' }), 1);
    const done = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${url}/api/runs`, { headers: auth });
      return body.find((r) => r.id === started.body.id && r.status !== 'running');
    }, 'the API-triggered run to finish');
    assert.deepEqual([done.trigger, done.tests_passed, done.tests_total], ['api', 1, 1]);
  });
});

test('the next-run gauge moves forward after a scheduled fire, and a fire during a run is skipped, logged and counted', async () => {
  await withDaemon(['--schedule', '*/2 * * * * *'], {}, async (url, logs) => {
    const before = valueOf(await scrape(url), 'stressd_run_next_timestamp_seconds', SUITE);
    assert.ok(before * 1000 > Date.now() - 1000, 'the next run is in the future at start');
    const ready = await getJson<{ schedule: string; next_run: string }>(`${url}/readyz`);
    assert.equal(ready.body.schedule, '*/2 * * * * *');
    const scheduled = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${url}/api/runs`);
      return body.find((r) => r.trigger === 'schedule');
    }, 'a scheduled run', 10_000);
    const after = valueOf(await scrape(url), 'stressd_run_next_timestamp_seconds', SUITE);
    assert.ok(after > before, `next run moved forward: ${before} → ${after}`);
    // The run takes ~3.2 s and the schedule fires every 2 s: at least one fire finds it going.
    const skipped = await waitFor(async () => {
      const expo = await scrape(url);
      const s = samples(expo, 'stressd_run_skipped_total', SUITE)[0];
      return s && s.value >= 1 ? s.value : null;
    }, 'a skipped scheduled trigger', 10_000);
    assert.ok(skipped >= 1);
    assert.ok(logs.some((l) => l.msg === 'run skipped: a run of this suite is still going' && l.trigger === 'schedule' && l.runId === scheduled.id));
    const page = await (await fetch(`${url}/`)).text();
    assert.match(page, /\*\/2 \* \* \* \* \*/);
  });
});

/** Starts a daemon on test/fixtures/daemon/scheduled.json, hands it to `fn`, stops it. */
async function withScheduledDaemon<T>(args: string[], env: Record<string, string>, fn: (url: string) => Promise<T>): Promise<T> {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-daemon-opts-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/scheduled.json', '--reports-dir', reportsDir, ...args], env);
  try {
    await d.ready;
    return await fn(d.url);
  } finally {
    await d.stop();
    await rm(reportsDir, { recursive: true, force: true });
  }
}

async function scheduleOf(args: string[], env: Record<string, string>): Promise<string | null> {
  return withScheduledDaemon(args, env, async (url) => (await getJson<{ schedule: string | null }>(`${url}/readyz`)).body.schedule);
}

test('the schedule comes from --schedule, else STRESSD_SCHEDULE, else the config (an empty variable counts as unset)', async () => {
  assert.equal(await scheduleOf([], {}), '0 0 1 1 *');
  assert.equal(await scheduleOf([], { STRESSD_SCHEDULE: '0 0 2 1 *' }), '0 0 2 1 *');
  assert.equal(await scheduleOf(['--schedule', '0 0 3 1 *'], { STRESSD_SCHEDULE: '0 0 2 1 *' }), '0 0 3 1 *');
  assert.equal(await scheduleOf([], { STRESSD_SCHEDULE: '' }), '0 0 1 1 *');
});

test('STRESSD_RUN_ON_START is read by value: true starts a run at start, false does not, a typo exits 2', async () => {
  // The start trigger is pulled in the same tick as the "listening" line: the first listing already shows it.
  const list = (env: Record<string, string>, args: string[] = []) =>
    withScheduledDaemon(args, env, async (url) => (await getJson<RunSummary[]>(`${url}/api/runs`)).body.map((r) => r.trigger));
  assert.deepEqual(await list({ STRESSD_RUN_ON_START: 'true' }), ['start']);
  assert.deepEqual(await list({ STRESSD_RUN_ON_START: 'false' }), []);
  assert.deepEqual(await list({ STRESSD_RUN_ON_START: '0' }, ['--run-on-start']), ['start'], 'the flag wins');
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/scheduled.json'], { STRESSD_RUN_ON_START: 'sometimes' });
  assert.equal((await d.exited).code, 2);
  assert.match(d.stderr(), /STRESSD_RUN_ON_START: expected true\/false/);
});

test('--token protects POST /api/runs like STRESSD_TOKEN', async () => {
  await withScheduledDaemon(['--token', 'flag-tok'], {}, async (url) => {
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST', headers: { authorization: 'Bearer flag-tok' } })).status, 202);
  });
});

test('refuses to listen beyond loopback without a token: exit 2 with a clear message, nothing started', async () => {
  const d = spawnDaemon(['--config', CONFIG, '--host', '0.0.0.0']);
  const { code } = await d.exited;
  assert.equal(code, 2);
  assert.match(d.stderr(), /refusing to listen on 0\.0\.0\.0 without a token; set STRESSD_TOKEN/);
  assert.equal(d.logs.length, 0);
});

test('a bad config exits 2 with one line per problem on stderr', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-daemon-badcfg-'));
  try {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ tests: [{ id: 'x', command: 42 }], timeout: 'soon' }));
    const d = spawnDaemon(['--config', path]);
    const { code } = await d.exited;
    assert.equal(code, 2);
    const [head, ...lines] = d.stderr().trim().split('\n');
    assert.match(head ?? '', /^stressd: config error in .*bad\.json \(2 problems\):$/);
    assert.equal(lines.length, 2, d.stderr());
    for (const line of lines) assert.match(line, /^ {2}.*bad\.json:1:\d+: \$\.(tests\[0\]\.command|timeout): /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an invalid --schedule exits 2', async () => {
  const d = spawnDaemon(['--config', CONFIG, '--schedule', 'every tuesday']);
  assert.equal((await d.exited).code, 2);
  assert.match(d.stderr(), /schedule: expected a cron expression/);
});
