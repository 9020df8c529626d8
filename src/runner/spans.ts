/**
 * The runner's spans (DESIGN section 7) through @opentelemetry/api only: a no-op until the SDK
 * (telemetry/tracing.ts) registers a provider. Nothing here may throw into the run.
 */
import { context, isSpanContextValid, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { VERSION } from '../version.ts';
import type { TestResult } from '../result/types.ts';

const tracer = () => trace.getTracer('stressd', VERSION);

export function startRunSpan(suite: string, runId: string, total: number): { span: Span; ctx: Context } {
  const span = tracer().startSpan('stressd.run', {
    attributes: { 'stressd.suite': suite, 'stressd.run.id': runId, 'stressd.tests.total': total },
  });
  return { span, ctx: trace.setSpan(context.active(), span) };
}

/**
 * `stressd.test`, or `stressd.session` for one session of a test under load: the session carries
 * the same attributes and events, but a query counting `stressd.test` spans still counts tests.
 */
export function startTestSpan(parent: Context, test: { id: string; name: string; category: string | null }, rerunOf?: string, sessionIndex?: number, startAt?: number): Span {
  const attributes: Attributes = { 'stressd.test.id': test.id, 'stressd.test.name': test.name };
  if (test.category !== null) attributes['stressd.test.category'] = test.category;
  if (rerunOf !== undefined) attributes['stressd.test.rerun_of'] = rerunOf;
  if (sessionIndex !== undefined) attributes['stressd.session.index'] = sessionIndex;
  // Started at the test's own t0 (when given), so offsets measured from t0 are offsets into the span.
  const startTime = startAt === undefined ? undefined : epochMs(startAt);
  return tracer().startSpan(sessionIndex === undefined ? 'stressd.test' : 'stressd.session', { attributes, ...(startTime === undefined ? {} : { startTime }) }, parent);
}

/**
 * The ids of a span, or nulls when tracing is off (a no-op span has an invalid context) or the
 * sampler dropped the trace: a RunResult or an exemplar must never name a trace no collector has.
 * An unsampled span still yields its traceparent (flags 00), so the executor drops its side too.
 */
export function spanIds(span: Span): { traceId: string | null; spanId: string | null; traceparent: string | undefined } {
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return { traceId: null, spanId: null, traceparent: undefined };
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const traceparent = `00-${sc.traceId}-${sc.spanId}-${flags}`;
  if ((sc.traceFlags & TraceFlags.SAMPLED) === 0) return { traceId: null, spanId: null, traceparent };
  return { traceId: sc.traceId, spanId: sc.spanId, traceparent };
}

/** A performance.now() instant as epoch milliseconds, the time an OpenTelemetry event accepts. */
export function epochMs(at: number): number {
  return performance.timeOrigin + at;
}

export interface TestSpanMarks {
  /** When the test (and its span) began, and when execute was sent: the log is opened and the connection made in between. */
  t0?: number;
  sentAt?: number;
  firstOutputAt: number | null;
  endedAt: number;
  timedOut: boolean;
  cancelled: boolean;
  /** Measures judged beyond their baseline when the test ended; confirmed or dismissed at the run's end (the run span says which). */
  suspectedMeasures?: readonly string[];
}

export function endTestSpan(span: Span, r: TestResult, marks: TestSpanMarks): void {
  guard(() => {
    const a: Attributes = {
      'stressd.test.outcome': r.outcome,
      'stressd.test.output_bytes': r.output_bytes,
      'stressd.test.output_lines': r.output_lines,
      'stressd.test.chunks': r.output_chunks,
      'stressd.test.patterns_found': r.patterns_found.length,
      'stressd.test.patterns_expected': r.patterns_expected,
      'stressd.test.duration_seconds': r.duration_seconds,
    };
    if (r.reason !== null) {
      a['stressd.test.reason'] = r.reason;
      // The failure reason is the span's error class: low-cardinality, the same set as the metric's.
      a['error.type'] = r.reason;
    }
    if (r.exit_code !== null) a['process.exit.code'] = r.exit_code;
    if (r.resources.measured) {
      a['stressd.test.peak_memory_bytes'] = r.resources.peak_memory_bytes;
      if (r.resources.peak_cpu_ratio !== null) a['stressd.test.peak_cpu_ratio'] = r.resources.peak_cpu_ratio;
    }
    const timing: [string, number | null][] = [
      ['stressd.test.first_output_seconds', r.stream.first_output_seconds],
      ['stressd.test.first_text_seconds', r.stream.first_text_seconds],
      ['stressd.test.gap_p50_seconds', r.stream.gap_p50_seconds],
      ['stressd.test.gap_p95_seconds', r.stream.gap_p95_seconds],
      ['stressd.test.gap_max_seconds', r.stream.gap_max_seconds],
      ['stressd.test.longest_silence_seconds', r.stream.longest_silence_seconds],
    ];
    for (const [key, value] of timing) if (value !== null) a[key] = value;
    // Stream offsets count from execute, not from the span's start: this says where execute sits in the span.
    if (marks.t0 !== undefined && marks.sentAt !== undefined) a['stressd.test.execute_offset_seconds'] = Math.max(0, marks.sentAt - marks.t0) / 1000;
    Object.assign(a, claudeAttributes(r.claude));
    if (marks.suspectedMeasures && marks.suspectedMeasures.length > 0) a['stressd.test.suspected_measures'] = [...marks.suspectedMeasures];
    span.setAttributes(a);
    if (marks.firstOutputAt !== null && r.stream.first_output_seconds !== null) {
      span.addEvent('stressd.test.first_output', { 'stressd.test.offset_seconds': r.stream.first_output_seconds }, epochMs(marks.firstOutputAt));
    }
    if (marks.timedOut) span.addEvent('stressd.test.timeout', { 'stressd.test.timeout_seconds': r.timeout_seconds }, epochMs(marks.endedAt));
    // Why stressd cancelled the command: its own deadline, or the run being stopped.
    if (marks.cancelled) span.addEvent('stressd.test.cancelled', { 'stressd.cancel.cause': r.reason === 'timeout' ? 'deadline' : 'aborted' }, epochMs(marks.endedAt));
    if (r.outcome !== 'passed') span.setStatus({ code: SpanStatusCode.ERROR, message: r.reason_detail ? `${r.reason}: ${r.reason_detail}` : String(r.reason) });
    span.end(epochMs(marks.endedAt));
  });
}

/**
 * Claude's figures by the GenAI conventions: `gen_ai.usage.input_tokens` counts every input token,
 * cached ones included (as the convention asks), with the cached parts beside it. Cost and turns
 * have no GenAI name, so they stay under `stressd.claude.*`.
 */
export function claudeAttributes(claude: TestResult['claude']): Attributes {
  const a: Attributes = {};
  if (claude === null) return a;
  if (claude.model) a['gen_ai.response.model'] = claude.model;
  const u = claude.usage;
  if (u) {
    if (u.input_tokens !== null) a['gen_ai.usage.input_tokens'] = u.input_tokens + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0);
    if (u.cache_read_input_tokens !== null) a['gen_ai.usage.cache_read.input_tokens'] = u.cache_read_input_tokens;
    if (u.cache_creation_input_tokens !== null) a['gen_ai.usage.cache_creation.input_tokens'] = u.cache_creation_input_tokens;
    if (u.output_tokens !== null) a['gen_ai.usage.output_tokens'] = u.output_tokens;
  }
  if (claude.total_cost_usd !== null) a['stressd.claude.cost_usd'] = claude.total_cost_usd;
  if (claude.num_turns !== null) a['stressd.claude.num_turns'] = claude.num_turns;
  return a;
}

/** Confirmed regressions as `test:measure`, e.g. `summary:duration`; the test spans ended before the re-runs decided. */
export function regressedMeasures(tests: readonly TestResult[]): string[] {
  return tests.flatMap((t) => (t.regressions ?? []).filter((r) => r.verdict === 'regressed').map((r) => `${t.id}:${r.measure}`));
}

export function endRunSpan(span: Span, passed: number, graduated: boolean, reasons: readonly string[], regressed: readonly string[] = []): void {
  guard(() => {
    span.setAttributes({ 'stressd.tests.passed': passed, 'stressd.run.graduated': graduated });
    if (regressed.length > 0) span.setAttribute('stressd.run.regressed_measures', [...regressed]);
    if (!graduated) span.setStatus({ code: SpanStatusCode.ERROR, message: reasons.join('; ') || 'not graduated' });
    span.end();
  });
}

/** Telemetry never throws into the program. */
export function guard(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    process.emitWarning(`stressd tracing: ${err instanceof Error ? err.message : String(err)}`);
  }
}
