/** Several suites in one real daemon (DESIGN section 4): own schedules, no overlap, max_concurrent_runs and its queue, the API by suite. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';

const SUITES_DIR = 'test/fixtures/daemon/suites';

async function withDaemon(args: string[], env: Record<string, string>, fn: (d: DaemonProcess) => Promise<void>): Promise<void> {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-daemon-suites-'));
  const d = spawnDaemon(['--reports-dir', reportsDir, ...args], env);
  try {
    await d.ready;
    await fn(d);
  } finally {
    await d.stop();
    await rm(reportsDir, { recursive: true, force: true });
  }
}

async function scrape(url: string) {
  return parsePromText(await (await fetch(`${url}/metrics`)).text());
}

async function runsOf(url: string, suite?: string): Promise<RunSummary[]> {
  const { status, body } = await getJson<RunSummary[]>(`${url}/api/runs${suite ? `?suite=${encodeURIComponent(suite)}` : ''}`);
  assert.equal(status, 200);
  return body;
}

/** Finished runs never overlap when at most one run may be in flight. */
function assertSequential(runs: readonly RunSummary[]): void {
  const sorted = runs.filter((r) => r.ended_at !== null).sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  for (let k = 1; k < sorted.length; k += 1) {
    const prev = sorted[k - 1]!;
    const next = sorted[k]!;
    assert.ok(Date.parse(next.started_at) >= Date.parse(prev.ended_at ?? ''), `${next.suite} ${next.id} started before ${prev.suite} ${prev.id} ended`);
  }
}

function post(url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  return getJson<Record<string, unknown>>(`${url}/api/runs`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

test('a directory of two suites on two per-second schedules: each runs on its own, none overlaps, the limit of 1 queues the other', async () => {
  await withDaemon(['--config', SUITES_DIR], {}, async ({ url, logs }) => {
    const ready = await getJson<{ suites: { suite: string; schedule: string }[] }>(`${url}/readyz`);
    assert.deepEqual(ready.body.suites.map((s) => [s.suite, s.schedule]), [['suite_alpha', '*/2 * * * * *'], ['suite_beta', '*/3 * * * * *']]);
    await waitFor(async () => {
      const runs = (await runsOf(url)).filter((r) => r.status !== 'running');
      const queued = samples(await scrape(url), 'stressd_run_queued_total').reduce((n, s) => n + s.value, 0);
      return ['suite_alpha', 'suite_beta'].every((s) => runs.filter((r) => r.suite === s).length >= 2) && queued >= 1;
    }, 'two finished runs of each suite and a queued trigger', 40_000);

    const all = await runsOf(url);
    assertSequential(all);
    assert.ok(all.every((r) => r.trigger === 'schedule'));
    const alpha = await runsOf(url, 'suite_alpha');
    assert.ok(alpha.length >= 2 && alpha.every((r) => r.suite === 'suite_alpha'));
    assert.deepEqual(new Set(all.filter((r) => r.suite === 'suite_alpha').map((r) => r.id)), new Set(alpha.map((r) => r.id)));
    assert.equal((await fetch(`${url}/api/runs?suite=nope`)).status, 404);

    const queuedLog = logs.find((l) => l.msg === 'run queued: max_concurrent_runs reached');
    assert.ok(queuedLog, 'a queued trigger is logged');
    assert.equal(queuedLog.max_concurrent_runs, 1);
    assert.ok(logs.some((l) => l.msg === 'queued run dequeued' && l.started === true), 'a queued trigger started once the slot was free');

    const expo = await scrape(url);
    for (const suite of ['suite_alpha', 'suite_beta']) {
      assert.ok(samples(expo, 'stressd_runs_total', { suite }).length > 0, `stressd_runs_total for ${suite}`);
      assert.ok(valueOf(expo, 'stressd_run_next_timestamp_seconds', { suite }) * 1000 > Date.now() - 5_000, `next run of ${suite}`);
      assert.ok(samples(expo, 'stressd_test_last_duration_seconds', { suite }).length === 1, `test gauges of ${suite}`);
    }
    const page = await (await fetch(`${url}/`)).text();
    assert.match(page, /id="suites"/);
    assert.match(page, /data-suite="suite_alpha"[^\n]*\*\/2 \* \* \* \* \*/);
    assert.match(page, /data-suite="suite_beta"[^\n]*\*\/3 \* \* \* \* \*/);
    assert.match(page, /data-suite="suite_beta"[^\n]*<form class="run-now" method="post" action="\/api\/runs"><input type="hidden" name="_csrf" value="[^"]+"><input type="hidden" name="suite" value="suite_beta">/);
  });
});

test('STRESSD_CONFIG lists two suites: POST /api/runs names one (400 without, 404 unknown), 409 while it runs, 202 queued for the other', async () => {
  const env = { STRESSD_CONFIG: 'test/fixtures/daemon/short-sleep.json,test/fixtures/daemon/quick.json' };
  await withDaemon([], env, async ({ url }) => {
    const missing = await post(url);
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.suites, ['daemon_short', 'daemon_quick']);
    assert.match(String(missing.body.error), /several suites/);
    assert.equal((await post(url, { suite: 'nope' })).status, 404);
    assert.equal((await post(url, { suite: 42 })).status, 400);

    const short = await post(url, { suite: 'daemon_short' });
    assert.deepEqual([short.status, short.body.status, short.body.suite], [202, 'running', 'daemon_short']);
    const again = await post(url, { suite: 'daemon_short' });
    assert.deepEqual([again.status, again.body.id], [409, short.body.id]);
    const quick = await post(url, { suite: 'daemon_quick' });
    assert.deepEqual([quick.status, quick.body.status, quick.body.position], [202, 'queued', 1]);
    const running = await runsOf(url);
    assert.deepEqual(running.map((r) => [r.suite, r.status]), [['daemon_short', 'running']]);

    const done = await waitFor(async () => (await runsOf(url, 'daemon_quick')).find((r) => r.status !== 'running'), 'the queued run to finish', 30_000);
    assert.equal(done.trigger, 'api');
    const all = await runsOf(url);
    assert.deepEqual(all.map((r) => r.suite).sort(), ['daemon_quick', 'daemon_short']);
    assertSequential(all);
    assert.deepEqual((await runsOf(url, 'daemon_short')).map((r) => r.id), [short.body.id]);

    const expo = await scrape(url);
    assert.equal(valueOf(expo, 'stressd_run_queued_total', { suite: 'daemon_quick' }), 1);
    assert.equal(valueOf(expo, 'stressd_run_skipped_total', { suite: 'daemon_short', cause: 'busy_api' }), 1);
    assert.equal(valueOf(expo, 'stressd_runs_total', { suite: 'daemon_quick', result: 'not_graduated' }), 1);
  });
});

test('bad input: two configs with one suite label, an empty directory, or --max-concurrent-runs 0 exit 2 naming what and where', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-suites-bad-'));
  try {
    const alpha = await readFile(join(SUITES_DIR, 'alpha.json'), 'utf8');
    await writeFile(join(dir, 'one.json'), alpha);
    await writeFile(join(dir, 'two.json'), alpha);
    const dup = spawnDaemon(['--config', join(dir, 'one.json'), '--config', join(dir, 'two.json')]);
    assert.equal((await dup.exited).code, 2);
    assert.match(dup.stderr(), /suite "suite_alpha" is defined twice: in \S*one\.json and in \S*two\.json/);

    const empty = await mkdtemp(join(dir, 'empty-'));
    const none = spawnDaemon(['--config', empty]);
    assert.equal((await none.exited).code, 2);
    assert.match(none.stderr(), /expected a directory holding \*\.json suite configs, found none/);

    const zero = spawnDaemon(['--config', SUITES_DIR, '--max-concurrent-runs', '0']);
    assert.equal((await zero.exited).code, 2);
    assert.match(zero.stderr(), /max-concurrent-runs.*expected a whole number ≥ 1, found "0"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
