import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Suite } from '../../src/config/types.ts';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { startRun } from '../../src/runner/runner.ts';
import type { RunResult } from '../../src/result/types.ts';
import { createMetrics, type StressdMetrics } from '../../src/telemetry/metrics.ts';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fixtures/otlp-receiver.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';

const RUN_BOUND_MS = 30_000;
/** OTLP's SpanKind numbers. */
const SERVER = 2;
const CLIENT = 3;

function suite(): Suite {
  const test = (id: string, command: string, expected_patterns: string[]) => ({ id, name: `Test ${id}`, command, expected_patterns });
  return makeSuite(
    [
      test('alpha', "printf 'alpha line\\nbeta line\\n'", ['alpha', 'beta']),
      test('exit3', "echo 'gamma'; exit 3", ['gamma']),
      test('miss', "printf 'delta\\n'", ['delta', 'epsilon']),
    ],
    { suite: 'tracing-demo', timeout: 20 },
  );
}

/** Runs the suite through the real runner against the in-process executor, recording metrics as the daemon does. */
async function runSuite(executor: ExecutorServer, reportsDir: string, metrics: StressdMetrics): Promise<{ run: RunResult; ms: number }> {
  const started = performance.now();
  const handle = startRun({ suite: suite(), executor: { url: executor.url, localPid: process.pid }, reportsDir, trigger: 'cli' });
  handle.events.on('run:start', ({ run }) => metrics.onRunStart(run));
  handle.events.on('test:end', ({ suite: name, result }) => metrics.onTestEnd(name, result));
  handle.events.on('run:end', ({ run }) => metrics.onRunEnd(run));
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`run did not finish within ${RUN_BOUND_MS} ms`)), RUN_BOUND_MS);
  });
  try {
    const run = await Promise.race([handle.done, bound]);
    return { run, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

function outcomes(run: RunResult): string[] {
  return run.tests.map((t) => `${t.id}:${t.outcome}:${t.reason ?? ''}`);
}

describe('a traced run through the real runner and the embedded executor', () => {
  let executor: ExecutorServer;
  let reportsDir: string;
  let tracing: TracingHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  const savedEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'stressd-tracing-run-'));
  });
  afterEach(async () => {
    await tracing?.shutdown();
    await executor?.close();
    await receiver?.close();
    tracing = undefined;
    receiver = undefined;
    if (savedEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
    delete process.env.OTEL_TRACES_SAMPLER;
    delete process.env.OTEL_TRACES_SAMPLER_ARG;
  });
  after(async () => {
    await rm(reportsDir, { recursive: true, force: true });
  });

  it('delivers one stressd.run span, a stressd.test child per test, its session span and the executor span under each', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    tracing = await startTracing({ logger: { warn: () => {} } });
    assert.equal(tracing.enabled, true);
    executor = await startExecutor();
    const metrics = createMetrics({ collectDefaults: false });

    const { run } = await runSuite(executor, reportsDir, metrics);
    assert.deepEqual(outcomes(run), ['alpha:passed:', 'exit3:failed:exit_nonzero', 'miss:failed:pattern_miss']);
    await tracing.shutdown();
    const spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === 'execute' && x.kind === SERVER).length >= 3 && s.some((x) => x.name === 'stressd.run'), 10_000);

    const runSpans = spans.filter((s) => s.name === 'stressd.run');
    assert.equal(runSpans.length, 1);
    const runSpan = runSpans[0] as ReceivedSpan;
    assert.equal(runSpan.parentSpanId, null);
    assert.equal(runSpan.traceId, run.trace_id);
    assert.equal(runSpan.resource['service.name'], 'stressd');
    assert.deepEqual(
      { suite: runSpan.attributes['stressd.suite'], id: runSpan.attributes['stressd.run.id'], total: runSpan.attributes['stressd.tests.total'], passed: runSpan.attributes['stressd.tests.passed'], graduated: runSpan.attributes['stressd.run.graduated'] },
      { suite: 'tracing-demo', id: run.id, total: 3, passed: run.tests_passed, graduated: run.graduated },
    );

    const testSpans = spans.filter((s) => s.name === 'stressd.test');
    assert.equal(testSpans.length, 3);
    for (const t of run.tests) {
      const span = testSpans.find((s) => s.attributes['stressd.test.id'] === t.id);
      assert.ok(span, `no stressd.test span for ${t.id}`);
      assert.equal(span.parentSpanId, runSpan.spanId, `${t.id} is a child of the run span`);
      assert.equal(span.traceId, runSpan.traceId);
      assert.equal(span.spanId, t.span_id);
      assert.equal(t.trace_id, run.trace_id);
      assert.deepEqual(
        [span.attributes['stressd.test.name'], span.attributes['stressd.test.outcome'], span.attributes['stressd.test.output_bytes'], span.attributes['stressd.test.chunks'], span.attributes['stressd.test.patterns_found'], span.attributes['stressd.test.patterns_expected'], span.attributes['process.exit.code']],
        [t.name, t.outcome, t.output_bytes, t.output_chunks, t.patterns_found.length, t.patterns_expected, t.exit_code],
        `attributes of ${t.id}`,
      );
      assert.equal(span.status.code, t.outcome === 'passed' ? 0 : 2, `status of ${t.id}`);
      assert.ok(span.events.some((e) => e.name === 'stressd.test.first_output'), `${t.id} has a first_output event`);

      const sessions = spans.filter((s) => s.name === 'execute' && s.kind === CLIENT && s.parentSpanId === span.spanId);
      assert.equal(sessions.length, 1, `one session span under ${t.id}`);
      const processSpans = spans.filter((s) => s.name === 'execute' && s.kind === SERVER && s.parentSpanId === sessions[0]?.spanId);
      assert.equal(processSpans.length, 1, `one executor span under the session of ${t.id}`);
      assert.equal(processSpans[0]?.traceId, runSpan.traceId);
      assert.equal(processSpans[0]?.attributes['process.exit.code'], t.exit_code);
    }

    // The duration histogram's exemplars point at traces the collector really has.
    const open = parsePromText((await metrics.metricsResponse('application/openmetrics-text; version=1.0.0')).body);
    const exemplars = samples(open, 'stressd_test_duration_seconds_bucket').flatMap((s) => (s.exemplar ? [s.exemplar.labels.trace_id] : []));
    assert.equal(exemplars.length, 3);
    const received = new Set(spans.map((s) => s.traceId));
    for (const id of exemplars) assert.ok(id !== undefined && received.has(id), `exemplar trace ${id} was not received`);
  });

  it('names no trace and serves no exemplar for a run the sampler dropped, and exports nothing', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    // Parent-based: the executor's span follows the not-sampled flag that came in the traceparent.
    process.env.OTEL_TRACES_SAMPLER = 'parentbased_traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0';
    tracing = await startTracing({ logger: { warn: () => {} } });
    executor = await startExecutor();
    const metrics = createMetrics({ collectDefaults: false });

    const { run } = await runSuite(executor, reportsDir, metrics);
    assert.deepEqual(outcomes(run), ['alpha:passed:', 'exit3:failed:exit_nonzero', 'miss:failed:pattern_miss']);
    assert.equal(run.trace_id, null);
    assert.deepEqual(run.tests.map((t) => [t.trace_id, t.span_id]), [[null, null], [null, null], [null, null]]);
    const open = parsePromText((await metrics.metricsResponse('application/openmetrics-text; version=1.0.0')).body);
    assert.equal(samples(open, 'stressd_test_duration_seconds_bucket').filter((s) => s.exemplar).length, 0);
    await tracing.shutdown();
    assert.equal(receiver.requests(), 0, 'the executor side dropped its spans too (parent not sampled)');
  });

  it('finishes a run with the same result, in bounded time, when the collector is down', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    tracing = await startTracing({ logger: { warn: () => {} } });
    executor = await startExecutor();

    const { run, ms } = await runSuite(executor, reportsDir, createMetrics({ collectDefaults: false }));
    assert.deepEqual(outcomes(run), ['alpha:passed:', 'exit3:failed:exit_nonzero', 'miss:failed:pattern_miss']);
    assert.ok(ms < 15_000, `the run took ${Math.round(ms)} ms`);
    assert.match(run.trace_id ?? '', /^[0-9a-f]{32}$/, 'spans are still made, only their export fails');
    const started = performance.now();
    await tracing.shutdown();
    assert.ok(performance.now() - started < 6000, 'shutdown is bounded');
  });
});
