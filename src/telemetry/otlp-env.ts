/**
 * The standard OTEL_* variables as stressd reads them for its two OTLP signals, traces and
 * metrics: whether a signal is exported, to which URL and over which protocol. Headers,
 * timeouts and compression are left to the OTLP exporters, which read the same variables
 * (the signal's own first, then the general one).
 */
export type Signal = 'traces' | 'metrics';
export type OtlpProtocol = 'http/json' | 'http/protobuf';

const SIGNAL_VAR = { traces: 'TRACES', metrics: 'METRICS' } as const;

export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** The signal's URL from OTEL_EXPORTER_OTLP_<SIGNAL>_ENDPOINT, else <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/<signal>. */
export function signalEndpoint(signal: Signal, env: NodeJS.ProcessEnv = process.env): string | null {
  const own = envValue(env, `OTEL_EXPORTER_OTLP_${SIGNAL_VAR[signal]}_ENDPOINT`);
  if (own) return own;
  const base = envValue(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return base ? `${base.replace(/\/+$/, '')}/v1/${signal}` : null;
}

export interface ProtocolChoice {
  protocol: OtlpProtocol;
  /** What was asked for and could not be done (grpc, or an unknown value), for a warning. */
  refused?: string;
}

/**
 * OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL: http/json or
 * http/protobuf. stressd's default stays http/json (the SDK's is http/protobuf; every collector
 * takes both). grpc is not bundled: it falls back to http/protobuf, with a warning.
 */
export function signalProtocol(signal: Signal, env: NodeJS.ProcessEnv = process.env): ProtocolChoice {
  const asked = envValue(env, `OTEL_EXPORTER_OTLP_${SIGNAL_VAR[signal]}_PROTOCOL`) ?? envValue(env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
  if (asked === undefined || asked === 'http/json') return { protocol: 'http/json' };
  if (asked === 'http/protobuf') return { protocol: 'http/protobuf' };
  return { protocol: 'http/protobuf', refused: asked };
}

/** OTEL_SDK_DISABLED=true turns every signal off. */
export function sdkDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return envValue(env, 'OTEL_SDK_DISABLED')?.toLowerCase() === 'true';
}

/** OTEL_<SIGNAL>_EXPORTER as a list (e.g. "otlp", "none", "otlp,console"). */
export function exporterList(signal: Signal, env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = envValue(env, `OTEL_${SIGNAL_VAR[signal]}_EXPORTER`);
  return raw?.split(',').map((e) => e.trim().toLowerCase());
}

/** A positive number of ms from the first variable that holds one. */
export function millisFrom(env: NodeJS.ProcessEnv, ...names: string[]): number | undefined {
  for (const name of names) {
    const ms = Number(envValue(env, name));
    if (Number.isFinite(ms) && ms > 0) return ms;
  }
  return undefined;
}
