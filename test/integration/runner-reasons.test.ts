/**
 * Every failure reason comes out of a real scenario — real processes on the embedded
 * executor where it can produce the reason, a scripted cc_executor peer replaying cc_executor's
 * frames where only cc_executor can (stalls, stream errors, limit notifications, dropped
 * connections, RPC errors) — and each is shown in the report, on the test's span
 * (`stressd.test.reason`) and in `stressd_test_failures_total{reason}`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { startRun } from '../../src/runner/runner.ts';
import { FAILURE_REASONS, type FailureReason, type RunResult, type TestResult } from '../../src/result/types.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { FAILURE_SCRIPTS, scenarios, startQuirkPeer, steps, type QuirkPeer, type QuirkStep } from '../fixtures/quirk-peer.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';
import { freePort } from '../fixtures/ports.ts';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let executor: ExecutorServer;
let peer: QuirkPeer;
let reportsDir: string;

/** What a real cc_executor sends for each of its failure modes, picked by the test's command. */
const PEER_SCRIPTS: Record<string, QuirkStep[]> = { ...FAILURE_SCRIPTS, aborted: steps(scenarios.endless({ intervalMs: 50 })) };

const simulator = (flags: string): string => `${process.execPath} --import tsx src/simulator/main.ts ${flags}`;

before(async () => {
  trace.setGlobalTracerProvider(provider);
  executor = await startExecutor({ port: 0 });
  peer = await startQuirkPeer({ steps: (ctx) => PEER_SCRIPTS[ctx.command] ?? [], onCancel: 'canceled' });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-reasons-'));
});
after(async () => {
  await provider.shutdown();
  trace.disable();
  await peer?.close();
  await executor?.close();
  await rm(reportsDir, { recursive: true, force: true });
});

test('every failure reason comes from a real scenario and shows in the report, the span and the failures counter', async () => {
  const runs: RunResult[] = [];
  // Real processes on the embedded executor.
  runs.push(await startRun({
    suite: makeSuite([
      { id: 'pattern_miss', command: 'echo only python here', expected_patterns: ['python', 'rust', 'go'] },
      { id: 'exit_nonzero', command: 'echo fine; exit 3' },
      { id: 'timeout', command: 'sleep 30', timeout: 1 },
      { id: 'sut_error', command: simulator('--is-error --words 5 --interval-ms 5 --first-token-ms 0 --seed 1') },
      { id: 'rate_limited_by_claude', command: simulator('--rate-limit --first-token-ms 0 --seed 1') },
    ]),
    executor: { url: executor.url, localPid: process.pid },
    reportsDir,
    trigger: 'cli',
  }).done);
  // What only cc_executor does, replayed frame by frame.
  const peerTests = Object.keys(PEER_SCRIPTS).filter((k) => k !== 'aborted').map((id) => ({ id, command: id }));
  runs.push(await startRun({ suite: makeSuite(peerTests), executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli' }).done);
  runs.push(await startRun({ suite: makeSuite([{ id: 'connect_failed', command: 'echo hi' }]), executor: { url: `ws://127.0.0.1:${await freePort()}/ws/mcp`, localPid: null }, reportsDir, trigger: 'cli' }).done);
  // A run stopped while its test streams.
  const stop = new AbortController();
  const handle = startRun({ suite: makeSuite([{ id: 'aborted', command: 'aborted' }]), executor: { url: peer.url, localPid: null }, reportsDir, trigger: 'cli', signal: stop.signal });
  handle.events.on('test:progress', () => stop.abort());
  runs.push(await handle.done);

  const results = runs.flatMap((r) => r.tests);
  const reasonOf = (id: string): FailureReason | null => results.find((t) => t.id === id)?.reason ?? null;
  // `budget` is the reason of a test the cost budget kept from starting (not_run): no execution
  // gives it, and runner-regression.test.ts shows it.
  for (const reason of FAILURE_REASONS.filter((r) => r !== 'budget')) {
    const id = results.some((t) => t.id === reason) ? reason : `${reason}_by_claude`;
    assert.equal(reasonOf(id), reason, `test ${id}: ${JSON.stringify(results.find((t) => t.id === id)?.reason_detail)}`);
  }
  assert.equal(reasonOf('rate_limited_by_claude'), 'rate_limited');

  const metrics = createMetrics({ collectDefaults: false });
  const spans = exporter.getFinishedSpans().filter((s) => s.name === 'stressd.test');
  for (const run of runs) {
    const md = renderMarkdown(run);
    const failures = md.slice(md.indexOf('## Failure reasons'), md.indexOf('## Resource usage summary'));
    for (const t of run.tests) {
      metrics.onTestEnd(run.suite, t);
      const reason = t.reason ?? assert.fail(`${t.id} passed`);
      const escaped = reason.replace(/_/g, '\\\\_');
      assert.match(failures, new RegExp(`\\| ${escaped} \\| \\d+ \\| .*${t.id.replace(/_/g, '\\\\_')}`), `failure table row for ${t.id}`);
      assert.match(testPart(md, t), new RegExp(`\\| \\*\\*Reason\\*\\* \\| ${escaped}`), `reason row of ${t.id}`);
      const span = spans.find((s) => s.spanContext().spanId === t.span_id) ?? assert.fail(`no span for ${t.id}`);
      assert.equal(span.attributes['stressd.test.reason'], reason, `span of ${t.id}`);
      assert.equal(span.attributes['stressd.test.outcome'], t.outcome);
    }
  }
  // Where a found pattern first appeared, from the real stream: "only python here" — python ends at byte 11.
  const miss = results.find((t) => t.id === 'pattern_miss') ?? assert.fail('no pattern_miss');
  assert.equal(miss.patterns.find((h) => h.pattern === 'python')?.first_seen_byte, 11);
  assert.match(testPart(renderMarkdown(runs[0] as RunResult), miss), /`python` at \d+\.\d\d s, byte 11 \|/);

  const counter = (await metrics.registry.getSingleMetric('stressd_test_failures_total')?.get())?.values ?? [];
  const counted = new Map<string, number>();
  for (const v of counter) counted.set(String(v.labels.reason), (counted.get(String(v.labels.reason)) ?? 0) + v.value);
  for (const reason of FAILURE_REASONS) {
    // A test cut short by a stop is no verdict on the system under test: it counts no failure
    // (docs/telemetry.md, "Aborted runs"), and `budget` belongs to tests that never ran.
    const expected = reason === 'aborted' || reason === 'budget' ? 0 : results.filter((t) => t.reason === reason).length;
    assert.equal(counted.get(reason) ?? 0, expected, `stressd_test_failures_total{reason="${reason}"}`);
  }
});

function testPart(md: string, t: TestResult): string {
  const start = md.indexOf(`(\`${t.id}\`)`);
  assert.notEqual(start, -1, `no section for ${t.id}`);
  const end = md.indexOf('\n### ', start);
  return md.slice(start, end === -1 ? md.indexOf('\n## ', start) : end);
}
