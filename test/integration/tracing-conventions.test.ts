/**
 * The spans stressd really exports follow the OpenTelemetry conventions (DESIGN section 7),
 * decoded from the OTLP/JSON the exporter sends to a real HTTP receiver: a CLIENT `execute` per
 * session and the executor's SERVER `execute` under it (rpc.*, server.*), process.exit.code,
 * error.type, gen_ai.* for Claude, service.instance.id, and exemplars naming the test span.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { startRun } from '../../src/runner/runner.ts';
import type { RunResult } from '../../src/result/types.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fixtures/otlp-receiver.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

/** OTLP's SpanKind numbers. */
const KIND = { internal: 1, server: 2, client: 3 } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A Claude stream-json session (shape from the design contract's CLAUDE_STREAM_JSON.md), shortened. */
const CLAUDE_LINES = [
  { type: 'system', subtype: 'init', model: 'claude-opus-4-20250514', session_id: 's1', tools: [] },
  { type: 'assistant', message: { id: 'm1', type: 'message', role: 'assistant', model: 'claude-opus-4-20250514', content: [{ type: 'text', text: 'four' }], usage: { input_tokens: 4, cache_creation_input_tokens: 10, cache_read_input_tokens: 200, output_tokens: 1 } }, session_id: 's1' },
  { type: 'result', subtype: 'success', is_error: false, duration_ms: 900, duration_api_ms: 800, num_turns: 2, result: 'four', session_id: 's1', total_cost_usd: 0.0123, usage: { input_tokens: 16, cache_creation_input_tokens: 24, cache_read_input_tokens: 70, output_tokens: 18 } },
];

describe('exported spans follow the conventions', () => {
  let dir: string;
  let receiver: OtlpReceiver;
  let tracing: TracingHandle;
  let executor: ExecutorServer;
  let run: RunResult;
  let spans: ReceivedSpan[];
  let openMetrics: string;
  const saved = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stressd-tracing-conventions-'));
    const stream = join(dir, 'claude.jsonl');
    await writeFile(stream, CLAUDE_LINES.map((l) => JSON.stringify(l)).join('\n') + '\n');
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    tracing = await startTracing({ logger: { warn: () => {} } });
    executor = await startExecutor();
    const metrics = createMetrics({ collectDefaults: false });
    const suite = makeSuite(
      [
        { id: 'claude', name: 'Claude', command: `cat '${stream}'`, expected_patterns: ['four'] },
        { id: 'exit4', name: 'Exit 4', command: 'echo out; exit 4', expected_patterns: ['out'] },
      ],
      { suite: 'conventions', timeout: 20 },
    );
    const handle = startRun({ suite, executor: { url: executor.url, localPid: process.pid }, reportsDir: dir, trigger: 'cli' });
    handle.events.on('test:end', ({ suite: name, result }) => metrics.onTestEnd(name, result));
    run = await handle.done;
    await tracing.shutdown();
    spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === 'execute').length >= 4 && s.some((x) => x.name === 'stressd.run'), 10_000);
    openMetrics = (await metrics.metricsResponse('application/openmetrics-text; version=1.0.0')).body;
  });
  after(async () => {
    await executor?.close();
    await receiver?.close();
    if (saved === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = saved;
    await rm(dir, { recursive: true, force: true });
  });

  const testSpan = (id: string): ReceivedSpan =>
    spans.find((s) => s.name === 'stressd.test' && s.attributes['stressd.test.id'] === id) ?? assert.fail(`no stressd.test span for ${id}`);
  const childOf = (parent: ReceivedSpan, kind: number): ReceivedSpan[] => spans.filter((s) => s.parentSpanId === parent.spanId && s.kind === kind);

  it('has a CLIENT execute per session under its test, and the executor\'s SERVER execute under that', () => {
    assert.deepEqual(run.tests.map((t) => `${t.id}:${t.outcome}`), ['claude:passed', 'exit4:failed']);
    const port = Number(new URL(executor.url).port);
    for (const t of run.tests) {
      const [client, ...moreClients] = childOf(testSpan(t.id), KIND.client);
      assert.ok(client && moreClients.length === 0, `one CLIENT span under ${t.id}`);
      assert.equal(client.name, 'execute');
      assert.deepEqual(
        [client.attributes['rpc.system'], client.attributes['rpc.method'], client.attributes['server.address'], client.attributes['server.port']],
        ['jsonrpc', 'execute', '127.0.0.1', port],
      );
      const [server, ...moreServers] = childOf(client, KIND.server);
      assert.ok(server && moreServers.length === 0, `one SERVER span under the session of ${t.id}`);
      assert.equal(server.name, 'execute');
      assert.equal(server.traceId, client.traceId);
      assert.deepEqual(
        [server.attributes['rpc.system'], server.attributes['rpc.method'], server.attributes['server.address'], server.attributes['server.port'], server.attributes['client.address']],
        ['jsonrpc', 'execute', '127.0.0.1', port, '127.0.0.1'],
      );
      assert.equal(server.attributes['process.exit.code'], t.exit_code);
      assert.ok(client.startTimeUnixNano <= server.startTimeUnixNano, 'the call starts before the server sees it');
      // The JSON-RPC conventions: protocol version and request id, the same on both ends.
      for (const side of [client, server]) {
        assert.equal(side.attributes['jsonrpc.protocol.version'], '2.0');
        assert.equal(side.attributes['jsonrpc.request.id'], '1');
      }
      // Twins: a served call is not an error on either end, whatever the command's exit code.
      assert.equal(server.status.code, client.status.code, `the SERVER span of ${t.id} agrees with its CLIENT`);
      assert.equal(client.status.code, 0);
    }
    assert.equal(spans.filter((s) => s.kind === KIND.internal && s.name === 'stressd.executor.process').length, 0, 'the old INTERNAL span is gone');
  });

  it('names exit code, error type and status by the conventions on the test span', () => {
    const failed = testSpan('exit4');
    assert.equal(failed.attributes['process.exit.code'], 4);
    assert.equal(failed.attributes['process.exit_code'], undefined);
    assert.equal(failed.attributes['error.type'], 'exit_nonzero');
    assert.equal(failed.status.code, 2);
    assert.match(failed.status.message, /^exit_nonzero/);
    // The command failed, the call did not: the verdict is on the test span only.
    const server = childOf(childOf(failed, KIND.client)[0] ?? assert.fail('no client span'), KIND.server)[0];
    assert.equal(server?.attributes['error.type'], undefined);
    assert.equal(server?.attributes['process.exit.code'], 4);
    const passed = testSpan('claude');
    assert.equal(passed.attributes['error.type'], undefined);
    assert.equal(passed.status.code, 0);
  });

  it('carries Claude\'s model and tokens as gen_ai.* and its cost under stressd.claude.*', () => {
    const a = testSpan('claude').attributes;
    assert.equal(a['gen_ai.response.model'], 'claude-opus-4-20250514');
    assert.equal(a['gen_ai.usage.input_tokens'], 16 + 24 + 70, 'cached input counts as input');
    assert.equal(a['gen_ai.usage.cache_read.input_tokens'], 70);
    assert.equal(a['gen_ai.usage.cache_creation.input_tokens'], 24);
    assert.equal(a['gen_ai.usage.output_tokens'], 18);
    assert.equal(a['stressd.claude.cost_usd'], 0.0123);
    assert.equal(a['stressd.claude.num_turns'], 2);
    for (const old of ['stressd.claude.model', 'stressd.claude.input_tokens', 'stressd.claude.output_tokens']) assert.equal(a[old], undefined, old);
  });

  it('puts a UUID service.instance.id on the resource', () => {
    const ids = new Set(spans.map((s) => s.resource['service.instance.id']));
    assert.equal(ids.size, 1, 'one process, one instance');
    assert.match(String([...ids][0]), UUID);
  });

  it('gives each duration exemplar the trace and span id of its test span', () => {
    const exemplars = samples(parsePromText(openMetrics), 'stressd_test_duration_seconds_bucket').flatMap((s) => (s.exemplar ? [s.exemplar.labels] : []));
    assert.equal(exemplars.length, 2);
    for (const t of run.tests) {
      const span = testSpan(t.id);
      assert.ok(exemplars.some((e) => e.trace_id === span.traceId && e.span_id === span.spanId), `an exemplar pointing at the span of ${t.id}`);
    }
  });
});
