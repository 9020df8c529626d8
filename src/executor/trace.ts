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

/** The two ends of the session's connection, as the server socket sees them, and the request's id. */
export interface RpcEndpoints {
  serverAddress?: string;
  serverPort?: number;
  clientAddress?: string;
  clientPort?: number;
  /** Left out when the request had none (a notification) or null, as the JSON-RPC conventions ask. */
  requestId?: string | number | undefined;
}

function rpcAttributes(pid: number, ends: RpcEndpoints): Attributes {
  const a: Attributes = {
    'rpc.system': 'jsonrpc',
    'rpc.system.name': 'jsonrpc',
    'rpc.method': 'execute',
    'jsonrpc.protocol.version': '2.0',
    'network.transport': 'tcp',
    'process.pid': pid,
  };
  if (ends.requestId !== undefined && ends.requestId !== null) a['jsonrpc.request.id'] = String(ends.requestId);
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
      // As on the CLIENT twin, only a failed call is an error: a command that exits non-zero, is
      // signalled, or is ended at its deadline or by a cancel was served (the verdict is the
      // test's, on the test span). A client that went away is the one failure of the call here.
      if (result.terminatedBy === 'disconnect') {
        this.span.setAttribute('error.type', 'disconnect');
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client disconnected before the process ended' });
      }
      this.span.end();
    } catch {
      // telemetry never throws into the program
    }
  }
}
