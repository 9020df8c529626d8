/**
 * The result assembler: one test's TestResult built from its parts once the test is over — how
 * execute ended, what the line fan-out gathered, the capture's summary (log included) and the
 * resource peaks. Each fact is computed here once (the patterns' coverage, the threshold applied,
 * whether the log is complete) and the outcome is judged from the same figures the result shows.
 */
import type { ExecuteResult } from '../client/types.ts';
import type { SuiteTest } from '../config/types.ts';
import { redactCredentials } from '../result/redact.ts';
import type { ResourcePeaks, TestResult } from '../result/types.ts';
import type { CaptureSummary } from './capture.ts';
import type { LineFanout } from './line-fanout.ts';
import { decideOutcome, type Verdict } from './outcome.ts';
import { summarizePatterns } from './patterns.ts';

/** How one execute went, in performance.now() instants. */
export interface TestTimes {
  startedAt: Date;
  /** When the test began (before connecting). */
  t0: number;
  /** When execute was sent (t0 when it never was). */
  sentAt: number;
  endedAt: number;
}

export interface ResultParts {
  test: SuiteTest;
  /** The suite's `pattern_threshold`: the coverage a pass needs. */
  patternThreshold: number;
  times: TestTimes;
  /** Null when execute threw (`error`). */
  result: ExecuteResult | null;
  error: unknown;
  malformedFrames: number;
  /** The run's signal fired while the test ran. */
  aborted: boolean;
  lines: LineFanout;
  out: CaptureSummary;
  resources: ResourcePeaks;
  ids: { traceId: string | null; spanId: string | null };
}

type Identity = Pick<TestResult, 'id' | 'name' | 'description' | 'category' | 'command' | 'outcome' | 'reason' | 'reason_detail'>;

/** What a TestResult takes from its test and its verdict, the same for one session or many (load). */
export function testIdentity(test: SuiteTest, verdict: Pick<Verdict, 'outcome' | 'reason' | 'detail'>): Identity {
  return {
    id: test.id,
    name: test.name,
    description: test.description,
    category: test.category,
    command: test.command,
    outcome: verdict.outcome,
    reason: verdict.reason,
    reason_detail: verdict.detail === null ? null : redactCredentials(verdict.detail),
  };
}

export function assembleResult(p: ResultParts): { result: TestResult; verdict: Verdict } {
  const { test, times, out, lines } = p;
  const end = p.result?.end ?? null;
  const completed = end?.kind === 'completed' ? end.completed : (end?.completed ?? null);
  const info = lines.claude.info();
  // Stream-json: only what a person reads counts, never the JSON envelope.
  const patterns = summarizePatterns(lines.matcher.hits(times.sentAt, lines.claude.streamJson ? 'text' : 'raw'), p.patternThreshold);
  const verdict = decideOutcome({
    aborted: p.aborted,
    end,
    error: p.error,
    deadlineSeconds: test.timeout,
    exitCode: completed?.exit_code ?? null,
    signal: completed?.signal ?? null,
    serverStallLines: lines.serverStallLines,
    streamErrorLines: lines.streamErrorLines,
    rateLimited: lines.rateLimited,
    tokenLimit: lines.tokenLimit,
    sutError: info?.is_error ? { subtype: info.subtype } : null,
    patterns,
    lastStderrLine: out.last_stderr_line,
  });
  // Object.assign, not a literal opening with `...identity`: V8 builds such a literal of ~45 keys on
  // its slow path, 40 µs a result against 2 (measured on Node 20); the keys keep their order.
  const result: TestResult = Object.assign(testIdentity(test, verdict), {
    exit_code: completed?.exit_code ?? null,
    signal: completed?.signal ?? null,
    // stressd's executor names what left the command's group (and ended it); other executors say nothing.
    ...(completed?.escaped_processes ? { escaped_processes: completed.escaped_processes.map((e) => ({ pid: e.pid, command: redactCredentials(e.command) })) } : {}),
    started_at: times.startedAt.toISOString(),
    ended_at: new Date(times.startedAt.getTime() + (times.endedAt - times.t0)).toISOString(),
    duration_seconds: Math.round(times.endedAt - times.t0) / 1000,
    timeout_seconds: test.timeout,
    output_bytes: out.output_bytes,
    output_lines: out.output_lines,
    output_chunks: out.output_chunks,
    stderr_bytes: out.stderr_bytes,
    last_stderr_line: out.last_stderr_line,
    malformed_frames: p.malformedFrames,
    server_stall_lines: lines.serverStallLines,
    stream_error_lines: lines.streamErrorLines,
    patterns_expected: patterns.hits.length,
    patterns_found: patterns.found,
    patterns_missing: patterns.missing,
    pattern_coverage: patterns.coverage,
    pattern_threshold: patterns.threshold,
    patterns: patterns.hits,
    stream: lines.timer.result({
      sentAt: times.sentAt,
      firstTextAt: lines.claude.firstTextAt,
      outputTokens: info?.usage?.output_tokens ?? null,
      completed: end?.kind === 'completed',
    }),
    claude: info,
    resources: p.resources,
    preview_head: out.preview_head,
    preview_tail: out.preview_tail,
    ...lines.answerPreview(),
    log_path: out.log_path,
    log_complete: out.log_complete,
    log_error: out.log_error === null ? null : redactCredentials(out.log_error),
    log_waited_lines: out.log_waited_lines,
    log_dropped_bytes: out.log_dropped_bytes,
    notifications: lines.notifications,
    trace_id: p.ids.traceId,
    span_id: p.ids.spanId,
  });
  return { result, verdict };
}
