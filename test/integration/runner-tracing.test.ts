import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { scenarios, startQuirkPeer, type QuirkPeer } from '../fixtures/quirk-peer.ts';
import { startRun } from '../../src/runner/runner.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let peer: QuirkPeer;
let reportsDir: string;

before(async () => {
  trace.setGlobalTracerProvider(provider);
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-tracing-'));
});
after(async () => {
  await provider.shutdown();
  trace.disable();
  await peer?.close();
  await rm(reportsDir, { recursive: true, force: true });
});

test('a run is one stressd.run span with a stressd.test child per test, each with a CLIENT execute span whose traceparent reaches the server', async () => {
  const endless = scenarios.endless({ intervalMs: 50 }).steps;
  peer = await startQuirkPeer({
    steps: (ctx) => ctx.command.includes('slow') && Array.isArray(endless)
      ? endless
      : [{ do: 'result' }, { do: 'started' }, { do: 'wait', ms: 100 }, { do: 'line', data: 'hello world\n' }, { do: 'completed', exitCode: 0 }],
    onCancel: 'canceled',
  });
  const suite = makeSuite([
    { id: 'quick', command: 'echo quick', expected_patterns: ['hello', 'absent'] },
    { id: 'slow', command: 'echo slow', timeout: 1 },
  ]);
  const run = await startRun({ suite, executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
  const spans = exporter.getFinishedSpans();
  const runSpan = spans.find((s) => s.name === 'stressd.run') ?? assert.fail('no stressd.run span');
  const testSpans = spans.filter((s) => s.name === 'stressd.test');
  assert.equal(testSpans.length, 2);

  assert.equal(run.trace_id, runSpan.spanContext().traceId);
  assert.equal(runSpan.attributes['stressd.suite'], 'itest');
  assert.equal(runSpan.attributes['stressd.run.id'], run.id);
  assert.equal(runSpan.attributes['stressd.tests.total'], 2);
  assert.equal(runSpan.attributes['stressd.tests.passed'], 0);
  assert.equal(runSpan.attributes['stressd.run.graduated'], false);

  const [quick, slow] = testSpans;
  for (const [span, result] of [[quick, run.tests[0]], [slow, run.tests[1]]] as const) {
    assert.equal(span?.parentSpanContext?.spanId, runSpan.spanContext().spanId);
    assert.equal(span?.spanContext().traceId, run.trace_id);
    assert.equal(result?.trace_id, run.trace_id);
    assert.equal(result?.span_id, span?.spanContext().spanId);
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
  }
  assert.equal(quick?.attributes['stressd.test.id'], 'quick');
  assert.equal(quick?.attributes['stressd.test.outcome'], 'failed');
  assert.equal(quick?.attributes['stressd.test.reason'], 'pattern_miss');
  assert.equal(quick?.attributes['stressd.test.patterns_found'], 1);
  assert.equal(quick?.attributes['stressd.test.patterns_expected'], 2);
  assert.equal(quick?.attributes['stressd.test.output_bytes'], 12);
  assert.equal(quick?.attributes['stressd.test.chunks'], 1);
  assert.equal(quick?.attributes['process.exit.code'], 0);
  assert.equal(quick?.attributes['error.type'], 'pattern_miss');
  assert.equal(quick?.attributes['process.exit_code'], undefined, 'the old name is gone');
  const first = quick?.events.find((e) => e.name === 'stressd.test.first_output');
  // The peer waits 0.1 s before its first line: a busy machine can only add to that.
  assert.ok(Number(first?.attributes?.['stressd.test.offset_seconds']) >= 0.095, JSON.stringify(first));
  assert.match(quick?.status.message ?? '', /pattern_miss/);

  assert.equal(slow?.attributes['stressd.test.outcome'], 'timeout');
  assert.deepEqual(slow?.events.map((e) => e.name).filter((n) => n !== 'stressd.test.first_output'), ['stressd.test.timeout', 'stressd.test.cancelled']);

  const sent = peer.received.filter((f): f is { method: string; params: { _meta?: { traceparent?: string } } } =>
    typeof f === 'object' && f !== null && (f as { method?: unknown }).method === 'execute');
  const clients = [quick, slow].map((t) => {
    const under = spans.filter((s) => s.name === 'execute' && s.parentSpanContext?.spanId === t?.spanContext().spanId);
    assert.equal(under.length, 1, 'one session span per test');
    return under[0] ?? assert.fail('no execute span');
  });
  const port = Number(new URL(peer.url).port);
  for (const c of clients) {
    assert.equal(c.kind, SpanKind.CLIENT);
    assert.deepEqual(
      [c.attributes['rpc.system'], c.attributes['rpc.method'], c.attributes['server.address'], c.attributes['server.port']],
      ['jsonrpc', 'execute', '127.0.0.1', port],
    );
    assert.equal(c.status.code, SpanStatusCode.UNSET, 'a failing test is not a failed call');
  }
  assert.deepEqual(sent.map((f) => f.params._meta?.traceparent), clients.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
});

test('a session that loses its connection is a CLIENT span in ERROR with the error type', async () => {
  exporter.reset();
  const lost = await startQuirkPeer({ steps: [{ do: 'result' }, { do: 'started' }, { do: 'line', data: 'x\n' }, { do: 'drop' }] });
  try {
    const run = await startRun({ suite: makeSuite([{ id: 'lost', command: 'echo lost' }]), executor: { url: lost.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
    const testSpan = exporter.getFinishedSpans().find((s) => s.name === 'stressd.test') ?? assert.fail('no test span');
    const client = exporter.getFinishedSpans().find((s) => s.name === 'execute') ?? assert.fail('no execute span');
    assert.equal(client.parentSpanContext?.spanId, testSpan.spanContext().spanId);
    assert.equal(client.status.code, SpanStatusCode.ERROR);
    assert.equal(client.attributes['error.type'], 'ConnectionLostError');
    assert.equal(testSpan.attributes['error.type'], run.tests[0]?.reason);
    assert.equal(testSpan.status.code, SpanStatusCode.ERROR);
  } finally {
    await lost.close();
  }
});

test('a JSON-RPC error is a CLIENT span in ERROR with its code by the current and the older RPC conventions', async () => {
  exporter.reset();
  const refusing = await startQuirkPeer({ steps: [{ do: 'error', code: -32602, message: 'A process is already running' }] });
  try {
    await startRun({ suite: makeSuite([{ id: 'refused', command: 'echo refused' }]), executor: { url: refusing.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
    const client = exporter.getFinishedSpans().find((s) => s.name === 'execute') ?? assert.fail('no execute span');
    assert.equal(client.status.code, SpanStatusCode.ERROR);
    assert.equal(client.attributes['error.type'], 'RpcCallError');
    assert.equal(client.attributes['rpc.status_code'], '-32602');
    assert.equal(client.attributes['rpc.jsonrpc.error_code'], -32602);
    assert.equal(client.attributes['jsonrpc.protocol.version'], '2.0');
    assert.equal(client.attributes['jsonrpc.request.id'], '1');
  } finally {
    await refusing.close();
  }
});

test('without a registered SDK the ids are null and nothing is sent as traceparent', async () => {
  trace.disable();
  const quiet = await startQuirkPeer(scenarios.echo(['hi\n'], { resultLeadMs: 0 }));
  try {
    const run = await startRun({ suite: makeSuite([{ id: 'q', command: 'echo q' }]), executor: { url: quiet.url, localPid: null }, reportsDir, trigger: 'cli' }).done;
    assert.equal(run.trace_id, null);
    assert.equal(run.tests[0]?.trace_id, null);
    assert.equal(run.tests[0]?.span_id, null);
    const execute = quiet.received.find((f) => (f as { method?: string }).method === 'execute') as { params: { _meta?: unknown } };
    assert.equal(execute.params._meta, undefined);
  } finally {
    await quiet.close();
  }
});
