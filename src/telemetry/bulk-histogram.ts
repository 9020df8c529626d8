/**
 * A Prometheus histogram that takes whole distributions at once: a test's gaps arrive as counts at
 * fixed bounds when it ends (src/result/gap-buckets.ts), never one observe() per line. prom-client
 * has no bulk add, so this is a small metric object of its own that the registry renders like any
 * histogram: the registry only needs `name`, `type`, `get()` and `reset()` (registry.js), and the
 * MetricObject that get() returns has the same `_bucket{le}`/`_sum`/`_count` samples, in the same
 * order, as prom-client's Histogram gives. Classic text and OpenMetrics both come out of that.
 */
import type { Metric, Registry } from 'prom-client';

export interface BulkHistogramConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  /** Upper bounds, ascending; `+Inf` is implicit. */
  buckets: readonly number[];
}

/** One distribution: per-bucket (not cumulative) counts, one more than the bounds for `+Inf`. */
export interface BucketCounts {
  bounds: readonly number[];
  counts: readonly number[];
  sum: number;
  count: number;
}

interface Series {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

/** One sample as the registry renders it (prom-client's own MetricValueWithName, which it does not export). */
interface Sample {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** What get() returns: the shape prom-client's Histogram#get() gives, with its type as a name. */
export interface HistogramMetricObject {
  name: string;
  help: string;
  type: 'histogram';
  aggregator: 'sum';
  values: Sample[];
}

export class BulkHistogram<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram' as const;
  readonly aggregator = 'sum' as const;
  readonly labelNames: readonly L[];
  readonly upperBounds: readonly number[];
  // Plain (not #private) fields on purpose: exposition.ts renders OpenMetrics through
  // Object.create() views of each metric, and a view cannot read its prototype's #private fields.
  private series = new Map<string, Series>();

  constructor(config: BulkHistogramConfig<L>) {
    const bounds = [...config.buckets];
    if (bounds.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number)))) {
      throw new TypeError(`${config.name}: bucket bounds must be finite and ascending`);
    }
    if (config.labelNames.includes('le' as L)) throw new TypeError('le is a reserved label name');
    this.name = config.name;
    this.help = config.help;
    this.labelNames = [...config.labelNames];
    this.upperBounds = Object.freeze(bounds);
  }

  /** Registers on `registry` (prom-client's typings only know its own metric classes). */
  registerOn(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  /**
   * Adds a distribution to the series of `labels`. Throws (and changes nothing) when its bounds
   * are not this histogram's: counts at other bounds cannot be re-bucketed exactly.
   */
  add(labels: Partial<Record<L, string>>, dist: BucketCounts): void {
    const own = this.checkLabels(labels);
    const n = this.upperBounds.length;
    if (dist.bounds.length !== n || dist.bounds.some((b, i) => b !== this.upperBounds[i])) {
      throw new TypeError(`${this.name}: the distribution's bounds differ from the histogram's`);
    }
    if (dist.counts.length !== n + 1 || !dist.counts.every((c) => Number.isInteger(c) && c >= 0)) {
      throw new TypeError(`${this.name}: expected ${n + 1} non-negative integer counts`);
    }
    const total = dist.counts.reduce((a, b) => a + b, 0);
    if (total !== dist.count || !Number.isFinite(dist.sum) || dist.sum < 0) {
      throw new TypeError(`${this.name}: count ${dist.count} and sum ${dist.sum} do not fit counts totalling ${total}`);
    }
    const key = this.keyOf(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: own, counts: new Array<number>(n + 1).fill(0), sum: 0, count: 0 }));
    for (let i = 0; i <= n; i++) s.counts[i] = (s.counts[i] as number) + (dist.counts[i] as number);
    s.sum += dist.sum;
    s.count += dist.count;
  }

  remove(labels: Partial<Record<L, string>>): void {
    this.series.delete(this.keyOf(labels));
  }

  reset(): void {
    this.series = new Map();
  }

  async get(): Promise<HistogramMetricObject> {
    const values: Sample[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...s.labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels: { ...s.labels }, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...s.labels }, value: s.count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** A copy of `labels` without undefined entries; throws on an unknown label or a non-string value. */
  private checkLabels(labels: Partial<Record<L, string>>): Record<string, string> {
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries<string | undefined>(labels)) {
      if (v === undefined) continue;
      if (!this.labelNames.includes(k as L)) throw new TypeError(`${this.name}: unknown label ${k}`);
      if (typeof v !== 'string') throw new TypeError(`${this.name}: label ${k} is not a string`);
      own[k] = v;
    }
    return own;
  }

  private keyOf(labels: Partial<Record<L, string>>): string {
    return JSON.stringify(this.labelNames.map((k) => labels[k] ?? null));
  }
}
