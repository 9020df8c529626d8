/**
 * The daemon's SIGTERM path flushes traces: a run stopped mid-test reaches a live collector
 * (run, test and executor spans), and a collector that never answers only delays the exit by
 * about the export timeout.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidsOf, spawnDaemon, waitFor } from '../fixtures/daemon/spawn-daemon.ts';
import { startOtlpReceiver, startSilentCollector } from '../fixtures/otlp-receiver.ts';

const SLEEP = ['sleep', '317'];

/** Starts the daemon on the sleepy suite, waits for its test command, SIGTERMs it; returns the exit and how long it took. */
async function stopMidTest(reportsDir: string, otel: Record<string, string>): Promise<{ code: number | null; ms: number; stderr: string }> {
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/sleepy.json', '--reports-dir', reportsDir, '--run-on-start'], { OTEL_EXPORTER_OTLP_TIMEOUT: '1000', ...otel });
  try {
    await d.ready;
    await waitFor(async () => (await pidsOf(SLEEP)).length > 0, 'the test command (sleep 317) to run');
    const sentAt = performance.now();
    d.child.kill('SIGTERM');
    const { code } = await d.exited;
    return { code, ms: performance.now() - sentAt, stderr: d.stderr() };
  } finally {
    await d.stop();
    for (const pid of await pidsOf(SLEEP)) process.kill(pid, 'SIGKILL');
  }
}

describe('the daemon flushes traces on SIGTERM', () => {
  const dirs: string[] = [];
  let liveExitMs = 0;
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'stressd-tracing-daemon-'));
    dirs.push(dir);
    return dir;
  };
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('delivers the aborted run, its cancelled test, its session and the executor\'s span to a live collector', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const stop = await stopMidTest(await tempDir(), { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      assert.equal(stop.code, 0, stop.stderr);
      liveExitMs = stop.ms;
      // Everything must already be there: the daemon flushed before it exited.
      const spans = receiver.spans();
      const run = spans.find((s) => s.name === 'stressd.run') ?? assert.fail(`no stressd.run span among ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(run.attributes['stressd.suite'], 'daemon_sleepy');
      assert.equal(run.status.code, 2);
      const test = spans.find((s) => s.name === 'stressd.test' && s.parentSpanId === run.spanId) ?? assert.fail('no stressd.test span under the run');
      assert.equal(test.attributes['stressd.test.reason'], 'aborted');
      assert.equal(test.events.find((e) => e.name === 'stressd.test.cancelled')?.attributes['stressd.cancel.cause'], 'aborted');
      const session = spans.find((s) => s.name === 'execute' && s.kind === 3 && s.parentSpanId === test.spanId) ?? assert.fail('no CLIENT execute span under the test');
      const proc = spans.find((s) => s.name === 'execute' && s.kind === 2 && s.parentSpanId === session.spanId) ?? assert.fail('no SERVER execute span under the session');
      assert.equal(proc.resource['service.name'], 'stressd-executor');
      assert.equal(proc.traceId, run.traceId);
    } finally {
      await receiver.close();
    }
  });

  it('exits 0 with a silent collector, later than with a live one by about the export timeout at most', async () => {
    assert.ok(liveExitMs > 0, 'the live-collector test ran first and measured its exit');
    const silent = await startSilentCollector();
    try {
      const stop = await stopMidTest(await tempDir(), { OTEL_EXPORTER_OTLP_ENDPOINT: silent.url });
      assert.equal(stop.code, 0, stop.stderr);
      assert.ok(silent.connections() > 0, 'the spans were offered to the silent collector');
      // One export timeout (1 s), not two: the daemon's flush must not queue behind the executor's.
      const extra = stop.ms - liveExitMs;
      assert.ok(extra < 1000 + 900, `the silent collector added ${Math.round(extra)} ms to the exit (live: ${Math.round(liveExitMs)} ms)`);
    } finally {
      await silent.close();
    }
  });
});
