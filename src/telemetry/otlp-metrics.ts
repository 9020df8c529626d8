/**
 * OTLP metrics beside /metrics: with OTEL_METRICS_EXPORTER=otlp the daemon also pushes its
 * Prometheus registry (the same instruments, read through prom-bridge.ts) to an OTLP endpoint
 * every OTEL_METRIC_EXPORT_INTERVAL, over http/json or http/protobuf, and once more when it stops.
 * Off, the SDK is not loaded. Export failures are logged; /metrics goes on either way.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import type { Registry } from 'prom-client';
import { VERSION } from '../version.ts';
import { exporterList, millisFrom, sdkDisabled, signalEndpoint, signalProtocol } from './otlp-env.ts';
import { promMetricProducer } from './prom-bridge.ts';
import { DEFAULT_EXPORT_TIMEOUT_MS, diagLogger, stressdResource, type TracingLogger } from './tracing.ts';

export interface MetricsExportOptions {
  registry: Registry;
  logger: TracingLogger;
  serviceName?: string;
  /** When the registry began counting (the start of the cumulative sums); default now. */
  startMs?: number;
}

export interface MetricsExportHandle {
  enabled: boolean;
  /** Exports once more and stops. Idempotent, bounded, never rejects. */
  shutdown(): Promise<void>;
}

/** The SDK's default export interval, 60 s. */
const DEFAULT_INTERVAL_MS = 60_000;
const SLACK_MS = 2000;
const off: MetricsExportHandle = Object.freeze({ enabled: false, shutdown: () => Promise.resolve() });

/** Only on request: stressd's metrics are Prometheus' first, OTLP an addition. */
export function metricsExportWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !sdkDisabled(env) && (exporterList('metrics', env)?.includes('otlp') ?? false);
}

export async function startMetricsExport(options: MetricsExportOptions): Promise<MetricsExportHandle> {
  if (!metricsExportWanted()) return off;
  const { logger } = options;
  // Without an endpoint the exporter sends to http://localhost:4318/v1/metrics, as the spec says.
  const endpoint = signalEndpoint('metrics') ?? 'http://localhost:4318/v1/metrics';
  const { protocol, refused } = signalProtocol('metrics');
  if (refused !== undefined) logger.warn({ protocol: refused }, `OTLP ${refused} is not supported for metrics; sending ${protocol}`);
  try {
    const [sdk, { OTLPMetricExporter }, resources] = await Promise.all([
      import('@opentelemetry/sdk-metrics'),
      protocol === 'http/protobuf' ? import('@opentelemetry/exporter-metrics-otlp-proto') : import('@opentelemetry/exporter-metrics-otlp-http'),
      import('@opentelemetry/resources'),
    ]);
    const timeoutMs = millisFrom(process.env, 'OTEL_EXPORTER_OTLP_METRICS_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
    // URL, headers, compression and the timeout (when set) come from the OTEL_* variables.
    const exporter = new OTLPMetricExporter(timeoutMs === undefined ? { timeoutMillis: DEFAULT_EXPORT_TIMEOUT_MS } : {});
    const exportTimeout = timeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS;
    const interval = millisFrom(process.env, 'OTEL_METRIC_EXPORT_INTERVAL') ?? DEFAULT_INTERVAL_MS;
    const resource = stressdResource(resources, { serviceName: options.serviceName ?? 'stressd' }).merge(
      resources.detectResources({ detectors: [resources.envDetector, resources.hostDetector] }),
    );
    const producer = promMetricProducer(sdk, options.registry, {
      resource, scope: { name: 'stressd', version: VERSION }, ...(options.startMs === undefined ? {} : { startMs: options.startMs }),
    });
    const reader = new sdk.PeriodicExportingMetricReader({
      exporter,
      exportIntervalMillis: interval,
      // The reader refuses a timeout longer than its interval.
      exportTimeoutMillis: Math.min(millisFrom(process.env, 'OTEL_METRIC_EXPORT_TIMEOUT') ?? exportTimeout + 500, interval),
      metricProducers: [producer],
    });
    const provider = new sdk.MeterProvider({ resource, readers: [reader] });
    // A failed periodic export is reported through diag: to stressd's log, as for traces.
    if (process.env.OTEL_LOG_LEVEL === undefined) diag.setLogger(diagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    return { enabled: true, shutdown: onceShutdown(provider, exportTimeout + SLACK_MS, logger, endpoint) };
  } catch (err) {
    logger.warn({ err, endpoint }, 'OTLP metrics could not start; continuing with /metrics only');
    return off;
  }
}

function onceShutdown(provider: { shutdown(): Promise<void> }, boundMs: number, logger: TracingLogger, endpoint: string): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), boundMs);
        timer.unref();
      });
      try {
        const result = await Promise.race([provider.shutdown().then(() => 'done' as const), bound]);
        if (result === 'timeout') logger.warn({ endpoint }, 'OTLP metrics: the last export timed out');
      } catch (err) {
        logger.warn({ err, endpoint }, 'OTLP metrics: the last export failed');
      } finally {
        clearTimeout(timer);
      }
    })().catch(() => {});
    return closing;
  };
}
