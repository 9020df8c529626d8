/** The metrics sink: runner events into the Prometheus registry of `createMetrics`. */
import type { Sink } from '../result/sink.ts';
import type { StressdMetrics } from './metrics.ts';

export function metricsSink(metrics: StressdMetrics): Sink {
  return {
    name: 'metrics',
    onRunStart: (run) => metrics.onRunStart(run),
    onTestEnd: (e) => metrics.onTestEnd(e.suite, e.result),
    onRunEnd: (run) => metrics.onRunEnd(run),
  };
}
