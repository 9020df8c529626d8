import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProcessSpan, parseTraceparent } from '../../src/executor/trace.ts';

const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT = 'b7ad6b7169203331';

test('parses a valid W3C traceparent and rejects malformed or all-zero ones', () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE_ID}-${PARENT}-01`), { traceId: TRACE_ID, spanId: PARENT, traceFlags: 1 });
  for (const bad of [undefined, 42, '', `00-${TRACE_ID}-${PARENT}`, `ff-${TRACE_ID}-${PARENT}-01`, `00-${'0'.repeat(32)}-${PARENT}-01`, `00-${TRACE_ID}-${'0'.repeat(16)}-01`, `00-${TRACE_ID.toUpperCase()}-${PARENT}-01`, `00-${TRACE_ID}-${PARENT}-01-extra`]) {
    assert.equal(parseTraceparent(bad), undefined, String(bad));
  }
});

test('runs the process inside a SERVER span execute that continues the client\'s trace', () => {
  exporter.reset();
  const span = ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 4242, { serverAddress: '127.0.0.1', serverPort: 8765, clientAddress: '127.0.0.1', clientPort: 50123, requestId: 1 });
  assert.ok(span);
  span.end({ exitCode: 2, signal: null, outputBytes: 10, outputLines: 3, terminatedBy: null });
  span.end({ exitCode: 0, signal: null, outputBytes: 0, outputLines: 0, terminatedBy: null });
  const [finished, ...rest] = exporter.getFinishedSpans();
  assert.equal(rest.length, 0, 'ended once');
  assert.equal(finished?.name, 'execute');
  assert.equal(finished?.kind, SpanKind.SERVER);
  assert.equal(finished?.spanContext().traceId, TRACE_ID);
  assert.equal(finished?.parentSpanContext?.spanId, PARENT);
  assert.deepEqual(finished?.attributes, {
    'rpc.system': 'jsonrpc',
    'rpc.system.name': 'jsonrpc',
    'rpc.method': 'execute',
    'jsonrpc.protocol.version': '2.0',
    'jsonrpc.request.id': '1',
    'network.transport': 'tcp',
    'server.address': '127.0.0.1',
    'server.port': 8765,
    'client.address': '127.0.0.1',
    'client.port': 50123,
    'process.pid': 4242,
    'process.exit.code': 2,
    'stressd.executor.output_bytes': 10,
    'stressd.executor.output_lines': 3,
  });
  // The call was served: a non-zero exit is the test's verdict, not an RPC error (as on the CLIENT span).
  assert.equal(finished?.status.code, 0); // UNSET
});

test('without a valid traceparent there is no span at all', () => {
  exporter.reset();
  assert.equal(ProcessSpan.start(undefined, 1), undefined);
  assert.equal(ProcessSpan.start('garbage', 1), undefined);
  assert.equal(exporter.getFinishedSpans().length, 0);
});

test('only a client that went away makes the SERVER span an error; who ended a process is an attribute', () => {
  exporter.reset();
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 7)?.end({ exitCode: null, signal: 'SIGTERM', outputBytes: 0, outputLines: 0, terminatedBy: 'deadline' });
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 8)?.end({ exitCode: null, signal: 'SIGKILL', outputBytes: 0, outputLines: 0, terminatedBy: null });
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 9)?.end({ exitCode: 0, signal: null, outputBytes: 0, outputLines: 0, terminatedBy: null });
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 10)?.end({ exitCode: null, signal: 'SIGTERM', outputBytes: 0, outputLines: 0, terminatedBy: 'disconnect' });
  assert.deepEqual(
    exporter.getFinishedSpans().map((s) => [s.attributes['stressd.executor.terminated_by'], s.attributes['error.type'], s.status.code]),
    [['deadline', undefined, 0], [undefined, undefined, 0], [undefined, undefined, 0], ['disconnect', 'disconnect', 2]],
  );
});

test('a request without an id (a notification) has no jsonrpc.request.id', () => {
  exporter.reset();
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 11, { requestId: undefined })?.end({ exitCode: 0, signal: null, outputBytes: 0, outputLines: 0, terminatedBy: null });
  ProcessSpan.start(`00-${TRACE_ID}-${PARENT}-01`, 12, { requestId: 'req-7' })?.end({ exitCode: 0, signal: null, outputBytes: 0, outputLines: 0, terminatedBy: null });
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.attributes['jsonrpc.request.id']), [undefined, 'req-7']);
});
