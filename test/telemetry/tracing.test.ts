import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { trace } from '@opentelemetry/api';
import { DEFAULT_EXPORT_TIMEOUT_MS, exportTimeoutMs, startTracing, tracesEndpoint } from '../../src/telemetry/tracing.ts';

const require = createRequire(import.meta.url);
const sdkLoaded = (): boolean => Object.keys(require.cache).some((file) => file.includes('/@opentelemetry/sdk-node/'));

describe('tracing configuration', () => {
  it('is off, loads no SDK and records nothing when no OTLP endpoint is set', async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
    const handle = await startTracing();
    assert.equal(handle.enabled, false);
    assert.equal(sdkLoaded(), false, '@opentelemetry/sdk-node was loaded');
    assert.equal(trace.getTracer('t').startSpan('x').isRecording(), false);
    await handle.shutdown();
    await handle.shutdown();
  });

  it('stays off and loads no SDK with an endpoint when OTEL_TRACES_SAMPLER=always_off', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    try {
      const handle = await startTracing({ logger: { warn: () => {} } });
      assert.equal(handle.enabled, false);
      assert.equal(sdkLoaded(), false, '@opentelemetry/sdk-node was loaded for a sampler that samples nothing');
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      delete process.env.OTEL_TRACES_SAMPLER;
    }
  });

  it('loads the SDK only once an endpoint is set (so the check above can fail)', async () => {
    // Nothing is exported: no span is made, so no request leaves the process.
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:9';
    try {
      const handle = await startTracing({ logger: { warn: () => {} } });
      assert.equal(handle.enabled, true);
      assert.equal(sdkLoaded(), true);
      await handle.shutdown();
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    }
  });

  it('derives the traces endpoint as OpenTelemetry specifies', () => {
    assert.equal(tracesEndpoint({}), null);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), null);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' }), 'http://c:4318/v1/traces');
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/x' }), 'http://t:1/x');
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }), null);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }), null);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'console,otlp' }), 'http://c:4318/v1/traces');
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'always_off' }), null);
    assert.equal(tracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_SAMPLER: 'parentbased_always_off' }), 'http://c:4318/v1/traces');
  });

  it('bounds exports by 3 s unless OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT says otherwise', () => {
    assert.deepEqual(exportTimeoutMs({}), { ms: DEFAULT_EXPORT_TIMEOUT_MS, fromEnv: false });
    assert.equal(DEFAULT_EXPORT_TIMEOUT_MS, 3000);
    assert.deepEqual(exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: '1500' }), { ms: 1500, fromEnv: true });
    assert.deepEqual(exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: '1500', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '700' }), { ms: 700, fromEnv: true });
    assert.deepEqual(exportTimeoutMs({ OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }), { ms: DEFAULT_EXPORT_TIMEOUT_MS, fromEnv: false });
  });
});
