/**
 * One trace across two processes: `stressd run` (runner spans) and the embedded executor it
 * spawns as a child (its own SDK, service stressd-executor), joined by params._meta.traceparent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOtlpReceiver } from '../fixtures/otlp-receiver.ts';
import type { RunResult } from '../../src/runner/types.ts';

test('stressd run and its executor child export one trace: each executor process span sits under its test span', async () => {
  const receiver = await startOtlpReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'stressd-trace-cli-'));
  try {
    const cfg = join(dir, 'suite.json');
    await writeFile(cfg, JSON.stringify({
      suite: 'trace_cli', timeout: 20, pause_between_tests: 0,
      tests: [
        { id: 'one', name: 'One', command: 'echo one', expected_patterns: ['one'] },
        { id: 'two', name: 'Two', command: 'echo two; exit 3', expected_patterns: ['two'] },
      ],
    }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', '--config', cfg, '--reports-dir', dir, '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SERVICE_NAME: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`stressd run hung; stderr: ${stderr}`)); }, 60_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
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
