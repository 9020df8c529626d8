/**
 * OpenTelemetry SDK setup: NodeSDK + OTLP/HTTP trace exporter (JSON, or protobuf when
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says so) + BatchSpanProcessor, configured by the standard
 * OTEL_* variables. Spans themselves are opened through
 * @opentelemetry/api by the runner and the executor, a no-op until this has started.
 *
 * Off at no cost when no OTLP endpoint is set: the SDK is imported lazily, only when on.
 */
import { randomUUID } from 'node:crypto';
import { context, diag, DiagLogLevel, propagation, trace, type Context, type DiagLogger } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { VERSION } from '../version.ts';
import { envValue, exporterList, millisFrom, sdkDisabled, signalEndpoint, signalProtocol } from './otlp-env.ts';

export interface TracingLogger {
  warn(obj: unknown, msg?: string): void;
}

export interface TracingOptions {
  /** service.name unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES set one; default "stressd". */
  serviceName?: string;
  /**
   * serviceName wins over OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES. For the executor: it
   * inherits the daemon's environment, and a `OTEL_SERVICE_NAME=stressd` meant for the daemon
   * must not make both ends of every session one service (no edge in a service graph).
   */
  fixedServiceName?: boolean;
  /** service.version; default the package version. */
  serviceVersion?: string;
  /** Receives the SDK's warnings and errors (export failures); default console.warn. */
  logger?: TracingLogger;
}

export interface TracingHandle {
  enabled: boolean;
  /** Flushes pending spans and unregisters the SDK. Idempotent, bounded, never rejects. */
  shutdown(): Promise<void>;
}

/** Bound of one export when OTEL_EXPORTER_OTLP_(TRACES_)TIMEOUT is not set (the SDK's own is 10 s). */
export const DEFAULT_EXPORT_TIMEOUT_MS = 3000;
/** Shutdown waits for one export plus this much for the rest of the teardown. */
const SHUTDOWN_SLACK_MS = 2000;

/** One per process, shared by its traces and its metrics. */
const INSTANCE_ID = randomUUID();

const disabled: TracingHandle = Object.freeze({ enabled: false, shutdown: () => Promise.resolve() });
let active = false;

const consoleLogger: TracingLogger = {
  warn(obj, msg) {
    console.warn(`stressd tracing: ${msg ?? 'warning'}`, obj);
  },
};

/**
 * The URL spans go to, or null when tracing is off: no OTLP endpoint set, OTEL_SDK_DISABLED=true,
 * OTEL_TRACES_EXPORTER without "otlp" (e.g. "none"), or OTEL_TRACES_SAMPLER=always_off (which
 * could never sample a span, so loading the SDK for it would be pure cost).
 */
export function tracesEndpoint(env: NodeJS.ProcessEnv = process.env): string | null {
  if (sdkDisabled(env)) return null;
  if (envValue(env, 'OTEL_TRACES_SAMPLER')?.toLowerCase() === 'always_off') return null;
  const exporters = exporterList('traces', env);
  if (exporters && !exporters.includes('otlp')) return null;
  return signalEndpoint('traces', env);
}

/** The export timeout in ms: the OTEL_* variable when set (as the exporter reads it), else our default. */
export function exportTimeoutMs(env: NodeJS.ProcessEnv = process.env): { ms: number; fromEnv: boolean } {
  const ms = millisFrom(env, 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT');
  return ms !== undefined ? { ms, fromEnv: true } : { ms: DEFAULT_EXPORT_TIMEOUT_MS, fromEnv: false };
}

export function diagLogger(logger: TracingLogger): DiagLogger {
  const warn = (message: string, ...args: unknown[]) => {
    try {
      logger.warn({ otel: args.length > 0 ? args : undefined }, `opentelemetry: ${message}`);
    } catch {
      // Never let a logger failure escape into the SDK's export path.
    }
  };
  const ignore = () => {};
  return { error: warn, warn, info: ignore, debug: ignore, verbose: ignore };
}

/**
 * Starts exporting as soon as a local root span ends (a `stressd.run`, or an executor process span
 * whose parent came over the wire) instead of waiting for the batch delay. A whole trace then
 * leaves while the process goes on, and when a stop follows (SIGTERM) its export is already in
 * flight, running alongside the executor's own flush: the stop waits one export timeout, not two.
 * Its forceFlush() waits for those early exports; call it before the SDK's shutdown, which would
 * otherwise close the exporter under an export that is still resolving the resource.
 */
export function flushOnLocalRootEnd(batch: SpanProcessor, onError: (err: unknown) => void): SpanProcessor {
  const pending = new Set<Promise<void>>();
  const settle = async (): Promise<void> => {
    await Promise.all([...pending]);
  };
  return {
    onStart(_span: Span, _parent: Context) {},
    onEnd(span: ReadableSpan) {
      const parent = span.parentSpanContext;
      if (parent !== undefined && parent.isRemote !== true) return;
      const flush: Promise<void> = batch
        .forceFlush()
        .catch(onError)
        .finally(() => pending.delete(flush));
      pending.add(flush);
    },
    forceFlush: settle,
    shutdown: settle,
  };
}

export async function startTracing(options: TracingOptions = {}): Promise<TracingHandle> {
  const logger = options.logger ?? consoleLogger;
  const endpoint = tracesEndpoint();
  if (endpoint === null) return disabled;
  if (active) {
    logger.warn({ endpoint }, 'tracing already started in this process; this call does nothing');
    return disabled;
  }
  const { protocol, refused } = signalProtocol('traces');
  if (refused !== undefined) logger.warn({ protocol: refused }, `OTLP ${refused} is not supported for traces; sending ${protocol}`);

  try {
    const [{ NodeSDK }, { OTLPTraceExporter }, { BatchSpanProcessor }, resources, core] = await Promise.all([
      import('@opentelemetry/sdk-node'),
      protocol === 'http/protobuf' ? import('@opentelemetry/exporter-trace-otlp-proto') : import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/core'),
    ]);
    const timeout = exportTimeoutMs();
    const exporter = new OTLPTraceExporter(timeout.fromEnv ? {} : { timeoutMillis: timeout.ms });
    // sdk-trace-base's BatchSpanProcessor takes (exporter, config) and fills what config leaves
    // out from OTEL_BSP_*; passing it a single {exporter} object loses the exporter (it then fails
    // at the first export). Its export timeout is bounded by the exporter's own.
    const processor = new BatchSpanProcessor(exporter, envValue(process.env, 'OTEL_BSP_EXPORT_TIMEOUT') ? {} : { exportTimeoutMillis: timeout.ms + 500 });

    const eager = flushOnLocalRootEnd(processor, (err) => logger.warn({ err, endpoint }, 'exporting a finished trace failed'));

    const resource = stressdResource(resources, options);
    const sdk = new NodeSDK({
      resource,
      // Detected attributes override ours, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win.
      resourceDetectors: [resources.envDetector, resources.hostDetector],
      // NodeSDK applies serviceName after the detectors, so it beats the environment.
      ...(options.fixedServiceName && options.serviceName ? { serviceName: options.serviceName } : {}),
      // The batch processor must come first: it has to hold the span before the flush is asked for.
      spanProcessors: [processor, eager],
      textMapPropagator: new core.CompositePropagator({
        propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
      }),
      instrumentations: [],
      // Traces only: without these NodeSDK would also start OTLP metric and log exporters.
      metricReaders: [],
      logRecordProcessors: [],
    });
    const ownDiag = envValue(process.env, 'OTEL_LOG_LEVEL') === undefined;
    if (ownDiag) diag.setLogger(diagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    sdk.start();
    active = true;

    const shutdown = onceShutdown({ eager, sdk, boundMs: timeout.ms + SHUTDOWN_SLACK_MS, logger, endpoint, ownDiag });
    return { enabled: true, shutdown };
  } catch (err) {
    logger.warn({ err, endpoint }, 'tracing could not start; continuing without it');
    return disabled;
  }
}

/**
 * The service's resource, built by hand instead of the process detector, whose
 * process.command_args would put every command-line flag (a --token among them) on every span.
 */
export function stressdResource(resources: typeof import('@opentelemetry/resources'), options: Pick<TracingOptions, 'serviceName' | 'serviceVersion'>) {
  return resources.defaultResource().merge(
    resources.resourceFromAttributes({
      'service.name': options.serviceName ?? 'stressd',
      'service.version': options.serviceVersion ?? VERSION,
      // One per process, as the resource conventions recommend (a UUID, not host+pid, which recur).
      'service.instance.id': INSTANCE_ID,
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'process.executable.path': process.execPath,
    }),
  );
}

interface ShutdownParts {
  eager: SpanProcessor;
  sdk: { shutdown(): Promise<void> };
  boundMs: number;
  logger: TracingLogger;
  endpoint: string;
  ownDiag: boolean;
}

/** Flushes what is pending (bounded) and undoes start() exactly, once, so a later startTracing() registers afresh. */
function onceShutdown(p: ShutdownParts): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), p.boundMs);
        timer.unref();
      });
      try {
        const flushed = p.eager.forceFlush().then(() => p.sdk.shutdown());
        const result = await Promise.race([flushed.then(() => 'done' as const), bound]);
        if (result === 'timeout') p.logger.warn({ endpoint: p.endpoint }, 'tracing shutdown timed out; pending spans dropped');
      } catch (err) {
        p.logger.warn({ err, endpoint: p.endpoint }, 'tracing shutdown failed; pending spans dropped');
      } finally {
        clearTimeout(timer);
        trace.disable();
        propagation.disable();
        context.disable();
        if (p.ownDiag) diag.disable();
        active = false;
      }
    })().catch(() => {});
    return closing;
  };
}
