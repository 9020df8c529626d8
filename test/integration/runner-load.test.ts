import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import { runLoadTest } from '../../src/runner/load.ts';
import { RunResultSchema } from '../../src/result/schema.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

let executor: ExecutorServer;
let reportsDir: string;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

before(async () => {
  // Four sessions at most: the fifth and sixth connection at once get -32003.
  executor = await startExecutor({ port: 0, maxSessions: 4 });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-load-'));
  trace.setGlobalTracerProvider(provider);
});
after(async () => {
  await executor.close();
  await provider.shutdown();
  trace.disable();
  await rm(reportsDir, { recursive: true, force: true });
});

const target = () => ({ url: executor.url, localPid: process.pid });

test('six sessions at once against a limit of four: two refusals (-32003), the test fails below min_pass_ratio', async () => {
  const suite = makeSuite([{ id: 'six', command: 'sleep 1; echo ready', expected_patterns: ['ready'], load: { sessions: 6, stages: null, min_pass_ratio: 0.95 } }]);
  const handle = startRun({ suite, executor: target(), reportsDir, trigger: 'cli' });
  const run = await handle.done;
  const t = run.tests[0];
  assert.ok(t?.load, 'the test result carries load');
  assert.equal(t.load.sessions, 6);
  assert.equal(t.load.refusals, 2);
  assert.deepEqual(t.load.outcomes, { passed: 4, failed: 0, timeout: 0, error: 2 });
  assert.equal(t.load.peak_active, 6);
  assert.ok(Math.abs(t.load.pass_ratio - 4 / 6) < 1e-9);
  assert.deepEqual([t.outcome, t.reason], ['error', 'rpc_error']);
  assert.match(t.reason_detail ?? '', /4\/6 sessions passed .* below min_pass_ratio 0\.95; 2 refused by the executor \(-32003\)/);
  // The four that ran took about a second each; the refusals end at once.
  assert.ok((t.load.duration_seconds.max ?? 0) >= 1, JSON.stringify(t.load.duration_seconds));
  const refused = t.load.session_list.filter((s) => s.reason === 'rpc_error');
  assert.equal(refused.length, 2);
  assert.ok(refused.every((s) => s.duration_seconds < 0.9 && s.first_output_seconds === null), JSON.stringify(refused));
  assert.equal(t.load.session_list.length, 6);
  assert.equal(t.output_lines, 4);
  assert.ok(t.resources.measured, 'peaks over the executor tree');
  // Spans: one execute CLIENT span per session, all inside this test's trace under its span.
  const spans = exporter.getFinishedSpans();
  const testSpan = spans.find((s) => s.name === 'stressd.test' && s.attributes['stressd.test.id'] === 'six');
  assert.ok(testSpan);
  // (The executor runs in this process: its SERVER spans of the four sessions it served are here too.)
  const executes = spans.filter((s) => s.name === 'execute' && s.kind === SpanKind.CLIENT && s.spanContext().traceId === testSpan.spanContext().traceId);
  assert.equal(executes.length, 6);
  // Each session: a `stressd.session` span under the test span (its outcome and first_output), the execute under it;
  // no session is counted as a test.
  const sessionSpans = spans.filter((s) => s.name === 'stressd.session' && s.parentSpanContext?.spanId === testSpan.spanContext().spanId);
  assert.deepEqual(sessionSpans.map((s) => s.attributes['stressd.session.index']).sort(), [1, 2, 3, 4, 5, 6]);
  assert.ok(executes.every((e) => sessionSpans.some((s) => s.spanContext().spanId === e.parentSpanContext?.spanId)), 'each execute under its session');
  assert.equal(spans.filter((s) => s.name === 'stressd.test').length, 1);
  assert.equal(spans.filter((s) => s.name === 'execute' && s.kind === SpanKind.SERVER).length, 4);
  assert.equal(RunResultSchema.safeParse(run).success, true);
});

test('a ramp through stages replaces sessions that end while the stage wants more, and the timeline follows it', async () => {
  const load = { sessions: null, stages: [{ duration_s: 1, sessions: 3 }, { duration_s: 2, sessions: 3 }, { duration_s: 1, sessions: 0 }], min_pass_ratio: 0.9 };
  const [one] = makeSuite([{ id: 'ramp', command: 'sleep 0.4; echo ok', expected_patterns: ['ok'], load }]).tests;
  assert.ok(one);
  const ends: number[] = [];
  const result = await runLoadTest(one, {
    suite: makeSuite([]), runId: 'ramp-run', executor: target(), reportsDir, signal: undefined,
    traceContext: context.active(), onProgress: () => undefined,
  }, { onSession: (_r, i) => ends.push(i) });
  assert.ok(result.load);
  assert.equal(result.outcome, 'passed');
  assert.equal(result.load.mode, 'stages');
  assert.equal(result.load.refusals, 0);
  assert.ok(result.load.peak_active <= 3, String(result.load.peak_active));
  // About 3 s at up to 3 sessions of ~0.45 s: far more than 3 sessions, so ended ones were replaced.
  assert.ok(result.load.sessions >= 8, String(result.load.sessions));
  assert.equal(ends.length, result.load.sessions);
  const tl = result.load.timeline;
  assert.deepEqual(tl.slice(0, 3).map((p) => p.t), [0, 1, 2]);
  assert.equal(tl[0]?.sessions, 0);
  assert.equal(tl.find((p) => p.t === 2)?.sessions, 3);
  assert.ok(tl.every((p) => p.active <= 3 && p.failed === 0));
  assert.ok(result.duration_seconds >= 3 && result.duration_seconds < 8, String(result.duration_seconds));
});
