/**
 * The events and status of stressd.test spans in real scenarios, as a real OTLP receiver gets them:
 * a paced stream (first_output and its offset), a server stall line, our own deadline, and a run
 * stopped mid-test. The server is the scripted cc_executor peer, the spans go through the real SDK.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun } from '../../src/runner/runner.ts';
import type { RunResult, TestResult } from '../../src/result/types.ts';
import { startTracing, type TracingHandle } from '../../src/telemetry/tracing.ts';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../fixtures/otlp-receiver.ts';
import { scenarios, startQuirkPeer, type QuirkPeer, type QuirkStep } from '../fixtures/quirk-peer.ts';
import { makeSuite } from '../fixtures/runner/suite.ts';

const FIRST_OUTPUT_MS = 300;

function stepsFor(command: string): QuirkStep[] {
  const start: QuirkStep[] = [{ do: 'result' }, { do: 'started' }];
  if (command.includes('paced')) {
    return [...start, { do: 'wait', ms: FIRST_OUTPUT_MS }, { do: 'line', data: 'one\n' }, { do: 'wait', ms: 50 }, { do: 'line', data: 'two\n' }, { do: 'completed', exitCode: 0 }];
  }
  if (command.includes('stall')) {
    return [...start, { do: 'line', data: 'thinking\n' }, { do: 'stall', seconds: 5 }, { do: 'wait', ms: 20 }, { do: 'completed', exitCode: 0 }];
  }
  // 'slow' and 'stopped': stream until cancelled.
  return scenarios.endless({ intervalMs: 50 }).steps as QuirkStep[];
}

const ns = (n: bigint): number => Number(n) / 1e9;

describe('stressd.test span events and status, as a real OTLP receiver gets them', () => {
  let receiver: OtlpReceiver;
  let tracing: TracingHandle;
  let peer: QuirkPeer;
  let reportsDir: string;
  let finished: RunResult;
  let stopped: RunResult;
  let spans: ReceivedSpan[];
  const savedEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

  const testSpan = (t: TestResult | undefined): ReceivedSpan => {
    const span = spans.find((s) => s.name === 'stressd.test' && s.spanId === t?.span_id);
    return span ?? assert.fail(`no stressd.test span for ${t?.id}`);
  };
  const eventNames = (span: ReceivedSpan): string[] => span.events.map((e) => e.name);

  before(async () => {
    reportsDir = await mkdtemp(join(tmpdir(), 'stressd-tracing-events-'));
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    tracing = await startTracing({ logger: { warn: () => {} } });
    peer = await startQuirkPeer({ steps: (ctx) => stepsFor(ctx.command), onCancel: 'canceled' });
    const executor = { url: peer.url, localPid: null };

    finished = await startRun({
      suite: makeSuite([
        { id: 'paced', command: 'echo paced' },
        { id: 'stall', command: 'echo stall' },
        { id: 'slow', command: 'echo slow', timeout: 1 },
      ]),
      executor,
      reportsDir,
      trigger: 'cli',
    }).done;

    const stop = new AbortController();
    const handle = startRun({ suite: makeSuite([{ id: 'stopped', command: 'echo stopped' }]), executor, reportsDir, trigger: 'cli', signal: stop.signal });
    await peer.waitForEvent((e) => e.type === 'execute' && e.command.includes('stopped'), 10_000);
    handle.events.once('test:progress', () => stop.abort());
    stopped = await handle.done;

    await tracing.shutdown();
    spans = await receiver.waitForSpans((s) => s.filter((x) => x.name === 'stressd.run').length === 2, 10_000);
  });

  after(async () => {
    await tracing?.shutdown();
    await peer?.close();
    await receiver?.close();
    if (savedEndpoint === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
    if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
  });

  it('marks the first output with an event at its time, carrying its offset from execute', () => {
    const t = finished.tests[0];
    assert.equal(t?.outcome, 'passed');
    const span = testSpan(t);
    const first = span.events.find((e) => e.name === 'stressd.test.first_output') ?? assert.fail('no stressd.test.first_output event');
    const offset = Number(first.attributes['stressd.test.offset_seconds']);
    assert.equal(offset, t?.stream.first_output_seconds);
    // The peer waits FIRST_OUTPUT_MS after it receives execute: a busy machine can only add to that.
    assert.ok(offset >= FIRST_OUTPUT_MS / 1000 - 0.005, `offset ${offset} s, the peer waited ${FIRST_OUTPUT_MS} ms`);
    assert.ok(offset < FIRST_OUTPUT_MS / 1000 + 5, `offset ${offset} s`);
    // The span starts before the log is opened and the connection made; the offset counts from execute,
    // which the span says where it sits. Both are the same clock's readings: only rounding separates them.
    const executeAt = Number(span.attributes['stressd.test.execute_offset_seconds']);
    assert.ok(Number.isFinite(executeAt) && executeAt >= 0, `execute_offset_seconds ${String(span.attributes['stressd.test.execute_offset_seconds'])}`);
    const at = ns(first.timeUnixNano - span.startTimeUnixNano);
    assert.ok(Math.abs(at - executeAt - offset) < 0.005, `the event sits ${at} s into the span, execute ${executeAt} s, offset ${offset} s`);
    assert.deepEqual(eventNames(span), ['stressd.test.first_output']);
    assert.equal(span.status.code, 0, 'a passed test leaves the status unset');
  });

  it('adds a server_stall event with the server line and ends in ERROR with the reason server_stall', () => {
    const t = finished.tests[1];
    assert.equal(t?.reason, 'server_stall');
    const span = testSpan(t);
    const stall = span.events.find((e) => e.name === 'stressd.test.server_stall') ?? assert.fail(`events: ${eventNames(span).join(', ')}`);
    assert.equal(stall.attributes['stressd.test.stall_line'], '[Stream timed out after 5s]');
    assert.equal(span.status.code, 2);
    assert.match(span.status.message, /^server_stall: /);
    assert.equal(span.attributes['stressd.test.reason'], 'server_stall');
  });

  it('adds timeout and cancelled (cause deadline) events when our deadline passes, and ends in ERROR with timeout', () => {
    const t = finished.tests[2];
    assert.equal(t?.outcome, 'timeout');
    const span = testSpan(t);
    assert.deepEqual(eventNames(span).filter((n) => n !== 'stressd.test.first_output'), ['stressd.test.timeout', 'stressd.test.cancelled']);
    assert.equal(span.events.find((e) => e.name === 'stressd.test.timeout')?.attributes['stressd.test.timeout_seconds'], 1);
    assert.equal(span.events.find((e) => e.name === 'stressd.test.cancelled')?.attributes['stressd.cancel.cause'], 'deadline');
    assert.equal(span.status.code, 2);
    assert.match(span.status.message, /^timeout: /);
  });

  it('adds a cancelled event (cause aborted) when the run is stopped mid-test, and marks both spans ERROR', () => {
    assert.equal(stopped.status, 'aborted');
    const t = stopped.tests[0];
    assert.equal(t?.reason, 'aborted');
    const span = testSpan(t);
    assert.deepEqual(eventNames(span).filter((n) => n !== 'stressd.test.first_output'), ['stressd.test.cancelled']);
    assert.equal(span.events.find((e) => e.name === 'stressd.test.cancelled')?.attributes['stressd.cancel.cause'], 'aborted');
    assert.equal(span.status.code, 2);
    assert.match(span.status.message, /^aborted/);
    const runSpan = spans.find((s) => s.name === 'stressd.run' && s.traceId === stopped.trace_id) ?? assert.fail('no run span');
    assert.equal(runSpan.status.code, 2);
    assert.equal(runSpan.attributes['stressd.run.graduated'], false);
  });
});
