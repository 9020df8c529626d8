/**
 * The CLIENT side of one session (DESIGN section 7): a span `execute` under the test span, named
 * and attributed by the OpenTelemetry RPC conventions, whose W3C traceparent goes out in
 * `params._meta.traceparent`. The executor continues it in a SERVER span, so a service graph
 * (Tempo, Jaeger) draws an edge stressd → stressd-executor from the pair.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { EXECUTE_ID } from '../client/client.ts';
import { RpcCallError } from '../client/errors.ts';
import { redactCredentials } from '../result/redact.ts';
import { VERSION } from '../version.ts';
import { epochMs, guard, spanIds } from './spans.ts';

export interface SessionSpan {
  span: Span;
  /** What goes in `params._meta.traceparent`; undefined when tracing is off. */
  traceparent: string | undefined;
}

/** `server.address` and `server.port` of a ws:// or wss:// URL; {} when it does not parse. */
export function serverAttributes(url: string): Attributes {
  try {
    const u = new URL(url);
    // An IPv6 literal keeps its brackets in URL.hostname; the convention wants the bare address.
    const address = u.hostname.replace(/^\[(.*)\]$/, '$1');
    const port = u.port === '' ? (u.protocol === 'wss:' || u.protocol === 'https:' ? 443 : 80) : Number(u.port);
    return { 'server.address': address, 'server.port': port };
  } catch {
    return {};
  }
}

export function startSessionSpan(testSpan: Span, url: string): SessionSpan {
  try {
    const parent = trace.setSpan(context.active(), testSpan);
    const span = trace.getTracer('stressd', VERSION).startSpan(
      'execute',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'rpc.system': 'jsonrpc',
          // The same value under the name the RPC conventions use since they became stable.
          'rpc.system.name': 'jsonrpc',
          'rpc.method': 'execute',
          'jsonrpc.protocol.version': '2.0',
          // The client sends every execute with the same id: one request per connection.
          'jsonrpc.request.id': String(EXECUTE_ID),
          'network.transport': 'tcp',
          ...serverAttributes(url),
        },
      },
      parent,
    );
    return { span, traceparent: spanIds(span).traceparent };
  } catch {
    // Telemetry never stops a test: carry on under the test span's context, with nothing to end.
    return { span: trace.wrapSpanContext(testSpan.spanContext()), traceparent: spanIds(testSpan).traceparent };
  }
}

/**
 * Ends the session span when the session is over (`process.completed`, a cancel confirmed, or
 * the loss of the connection). Only a failed call is an RPC error: a command that exits non-zero
 * is the test's verdict, on the test span, not the transport's.
 */
export function endSessionSpan(session: SessionSpan, error: unknown, endedAt: number): void {
  guard(() => {
    const { span } = session;
    if (error !== null && error !== undefined) {
      const type = error instanceof Error ? error.name : typeof error;
      const attributes: Attributes = { 'error.type': type };
      if (error instanceof RpcCallError) {
        // rpc.status_code (a string) is the current conventions' name; rpc.jsonrpc.error_code (an
        // int) is the older one, which backends built on the earlier conventions still read.
        attributes['rpc.status_code'] = String(error.rpcCode);
        attributes['rpc.jsonrpc.error_code'] = error.rpcCode;
      }
      span.setAttributes(attributes);
      const message = error instanceof Error ? error.message : String(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactCredentials(message) });
    }
    span.end(epochMs(endedAt));
  });
}
