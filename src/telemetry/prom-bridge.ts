/**
 * stressd's Prometheus registry read as OpenTelemetry metric data, for the OTLP metric exporter:
 * the same instruments as /metrics, read at each export, never recorded twice. Counters become
 * monotonic cumulative sums (the name without `_total`, which an OTLP → Prometheus translation
 * adds back), gauges gauges, histograms explicit-bucket histograms with per-bucket counts; the
 * unit comes from the name's suffix, as `# UNIT` does in OpenMetrics.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import type { CollectionResult, MetricData, MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Resource } from '@opentelemetry/resources';
import type { Registry } from 'prom-client';

type SdkMetrics = typeof import('@opentelemetry/sdk-metrics');

interface PromValue {
  value: number;
  labels: Record<string, string | number | undefined>;
  metricName?: string;
}

interface PromMetric {
  name: string;
  help: string;
  type: unknown;
  values: PromValue[];
}

/** UCUM units of the name suffixes stressd uses (OpenTelemetry's metric unit convention). */
const UNITS: readonly [RegExp, string][] = [
  [/_seconds(_total)?$/, 's'],
  [/_bytes(_total)?$/, 'By'],
  [/_ratio$/, '1'],
  [/_usd(_total)?$/, '{USD}'],
];

export function unitOf(name: string): string {
  return UNITS.find(([suffix]) => suffix.test(name))?.[1] ?? '';
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function attributesOf(labels: PromValue['labels'], drop?: string): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(labels)) if (k !== drop && v !== undefined) out[k] = String(v);
  return out;
}

/** A label set's key, to gather a histogram's _bucket, _sum and _count samples of one series. */
const seriesKey = (labels: Attributes): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

function histogramPoints(metric: PromMetric, start: HrTime, end: HrTime) {
  const series = new Map<string, { attributes: Attributes; bounds: [number, number][]; sum: number; count: number }>();
  const entry = (labels: PromValue['labels']) => {
    const attributes = attributesOf(labels, 'le');
    const key = seriesKey(attributes);
    let s = series.get(key);
    if (s === undefined) series.set(key, (s = { attributes, bounds: [], sum: 0, count: 0 }));
    return s;
  };
  for (const v of metric.values) {
    const s = entry(v.labels);
    if (v.metricName?.endsWith('_bucket')) {
      const le = Number(v.labels.le);
      if (Number.isFinite(le)) s.bounds.push([le, v.value]);
    } else if (v.metricName?.endsWith('_sum')) s.sum = v.value;
    else if (v.metricName?.endsWith('_count')) s.count = v.value;
  }
  return [...series.values()].map((s) => {
    const sorted = s.bounds.sort(([a], [b]) => a - b);
    // Prometheus buckets are cumulative; OTLP's are per bucket, with the overflow one last.
    const counts = sorted.map(([, c], i) => c - (i > 0 ? (sorted[i - 1]?.[1] ?? 0) : 0));
    counts.push(s.count - (sorted[sorted.length - 1]?.[1] ?? 0));
    return {
      startTime: start, endTime: end, attributes: s.attributes,
      value: { buckets: { boundaries: sorted.map(([b]) => b), counts }, sum: s.sum, count: s.count },
    };
  });
}

export function toMetricData(sdk: SdkMetrics, metric: PromMetric, start: HrTime, end: HrTime): MetricData | null {
  const type = String(metric.type);
  const base = { aggregationTemporality: sdk.AggregationTemporality.CUMULATIVE };
  const descriptor = (name: string) => ({ name, description: metric.help, unit: unitOf(metric.name), valueType: 1 /* ValueType.DOUBLE */ });
  const points = () => metric.values.map((v) => ({ startTime: start, endTime: end, attributes: attributesOf(v.labels), value: v.value }));
  if (type === 'counter') {
    return { ...base, descriptor: descriptor(metric.name.replace(/_total$/, '')), dataPointType: sdk.DataPointType.SUM, isMonotonic: true, dataPoints: points() };
  }
  if (type === 'gauge') return { ...base, descriptor: descriptor(metric.name), dataPointType: sdk.DataPointType.GAUGE, dataPoints: points() };
  if (type === 'histogram') {
    return { ...base, descriptor: descriptor(metric.name), dataPointType: sdk.DataPointType.HISTOGRAM, dataPoints: histogramPoints(metric, start, end) };
  }
  // Summaries: prom-client's default metrics have none, and stressd defines none.
  return null;
}

export interface BridgeOptions {
  resource: Resource;
  scope: { name: string; version: string };
  /** When the registry began counting: the start of every cumulative point. */
  startMs?: number;
}

/** Reads the registry at each collection. */
export function promMetricProducer(sdk: SdkMetrics, registry: Registry, { resource, scope, startMs = Date.now() }: BridgeOptions): MetricProducer {
  const start = hrTime(startMs);
  return {
    async collect(): Promise<CollectionResult> {
      const errors: unknown[] = [];
      const metrics: MetricData[] = [];
      try {
        const end = hrTime(Date.now());
        for (const m of (await registry.getMetricsAsJSON()) as PromMetric[]) {
          if (m.values.length === 0) continue;
          const data = toMetricData(sdk, m, start, end);
          if (data !== null) metrics.push(data);
        }
      } catch (err) {
        errors.push(err);
      }
      // The reader keeps its MeterProvider's resource (the same one) and takes the scope metrics.
      return { resourceMetrics: { resource, scopeMetrics: [{ scope, metrics }] }, errors };
    },
  };
}
