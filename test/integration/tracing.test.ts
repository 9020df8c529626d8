import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, SpanStatusCode, trace } from '@opentelemetry/api';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../fixtures/otlp-receiver.ts';

const OTEL_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES', 'OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_TRACES_SAMPLER'];
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

/** A port that was just free: nothing listens there, so connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
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
    assert.equal(typeof parent.resource['host.name'], 'string');
    assert.equal(parent.resource['process.command_args'], undefined, 'command-line flags stay out of traces');
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
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await closedPort()}`;
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
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer(() => {
      // never respond
    });
    silent.on('connection', (s) => sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000';
      handle = await startTracing({ logger: recordingLogger() });
      emitSpans();
      const started = performance.now();
      await handle.shutdown();
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 1000 + 2500, `shutdown took ${Math.round(elapsed)} ms with a 1 s export timeout`);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
