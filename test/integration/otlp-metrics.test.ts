/**
 * OTLP beside /metrics, against a real OTLP/HTTP receiver: a real daemon with
 * OTEL_METRICS_EXPORTER=otlp runs a short suite and exports its metrics (the same instruments and
 * values as a /metrics scrape) and its traces, over http/json and over http/protobuf as
 * OTEL_EXPORTER_OTLP_PROTOCOL says, with OTEL_EXPORTER_OTLP_HEADERS on every request, and once
 * more when it stops. Without OTEL_METRICS_EXPORTER=otlp no metric leaves, traces still do.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedMetric } from '../fixtures/otlp-receiver.ts';
import { parsePromText, type Exposition, type Sample } from '../fixtures/prom-text.ts';
import { DURATION_BUCKETS } from '../../src/telemetry/metric-defs.ts';

const SUITE = 'daemon_quick';
const CONTENT_TYPE = { 'http/json': 'application/json', 'http/protobuf': 'application/x-protobuf' } as const;

/** The last export's metrics (every export sends every metric, so the last batch is the tail). */
function lastExport(all: ReceivedMetric[]): Map<string, ReceivedMetric> {
  const out = new Map<string, ReceivedMetric>();
  for (const m of all) out.set(m.name, m);
  return out;
}

const runsEnded = (all: ReceivedMetric[]): boolean =>
  (lastExport(all).get('stressd_runs')?.points ?? []).reduce((sum, p) => sum + (p.value ?? 0), 0) >= 1;

const sameLabels = (a: Record<string, unknown>, b: Record<string, string>): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** Every stressd_* counter and gauge point of the export equals the scrape's sample. */
function assertSameValues(exported: Map<string, ReceivedMetric>, scrape: Exposition): number {
  let compared = 0;
  for (const m of exported.values()) {
    if (!m.name.startsWith('stressd_') || m.kind === 'histogram') continue;
    const family = scrape.families.get(m.kind === 'sum' ? `${m.name}_total` : m.name) ?? scrape.families.get(m.name);
    assert.ok(family, `${m.name}: no such family on /metrics`);
    for (const p of m.points) {
      const sample: Sample | undefined = family.samples.find((s) => sameLabels(p.attributes, s.labels));
      assert.ok(sample, `${m.name}${JSON.stringify(p.attributes)}: not on /metrics`);
      assert.equal(p.value, sample.value, `${m.name}${JSON.stringify(p.attributes)}`);
      compared++;
    }
  }
  return compared;
}

async function runDaemon(receiver: OtlpReceiver, env: Record<string, string>, check: (d: DaemonProcess) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-otlp-metrics-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/quick.json', '--reports-dir', dir, '--run-on-start'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env });
  try {
    await d.ready;
    await check(d);
  } finally {
    await d.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('OTLP metrics and traces from the daemon', () => {
  for (const protocol of ['http/json', 'http/protobuf'] as const) {
    it(`exports the /metrics instruments with the same values, and the traces, over ${protocol}`, async () => {
      const receiver = await startOtlpReceiver();
      try {
        let requestsBeforeStop = 0;
        await runDaemon(receiver, {
          OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_METRIC_EXPORT_INTERVAL: '300',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-stressd-check=h26', OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        }, async (d) => {
          await receiver.waitForMetrics(runsEnded, 30_000);
          // Nothing changes once the run has ended (no schedule): an export after the scrape holds its values.
          const scrape = parsePromText(await (await fetch(`${d.url}/metrics`)).text());
          const seen = receiver.metrics().length;
          const all = await receiver.waitForMetrics((m) => m.length > seen && runsEnded(m.slice(seen)), 10_000);
          const exported = lastExport(all.slice(seen));
          assert.ok(assertSameValues(exported, scrape) > 10, 'compared too few points');

          const runs = exported.get('stressd_runs');
          assert.equal(runs?.kind, 'sum');
          assert.equal(runs?.monotonic, true);
          assert.equal(runs?.temporality, 2, 'cumulative, as Prometheus counters are');
          const duration = exported.get('stressd_test_duration_seconds');
          assert.equal(duration?.kind, 'histogram');
          assert.equal(duration?.unit, 's');
          for (const p of duration?.points ?? []) {
            assert.deepEqual(p.explicitBounds, [...DURATION_BUCKETS]);
            assert.equal(p.bucketCounts?.reduce((a, b) => a + b, 0), p.count, 'per-bucket counts add up to the count');
            const count = scrape.families.get('stressd_test_duration_seconds')?.samples.find((s) => s.name.endsWith('_count') && sameLabels(p.attributes, s.labels));
            assert.equal(p.count, count?.value);
          }
          assert.equal(exported.get('stressd_test_last_duration_seconds')?.kind, 'gauge');
          assert.ok(exported.has('process_cpu_seconds'), 'the process metrics go too (the same registry)');
          const resource = runs?.resource ?? {};
          assert.equal(resource['service.name'], 'stressd');

          // The traces went the same way, with the same resource identity.
          const spans = await receiver.waitForSpans((s) => s.some((x) => x.name === 'stressd.run'), 20_000);
          const run = spans.find((s) => s.name === 'stressd.run');
          assert.equal(run?.attributes['stressd.suite'], SUITE);
          assert.equal(run?.resource['service.instance.id'], resource['service.instance.id'], 'one instance id for both signals');
          requestsBeforeStop = receiver.received().filter((r) => r.path === '/v1/metrics').length;
        });
        const requests = receiver.received();
        assert.ok(requests.filter((r) => r.path === '/v1/metrics').length > requestsBeforeStop, 'a last export when the daemon stops');
        for (const path of ['/v1/metrics', '/v1/traces']) {
          const mine = requests.filter((r) => r.path === path);
          assert.ok(mine.length > 0, `nothing sent to ${path}`);
          for (const r of mine) {
            assert.equal(r.contentType, CONTENT_TYPE[protocol], `${path} over ${protocol}`);
            assert.equal(r.headers['x-stressd-check'], 'h26', `${path}: OTEL_EXPORTER_OTLP_HEADERS`);
          }
        }
      } finally {
        await receiver.close();
      }
    });
  }

  it('sends no metric without OTEL_METRICS_EXPORTER=otlp, and the traces still', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await runDaemon(receiver, {}, async () => {
        await receiver.waitForSpans((s) => s.some((x) => x.name === 'stressd.run'), 30_000);
      });
      assert.deepEqual(receiver.received().filter((r) => r.path === '/v1/metrics'), []);
    } finally {
      await receiver.close();
    }
  });

  it('says so and keeps /metrics when the metrics endpoint is unreachable', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await runDaemon(receiver, { OTEL_METRICS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: 'http://127.0.0.1:9/v1/metrics', OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_EXPORTER_OTLP_TIMEOUT: '500' }, async (d) => {
        await d.waitLog((l) => l.level === 40 && /opentelemetry/.test(String(l.msg)) && /metric/i.test(JSON.stringify(l)), 'a warning about the failed metric export', 20_000);
        const runs = (text: string): number => (parsePromText(text).families.get('stressd_runs_total')?.samples ?? []).reduce((sum, x) => sum + x.value, 0);
        await waitFor(async () => runs(await (await fetch(`${d.url}/metrics`)).text()) >= 1, 'the run to end on /metrics', 30_000);
        // The traces are unaffected: their endpoint is the live one.
        await receiver.waitForSpans((sp) => sp.some((x) => x.name === 'stressd.run'), 20_000);
      });
      assert.deepEqual(receiver.received().filter((r) => r.path === '/v1/metrics'), []);
    } finally {
      await receiver.close();
    }
  });
});
