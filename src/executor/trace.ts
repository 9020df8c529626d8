/**
 * Continues a client's trace (DESIGN section 7): when `execute` carries a valid W3C `traceparent`, the
 * process runs inside a SERVER span `execute` (the RPC conventions' name for a JSON-RPC method),
 * the other half of the client's CLIENT span, so a service graph gets its edge. Only
 * @opentelemetry/api is used, so this is a no-op until some SDK registers a tracer provider. The header is parsed here rather than
 * with `propagation.extract` because the global propagator only exists once an SDK has started.
 * The command line is deliberately not recorded: commands may hold secrets.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

export function parseTraceparent(header: unknown): ParsedTraceparent | undefined {
  if (typeof header !== 'string') return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  // Version ff is invalid; version 00 allows nothing after the flags; all-zero ids are invalid.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & 0xff };
}

/** The two ends of the session's connection, as the server socket sees them. */
export interface RpcEndpoints {
  serverAddress?: string;
  serverPort?: number;
  clientAddress?: string;
  clientPort?: number;
}

function rpcAttributes(pid: number, ends: RpcEndpoints): Attributes {
  const a: Attributes = {
    'rpc.system': 'jsonrpc',
    'rpc.system.name': 'jsonrpc',
    'rpc.method': 'execute',
    'network.transport': 'tcp',
    'process.pid': pid,
  };
  if (ends.serverAddress) a['server.address'] = ends.serverAddress;
  if (ends.serverPort) a['server.port'] = ends.serverPort;
  if (ends.clientAddress) a['client.address'] = ends.clientAddress;
  if (ends.clientPort) a['client.port'] = ends.clientPort;
  return a;
}

export interface ProcessSpanEnd {
  exitCode: number | null;
  signal: string | null;
  outputBytes: number;
  outputLines: number;
  terminatedBy: string | null;
}

export class ProcessSpan {
  private ended = false;

  private constructor(private readonly span: Span) {}

  /** Undefined when there is no valid traceparent: then no span at all, not even a root one. */
  static start(traceparent: unknown, pid: number, ends: RpcEndpoints = {}): ProcessSpan | undefined {
    const parent = parseTraceparent(traceparent);
    if (!parent) return undefined;
    try {
      const ctx = trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true });
      const span = trace.getTracer('stressd-executor').startSpan('execute', { kind: SpanKind.SERVER, attributes: rpcAttributes(pid, ends) }, ctx);
      return new ProcessSpan(span);
    } catch {
      return undefined; // telemetry never stops a command from running
    }
  }

  end(result: ProcessSpanEnd): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.span.setAttribute('stressd.executor.output_bytes', result.outputBytes);
      this.span.setAttribute('stressd.executor.output_lines', result.outputLines);
      if (result.exitCode !== null) this.span.setAttribute('process.exit.code', result.exitCode);
      if (result.signal) this.span.setAttribute('process.signal', result.signal);
      if (result.terminatedBy) this.span.setAttribute('stressd.executor.terminated_by', result.terminatedBy);
      if (result.exitCode !== 0) {
        // Low-cardinality, like the runner's reasons: who ended it, else how it ended.
        this.span.setAttribute('error.type', result.terminatedBy ?? (result.signal ? 'signal' : 'exit_nonzero'));
        const why = result.terminatedBy ? `terminated by ${result.terminatedBy}` : `exit code ${result.exitCode ?? 'none'}, signal ${result.signal ?? 'none'}`;
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: why });
      }
      this.span.end();
    } catch {
      // telemetry never throws into the program
    }
  }
}
