/**
 * SIGHUP on the real daemon: a broken config keeps the daemon and its schedules (logged with the
 * file and the problem, counted, shown); a good one changes the schedule and the next run's tests
 * while the run in flight finishes with the config it started with.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../src/result/types.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';

let dir = '';
let config = '';
let daemon: DaemonProcess;

/** A suite whose one test waits for a file the test creates: a run stays in flight exactly as long as the test wants. */
function suite(schedule: string, testId: string): string {
  const go = join(dir, 'go');
  return JSON.stringify({
    suite: 'reload_demo', executor: 'embedded', schedule, pause_between_tests: 0, timeout: 60,
    tests: [{ id: testId, name: testId, command: `while [ ! -e ${go} ]; do sleep 0.05; done; echo done`, expected_patterns: ['done'] }],
  });
}

async function metric(name: string): Promise<number | undefined> {
  const expo = parsePromText(await (await fetch(`${daemon.url}/metrics`)).text());
  return samples(expo, name)[0]?.value;
}

async function schedule(): Promise<unknown> {
  return (await getJson<{ schedule: unknown }>(`${daemon.url}/readyz`)).body.schedule;
}

async function statusPage(): Promise<string> {
  return (await fetch(`${daemon.url}/`)).text();
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-reload-'));
  config = join(dir, 'suite.json');
  await writeFile(config, suite('0 0 1 1 *', 'first'));
  const d = spawnDaemon(['--config', config, '--reports-dir', join(dir, 'reports')]);
  daemon = d;
  await d.ready;
});

after(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a SIGHUP with a broken config keeps the daemon and its schedule, and says which file and why', async () => {
  assert.equal(await schedule(), '0 0 1 1 *');
  assert.equal(await metric('stressd_config_last_reload_success'), 1);
  assert.equal(await metric('stressd_config_reload_failures_total'), 0);
  assert.match(await statusPage(), /data-on-disk="same"/);

  await writeFile(config, '{"suite": "reload_demo", "tests": [');
  assert.match(await statusPage(), /data-on-disk="changed"><code>[^<]*suite\.json<\/code> — <strong>changed on disk since/);
  daemon.child.kill('SIGHUP');
  const failed = await daemon.waitLog((l) => String(l.msg).startsWith('config reload failed'), 'the failed reload');
  assert.ok(String(failed.problem).includes(config), `names the file: ${String(failed.problem)}`);
  assert.match(String(failed.problem), /valid JSON/);

  assert.equal(daemon.child.exitCode, null, 'still running');
  assert.equal(await schedule(), '0 0 1 1 *');
  assert.equal(await metric('stressd_config_last_reload_success'), 0);
  assert.equal(await metric('stressd_config_reload_failures_total'), 1);
  assert.ok((await metric('stressd_run_next_timestamp_seconds')) !== undefined, 'the old schedule is still armed');
  assert.match(await statusPage(), /id="reload-failed"/);
});

test('a SIGHUP with a good config changes the schedule and the next run, without touching the run in flight', async () => {
  const started = await getJson<{ id: string }>(`${daemon.url}/api/runs`, { method: 'POST' });
  assert.equal(started.status, 202);
  await writeFile(config, suite('30 4 * * *', 'second'));
  daemon.child.kill('SIGHUP');
  const reloaded = await daemon.waitLog((l) => l.msg === 'config reloaded', 'the reload');
  assert.deepEqual(reloaded.schedules_changed, [{ suite: 'reload_demo', file: config, schedule: '30 4 * * *', previous: '0 0 1 1 *' }]);
  assert.equal(await schedule(), '30 4 * * *');
  assert.equal(await metric('stressd_config_last_reload_success'), 1);
  assert.equal(await metric('stressd_config_reload_failures_total'), 1);
  const next = await metric('stressd_run_next_timestamp_seconds');
  assert.ok(next !== undefined && new Date(next * 1000).getUTCMinutes() === 30, `next run from the new schedule: ${next}`);
  const page = await statusPage();
  assert.match(page, /data-on-disk="same"/);
  assert.doesNotMatch(page, /id="reload-failed"/);

  const inFlight = (await getJson<RunResult>(`${daemon.url}/api/runs/${started.body.id}`)).body;
  assert.equal(inFlight.status, 'running', 'the reload did not end the run');
  await writeFile(join(dir, 'go'), '');
  const first = await waitFor(async () => {
    const run = (await getJson<RunResult>(`${daemon.url}/api/runs/${started.body.id}`)).body;
    return run.status !== 'running' && run;
  }, 'the run in flight to finish');
  assert.equal(first.status, 'finished');
  assert.deepEqual(first.tests.map((t) => [t.id, t.outcome]), [['first', 'passed']]);

  const again = await getJson<{ id: string }>(`${daemon.url}/api/runs`, { method: 'POST' });
  const second = await waitFor(async () => {
    const run = (await getJson<RunResult>(`${daemon.url}/api/runs/${again.body.id}`)).body;
    return run.status !== 'running' && run;
  }, 'the next run to finish');
  assert.deepEqual(second.tests.map((t) => [t.id, t.outcome]), [['second', 'passed']]);
});

test('a reload that would add a suite is refused, and the daemon keeps running the one it has', async () => {
  await writeFile(config, suite('30 4 * * *', 'second').replace('"reload_demo"', '"renamed"'));
  daemon.child.kill('SIGHUP');
  const failed = await daemon.waitLog((l) => String(l.problem ?? '').startsWith('a reload cannot add or remove suites'), 'the refused reload');
  assert.match(String(failed.problem), /added: "renamed" \(.*suite\.json\); removed: "reload_demo"/);
  assert.equal(await schedule(), '30 4 * * *');
  assert.equal(await metric('stressd_config_reload_failures_total'), 2);
});
