/**
 * One trace across two processes: `stressd run` (runner spans) and the embedded executor it
 * spawns as a child (its own SDK, service stressd-executor whatever OTEL_SERVICE_NAME says),
 * joined by params._meta.traceparent from the CLIENT span to the SERVER span.
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

/** OTLP's SpanKind numbers. */
const SERVER = 2;
const CLIENT = 3;

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

test('stressd run and its executor child export one trace: a CLIENT execute per test, the executor\'s SERVER execute under it, two services', async () => {
  const receiver = await startOtlpReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'stressd-trace-cli-'));
  try {
    // Meant for stressd; the executor child inherits it and must still report as stressd-executor.
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'stressd-lab' };
    const { code, stdout, stderr } = await stressdRun(await writeSuite(dir), dir, otel);
    assert.equal(code, 1, `one of two tests fails, so the run does not graduate; stderr: ${stderr}`);
    const run = JSON.parse(stdout) as RunResult;
    assert.ok(run.trace_id, 'the RunResult names its trace');

    const spans = await receiver.waitForSpans(
      (s) => s.filter((x) => x.name === 'execute' && x.kind === SERVER).length >= 2 && s.some((x) => x.name === 'stressd.run'),
      15_000,
    );
    const runSpan = spans.find((s) => s.name === 'stressd.run');
    assert.ok(runSpan);
    assert.equal(runSpan.traceId, run.trace_id);
    assert.equal(runSpan.resource['service.name'], 'stressd-lab', 'OTEL_SERVICE_NAME names the daemon');
    const testSpans = spans.filter((s) => s.name === 'stressd.test');
    assert.equal(testSpans.length, 2);
    for (const t of run.tests) {
      const testSpan = testSpans.find((s) => s.attributes['stressd.test.id'] === t.id);
      assert.ok(testSpan, `a span for ${t.id}`);
      assert.equal(testSpan.parentSpanId, runSpan.spanId);
      assert.equal(testSpan.spanId, t.span_id);
      const client = spans.find((s) => s.kind === CLIENT && s.parentSpanId === testSpan.spanId);
      assert.ok(client, `a CLIENT span under ${t.id}`);
      const server = spans.find((s) => s.kind === SERVER && s.parentSpanId === client.spanId);
      assert.ok(server, `a SERVER span under the session of ${t.id}`);
      assert.equal(server.traceId, run.trace_id);
      assert.equal(server.resource['service.name'], 'stressd-executor', 'exported by the executor process itself, under its own name');
      assert.equal(server.attributes['process.exit.code'], t.exit_code);
      assert.equal(server.attributes['server.port'], client.attributes['server.port'], 'both ends name the same server');
    }
    // What a service graph (Tempo's, Jaeger's) derives: CLIENT→SERVER pairs across two services.
    const edges = new Set(spans.filter((s) => s.kind === SERVER).flatMap((server) => {
      const client = spans.find((c) => c.kind === CLIENT && c.spanId === server.parentSpanId);
      return client ? [`${String(client.resource['service.name'])} -> ${String(server.resource['service.name'])}`] : [];
    }));
    assert.deepEqual([...edges], ['stressd-lab -> stressd-executor']);
    const instances = new Set(spans.map((s) => `${String(s.resource['service.name'])} ${String(s.resource['service.instance.id'])}`));
    assert.equal(instances.size, 2, `one instance per process: ${[...instances].join(', ')}`);
    for (const i of instances) assert.match(i, / [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
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
