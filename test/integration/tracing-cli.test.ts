/**
 * One trace across two processes: `stressd run` (runner spans) and the embedded executor it
 * spawns as a child (its own SDK, service stressd-executor), joined by params._meta.traceparent.
 * And a collector that never answers only delays the exit by about the export timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOtlpReceiver, startSilentCollector } from '../fixtures/otlp-receiver.ts';
import type { RunResult } from '../../src/result/types.ts';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `stressd run --json` on `cfg` with OTEL_* replaced by `otel`, killed after 60 s. */
async function stressdRun(cfg: string, reportsDir: string, otel: Record<string, string>): Promise<CliRun> {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('OTEL_')) delete env[k];
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--config', cfg, '--reports-dir', reportsDir, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...env, ...otel },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`stressd run hung; stderr: ${stderr}`)); }, 60_000);
    child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
  });
  return { code, stdout, stderr, ms: performance.now() - started };
}

async function writeSuite(dir: string): Promise<string> {
  const cfg = join(dir, 'suite.json');
  await writeFile(cfg, JSON.stringify({
    suite: 'trace_cli', timeout: 20, pause_between_tests: 0,
    tests: [
      { id: 'one', name: 'One', command: 'echo one', expected_patterns: ['one'] },
      { id: 'two', name: 'Two', command: 'echo two; exit 3', expected_patterns: ['two'] },
    ],
  }));
  return cfg;
}

const outcomes = (run: RunResult): string[] => run.tests.map((t) => `${t.id}:${t.outcome}:${t.reason ?? ''}`);

test('stressd run and its executor child export one trace: each executor process span sits under its test span', async () => {
  const receiver = await startOtlpReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'stressd-trace-cli-'));
  try {
    const { code, stdout, stderr } = await stressdRun(await writeSuite(dir), dir, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
    assert.equal(code, 1, `one of two tests fails, so the run does not graduate; stderr: ${stderr}`);
    const run = JSON.parse(stdout) as RunResult;
    assert.ok(run.trace_id, 'the RunResult names its trace');

    const spans = await receiver.waitForSpans(
      (s) => s.filter((x) => x.name === 'stressd.executor.process').length >= 2 && s.some((x) => x.name === 'stressd.run'),
      15_000,
    );
    const runSpan = spans.find((s) => s.name === 'stressd.run');
    assert.ok(runSpan);
    assert.equal(runSpan.traceId, run.trace_id);
    const testSpans = spans.filter((s) => s.name === 'stressd.test');
    assert.equal(testSpans.length, 2);
    for (const t of run.tests) {
      const testSpan = testSpans.find((s) => s.attributes['stressd.test.id'] === t.id);
      assert.ok(testSpan, `a span for ${t.id}`);
      assert.equal(testSpan.parentSpanId, runSpan.spanId);
      assert.equal(testSpan.spanId, t.span_id);
      const proc = spans.find((s) => s.name === 'stressd.executor.process' && s.parentSpanId === testSpan.spanId);
      assert.ok(proc, `an executor process span under ${t.id}`);
      assert.equal(proc.traceId, run.trace_id);
      assert.equal(proc.resource['service.name'], 'stressd-executor', 'exported by the executor process itself');
      assert.equal(proc.attributes['process.exit_code'], t.exit_code);
    }
  } finally {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a collector that accepts but never answers delays stressd run by at most about the export timeout, same result', async () => {
  const silent = await startSilentCollector();
  const receiver = await startOtlpReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'stressd-trace-cli-slow-'));
  try {
    const cfg = await writeSuite(dir);
    // The baseline exports to a collector that answers, so both runs pay for loading the SDK.
    const baseline = await stressdRun(cfg, dir, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    const slow = await stressdRun(cfg, dir, { OTEL_EXPORTER_OTLP_ENDPOINT: silent.url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' });
    assert.equal(slow.code, baseline.code, `stderr: ${slow.stderr}`);
    assert.deepEqual(outcomes(JSON.parse(slow.stdout) as RunResult), outcomes(JSON.parse(baseline.stdout) as RunResult));
    assert.ok(silent.connections() > 0, 'the spans were offered to the silent collector');
    // The flush gives up after the 1 s export timeout (stressd's hard bound is that plus 2 s).
    const extra = slow.ms - baseline.ms;
    assert.ok(extra < 1000 + 2000, `the silent collector added ${Math.round(extra)} ms (baseline ${Math.round(baseline.ms)} ms)`);
  } finally {
    await silent.close();
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  }
});
