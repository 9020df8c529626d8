import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { spanIds } from '../../src/runner/spans.ts';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.ts';
import { startOtlpReceiver, startSilentCollector, type OtlpReceiver } from '../fixtures/otlp-receiver.ts';
import { freePort } from '../fixtures/ports.ts';

const OTEL_VARS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_TRACES_SAMPLER', 'OTEL_TRACES_SAMPLER_ARG', 'OTEL_BSP_SCHEDULE_DELAY',
];
const saved = Object.fromEntries(OTEL_VARS.map((k) => [k, process.env[k]]));

function restoreEnv(): void {
  for (const k of OTEL_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
}

function recordingLogger(): { warnings: string[]; warn(obj: unknown, msg?: string): void } {
  const warnings: string[] = [];
  return { warnings, warn: (_obj, msg) => warnings.push(msg ?? '') };
}

function emitSpans(): { parentSpanId: string; traceId: string; traceparent: string | undefined } {
  const tracer = trace.getTracer('stressd-test');
  return tracer.startActiveSpan('parent', (parent) => {
    parent.setAttribute('stressd.suite', 'demo');
    parent.setAttribute('stressd.tests.total', 3);
    parent.setAttribute('stressd.run.graduated', true);
    const carrier: Record<string, string> = {};
    tracer.startActiveSpan('child', (child) => {
      child.addEvent('first_output', { 'stressd.bytes': 12 });
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'pattern_miss' });
      propagation.inject(context.active(), carrier);
      child.end();
    });
    parent.end();
    return { parentSpanId: parent.spanContext().spanId, traceId: parent.spanContext().traceId, traceparent: carrier.traceparent };
  });
}

describe('tracing setup', () => {
  let handle: TracingHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await handle?.shutdown();
    await receiver?.close();
    handle = undefined;
    receiver = undefined;
    restoreEnv();
  });

  it('exports parent and child spans with the resource to an OTLP/HTTP receiver', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    handle = await startTracing({ serviceName: 'stressd-test-service', serviceVersion: '9.9.9' });
    assert.equal(handle.enabled, true);

    const emitted = emitSpans();
    assert.match(emitted.traceparent ?? '', new RegExp(`^00-${emitted.traceId}-[0-9a-f]{16}-01$`), 'W3C traceparent is injected');
    await handle.shutdown();
    const spans = await receiver.waitForSpans((s) => s.length >= 2, 5000);

    const parent = spans.find((s) => s.name === 'parent');
    const child = spans.find((s) => s.name === 'child');
    assert.ok(parent && child);
    assert.equal(parent.parentSpanId, null);
    assert.equal(parent.spanId, emitted.parentSpanId);
    assert.equal(child.parentSpanId, parent.spanId);
    assert.equal(child.traceId, parent.traceId);
    assert.deepEqual(parent.attributes, { 'stressd.suite': 'demo', 'stressd.tests.total': 3, 'stressd.run.graduated': true });
    assert.deepEqual(child.events.map((e) => [e.name, e.attributes]), [['first_output', { 'stressd.bytes': 12 }]]);
    assert.deepEqual(child.status, { code: 2, message: 'pattern_miss' });
    assert.equal(parent.resource['service.name'], 'stressd-test-service');
    assert.equal(parent.resource['service.version'], '9.9.9');
    assert.equal(parent.resource['process.pid'], process.pid);
    assert.equal(parent.resource['host.name'], hostname());
    assert.equal(parent.resource['host.arch'], process.arch === 'x64' ? 'amd64' : process.arch);
    assert.equal(parent.resource['process.runtime.name'], 'nodejs');
    assert.equal(parent.resource['process.runtime.version'], process.versions.node);
    assert.equal(parent.resource['process.executable.path'], process.execPath);
    assert.match(String(parent.resource['service.instance.id']), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random UUID per process');
    for (const key of ['process.command_args', 'process.command_line', 'process.command']) {
      assert.equal(parent.resource[key], undefined, `${key}: command-line flags (a token among them) stay out of traces`);
    }
  });

  it('sends OTEL_EXPORTER_OTLP_HEADERS with each export and adds OTEL_RESOURCE_ATTRIBUTES to the resource', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    // Values are URL-encoded, as the OpenTelemetry specification defines for this variable.
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'authorization=Bearer%20s3cret,x-tenant=perf';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'deployment.environment=ci,team=perf';
    handle = await startTracing();
    trace.getTracer('t').startSpan('with-headers').end();
    await handle.shutdown();
    const [span] = await receiver.waitForSpans((s) => s.length === 1, 5000);
    const sent = receiver.headers()[0];
    assert.equal(sent?.authorization, 'Bearer s3cret');
    assert.equal(sent?.['x-tenant'], 'perf');
    assert.equal(span?.resource['deployment.environment'], 'ci');
    assert.equal(span?.resource.team, 'perf');
    assert.equal(span?.resource['service.name'], 'stressd', 'extra attributes leave the default service name alone');
  });

  it('treats OTEL_TRACES_SAMPLER=always_off as off: no SDK, no span recorded, no request', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    handle = await startTracing();
    assert.equal(handle.enabled, false);
    const span = trace.getTracer('t').startSpan('never');
    assert.equal(span.isRecording(), false);
    assert.deepEqual(spanIds(span), { traceId: null, spanId: null, traceparent: undefined }, 'nothing to propagate either');
    span.end();
    await handle.shutdown();
    assert.equal(receiver.requests(), 0);
  });

  it('honours a ratio sampler: an unsampled span is not exported and names no trace id, yet still propagates', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_TRACES_SAMPLER = 'traceidratio';
    process.env.OTEL_TRACES_SAMPLER_ARG = '0';
    handle = await startTracing();
    assert.equal(handle.enabled, true);
    const dropped = trace.getTracer('t').startSpan('dropped');
    assert.equal(dropped.isRecording(), false);
    const ids = spanIds(dropped);
    assert.equal(ids.traceId, null, 'a RunResult or exemplar must not point at a trace nobody has');
    assert.match(ids.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/, 'the not-sampled decision travels to the executor');
    dropped.end();
    await handle.shutdown();
    assert.equal(receiver.requests(), 0);
  });

  it('exports a trace as soon as its root span ends, without waiting for the batch delay', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_BSP_SCHEDULE_DELAY = '60000';
    handle = await startTracing();
    const tracer = trace.getTracer('t');
    const root = tracer.startSpan('root');
    tracer.startSpan('child', {}, trace.setSpan(context.active(), root)).end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.requests(), 0, 'a child span alone waits for its batch');
    root.end();
    const spans = await receiver.waitForSpans((s) => s.length === 2, 3000);
    assert.deepEqual(spans.map((s) => s.name).sort(), ['child', 'root']);
  });

  it('lets OTEL_SERVICE_NAME override the service name and shuts down idempotently', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `${receiver.url}/v1/traces`;
    process.env.OTEL_SERVICE_NAME = 'from-env';
    handle = await startTracing({ serviceName: 'from-code' });
    trace.getTracer('t').startSpan('one').end();
    const first = handle.shutdown();
    assert.equal(handle.shutdown(), first, 'a second shutdown returns the same promise');
    await first;
    const [span] = await receiver.waitForSpans((s) => s.length === 1, 5000);
    assert.equal(span?.resource['service.name'], 'from-env');
  });

  it('keeps a fixed service name whatever OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say (the executor\'s case)', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_SERVICE_NAME = 'stressd';
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.name=also-not-me,deployment.environment=ci';
    handle = await startTracing({ serviceName: 'stressd-executor', fixedServiceName: true });
    trace.getTracer('t').startSpan('fixed').end();
    await handle.shutdown();
    const [span] = await receiver.waitForSpans((s) => s.length === 1, 5000);
    assert.equal(span?.resource['service.name'], 'stressd-executor');
    assert.equal(span?.resource['deployment.environment'], 'ci', 'the other attributes still apply');
  });

  it('can start again after shutdown, because shutdown unregisters the SDK', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    const first = await startTracing();
    await first.shutdown();
    assert.equal(trace.getTracer('t').startSpan('after-shutdown').isRecording(), false, 'spans are no-ops once shut down');

    handle = await startTracing();
    assert.equal(handle.enabled, true);
    trace.getTracer('t').startSpan('second-life').end();
    await handle.shutdown();
    const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === 'second-life'), 5000);
    assert.deepEqual(spans.map((s) => s.name), ['second-life']);
    assert.equal(spans[0]?.resource['service.name'], 'stressd');
  });

  it('shuts down within a bound and without throwing when the collector is down', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const logger = recordingLogger();
      handle = await startTracing({ logger });
      emitSpans();
      const started = performance.now();
      await handle.shutdown();
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 6000, `shutdown took ${Math.round(elapsed)} ms`);
      assert.ok(logger.warnings.length > 0, 'the export failure is logged');
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('shuts down within a bound when the collector accepts but never answers', async () => {
    const silent = await startSilentCollector();
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = silent.url;
      process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
      handle = await startTracing({ logger: recordingLogger() });
      emitSpans();
      const started = performance.now();
      await handle.shutdown();
      const elapsed = performance.now() - started;
      assert.ok(silent.connections() > 0, 'the export reached the silent collector');
      assert.ok(elapsed < 1000 + 2500, `shutdown took ${Math.round(elapsed)} ms with a 1 s export timeout`);
    } finally {
      await silent.close();
    }
  });
});
