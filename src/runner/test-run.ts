/**
 * One test, start to end: a fresh client connection, its own deadline, output through the
 * capture, the pattern matcher, the Claude reader and the stream timer, the resource sampler on
 * its process tree, then exactly one outcome. Never throws for a test failure: whatever execute
 * throws becomes an `error` outcome with its reason.
 */
import type { Context } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { execute } from '../client/client.ts';
import { ConnectionLostError } from '../client/errors.ts';
import type { ExecuteResult, OutputLine } from '../client/types.ts';
import type { Suite, SuiteTest } from '../config/types.ts';
import { redactCredentials } from '../result/redact.ts';
import type { ExecutorTarget } from './api.ts';
import { OutputCapture, logPathFor } from './capture.ts';
import { ClaudeStreamParser, isClaudeRateLimitText } from './claude.ts';
import { decideOutcome } from './outcome.ts';
import { PatternMatcher } from './patterns.ts';
import { PreviewWindow } from './preview.ts';
import { ResourceSampler } from './sampler.ts';
import { endTestSpan, epochMs, guard, spanIds, startTestSpan } from './spans.ts';
import { StreamTimer } from './timing.ts';
import type { TestResult } from '../result/types.ts';

export interface TestRunContext {
  suite: Suite;
  runId: string;
  executor: ExecutorTarget;
  reportsDir: string;
  /** The run's signal: aborting it cancels this test. */
  signal: AbortSignal | undefined;
  traceContext: Context;
  onProgress: (p: { elapsed_seconds: number; output_bytes: number; output_lines: number }) => void;
  progressIntervalMs?: number;
}

export async function runTest(test: SuiteTest, ctx: TestRunContext): Promise<TestResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const span = startTestSpan(ctx.traceContext, test);
  const ids = spanIds(span);
  const capture = new OutputCapture({ logPath: logPathFor(ctx.reportsDir, ctx.suite.suite, ctx.runId, test.id) });
  await capture.open();
  const matcher = new PatternMatcher(test.expected_patterns, t0);
  const claude = new ClaudeStreamParser();
  const timer = new StreamTimer();
  // What a person reads: the assistant's text, or the result text when no text block came.
  const answer = new PreviewWindow();
  const resultAnswer = new PreviewWindow();
  const sampler = new ResourceSampler({ intervalMs: ctx.suite.sample_interval_ms, localPid: ctx.executor.localPid });
  const notifications: Record<string, number> = {};
  let serverStallLines = 0;
  let streamErrorLines = 0;
  let rateLimited: string | null = null;
  let tokenLimit: string | null = null;

  // Bytes of pieces of a line too long for the client to hold whole (OutputLine.partial), per stream:
  // the timer sees the line once, at its end, and the Claude reader never sees a piece.
  const piecesBytes = { stdout: 0, stderr: 0 };
  const onLine = (line: OutputLine): void => {
    const before = capture.bytes;
    matcher.feedRaw(line.stream, line.data, before, line.receivedAt);
    capture.push(line);
    const held = piecesBytes[line.stream];
    piecesBytes[line.stream] = line.partial ? held + line.bytes : 0;
    if (line.partial) return;
    timer.onLine(line.receivedAt, held + line.bytes);
    if (line.serverStall) {
      serverStallLines++;
      guard(() => span.addEvent('server_stall', { line: line.data.trim() }, epochMs(line.receivedAt)));
    }
    if (line.streamError) streamErrorLines++;
    if (line.stream !== 'stdout' || held > 0) return;
    for (const piece of claude.feedLine(line.data, line.receivedAt)) {
      // The result text repeats the answer as one whole: it must not join the assistant text.
      if (piece.context === 'result') {
        matcher.resetContext('result');
        resultAnswer.push(piece.text);
      } else answer.push(piece.text);
      matcher.feedText(piece.context, piece.text, capture.bytes, line.receivedAt);
    }
  };
  const onNotification = (method: string, params: unknown): void => {
    notifications[method] = (notifications[method] ?? 0) + 1;
    const detail = `${method}${describe(params)}`;
    if (method === 'error.rate_limit_exceeded') rateLimited ??= detail;
    if (method === 'error.token_limit_exceeded') tokenLimit ??= detail;
  };

  // The run's signal reaches the client through a per-test controller, so its listener is ours to remove.
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) cancel.abort();
  const progress = setInterval(() => {
    ctx.onProgress({ elapsed_seconds: (performance.now() - t0) / 1000, output_bytes: capture.bytes, output_lines: capture.lines });
  }, ctx.progressIntervalMs ?? 1000);
  progress.unref();

  let result: ExecuteResult | null = null;
  let error: unknown = null;
  try {
    result = await execute({
      url: ctx.executor.url,
      command: test.command,
      deadlineSeconds: test.timeout,
      token: ctx.executor.token,
      traceparent: ids.traceparent,
      signal: cancel.signal,
      onLine,
      onStarted: ({ pid }) => sampler.setRoot(pid),
      onNotification,
    });
  } catch (err) {
    error = err;
  } finally {
    clearInterval(progress);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
  const lost = error instanceof ConnectionLostError ? error.received : null;
  const sentAt = result?.sentAt ?? lost?.sentAt ?? t0;
  const endedAt = result?.endedAt ?? lost?.lostAt ?? performance.now();
  timer.onEnd(endedAt);
  const [resources, out] = await Promise.all([sampler.stop(), capture.close()]);

  const completed = result?.end.kind === 'completed' ? result.end.completed : (result?.end.completed ?? null);
  const info = claude.info();
  if (info?.is_error && claude.resultText !== null && isClaudeRateLimitText(claude.resultText)) {
    rateLimited ??= `Claude: ${claude.resultText.slice(0, 200)}`;
  }
  const hits = matcher.hits(sentAt);
  const found = hits.filter((h) => h.found).map((h) => h.pattern);
  const missing = hits.filter((h) => !h.found).map((h) => h.pattern);
  const verdict = decideOutcome({
    aborted: ctx.signal?.aborted === true,
    end: result?.end ?? null,
    error,
    deadlineSeconds: test.timeout,
    exitCode: completed?.exit_code ?? null,
    signal: completed?.signal ?? null,
    serverStallLines,
    streamErrorLines,
    rateLimited,
    tokenLimit,
    sutError: info?.is_error ? { subtype: info.subtype } : null,
    patternsFound: found.length,
    patternsExpected: hits.length,
    missing,
    patternThreshold: ctx.suite.pattern_threshold,
    lastStderrLine: out.last_stderr_line,
  });
  const stream = timer.result({
    sentAt,
    firstTextAt: claude.firstTextAt,
    outputTokens: info?.usage?.output_tokens ?? null,
    completed: result?.end.kind === 'completed',
  });
  const testResult: TestResult = {
    id: test.id,
    name: test.name,
    description: test.description,
    category: test.category,
    command: test.command,
    outcome: verdict.outcome,
    reason: verdict.reason,
    reason_detail: verdict.detail === null ? null : redactCredentials(verdict.detail),
    exit_code: completed?.exit_code ?? null,
    signal: completed?.signal ?? null,
    ...(completed?.escaped_processes ? { escaped_processes: completed.escaped_processes } : {}),
    started_at: startedAt.toISOString(),
    ended_at: new Date(startedAt.getTime() + (endedAt - t0)).toISOString(),
    duration_seconds: Math.round((endedAt - t0)) / 1000,
    timeout_seconds: test.timeout,
    output_bytes: out.output_bytes,
    output_lines: out.output_lines,
    output_chunks: out.output_chunks,
    stderr_bytes: out.stderr_bytes,
    last_stderr_line: out.last_stderr_line,
    malformed_frames: result?.malformedFrames ?? lost?.malformedFrames ?? 0,
    server_stall_lines: serverStallLines,
    stream_error_lines: streamErrorLines,
    patterns_expected: hits.length,
    patterns_found: found,
    patterns_missing: missing,
    pattern_coverage: hits.length === 0 ? 1 : found.length / hits.length,
    patterns: hits,
    first_output_seconds: stream.first_output_seconds,
    stream,
    claude: info,
    resources,
    preview_head: out.preview_head,
    preview_tail: out.preview_tail,
    ...answerPreview(answer.empty ? resultAnswer : answer),
    log_path: out.log_path,
    log_waited_lines: out.log_waited_lines,
    log_dropped_bytes: out.log_dropped_bytes,
    notifications,
    trace_id: ids.traceId,
    span_id: ids.spanId,
  };
  endTestSpan(span, testResult, {
    firstOutputAt: timer.firstOutputAt,
    endedAt,
    timedOut: verdict.reason === 'timeout',
    cancelled: result !== null && result.end.kind !== 'completed',
  });
  return deepFreeze(testResult);
}

function answerPreview(text: PreviewWindow): Pick<TestResult, 'text_preview_head' | 'text_preview_tail'> {
  return text.empty ? { text_preview_head: null, text_preview_tail: null } : { text_preview_head: text.head, text_preview_tail: text.tail };
}

function describe(params: unknown): string {
  if (params === undefined || params === null) return '';
  try {
    return `: ${JSON.stringify(params).slice(0, 200)}`;
  } catch {
    return '';
  }
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
