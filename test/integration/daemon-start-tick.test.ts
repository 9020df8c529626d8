/** --run-on-start with a per-second schedule: the start run stands in for the tick it overlaps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';

test('the start run stands in for the first tick it overlaps; only later ticks count as overlap; the next tick runs', async () => {
  const reportsDir = await mkdtemp(join(tmpdir(), 'stressd-start-tick-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/per-second.json', '--reports-dir', reportsDir, '--schedule', '* * * * * *', '--run-on-start']);
  try {
    await d.ready;
    const startRun = await d.waitLog((l) => l.msg === 'run started' && l.trigger === 'start', 'the start run');
    // A run of ~1.2 s overlaps one or two per-second ticks: the first stands in, a second is an overlap.
    const standIn = await d.waitLog((l) => l.msg === 'the start run stands in for this scheduled run', 'the stand-in', 10_000);
    assert.equal(standIn.runId, startRun.runId);
    await d.waitLog((l) => l.msg === 'run ended' && l.runId === startRun.runId, 'the start run to end');
    const tick = await d.waitLog((l) => l.msg === 'run started' && l.trigger === 'schedule', 'the first scheduled run', 10_000);
    await d.waitLog((l) => l.msg === 'run ended' && l.runId === tick.runId, 'the first scheduled run to end', 15_000);
    const exp = parsePromText(await (await fetch(`${d.url}/metrics`)).text());
    const standIns = d.logs.filter((l) => l.msg === 'the start run stands in for this scheduled run');
    assert.equal(standIns.length, 1, 'one tick stood in for, once');
    const skippedDuringStart = d.logs.filter((l) => l.msg === 'run skipped: a run of this suite is still going' && l.runId === startRun.runId);
    assert.ok(skippedDuringStart.length <= 1, `a ~1.2 s start run overlaps at most one more tick, found ${skippedDuringStart.length}`);
    const overlapLogs = d.logs.filter((l) => l.msg === 'run skipped: a run of this suite is still going' && l.cause === 'overlap');
    const counted = samples(exp, 'stressd_run_skipped_total', { suite: 'daemon_per_second', cause: 'overlap' }).reduce((n, s) => n + s.value, 0);
    // Scrape and logs may be a tick apart: the counter holds every overlap logged before the scrape, and nothing else.
    assert.ok(counted >= overlapLogs.length - 1 && counted <= overlapLogs.length, `counted ${counted}, logged ${overlapLogs.length}`);
    // Created at 0 at start (so increase() sees the first one), never counted here.
    assert.deepEqual(samples(exp, 'stressd_run_skipped_total', { cause: 'busy_api' }).map((s) => s.value), [0]);
  } finally {
    await d.stop();
    await rm(reportsDir, { recursive: true, force: true });
  }
});
