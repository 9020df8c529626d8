/**
 * One test, start to end: a fresh client connection, its own deadline, every output line through
 * the line fan-out (capture, patterns, Claude reader, stream timer), the resource sampler on its
 * process tree, then the result assembler's one outcome. Never throws for a test failure: whatever
 * execute throws becomes an `error` outcome with its reason.
 */
import type { Context, Span } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { execute } from '../client/client.ts';
import { ConnectionLostError } from '../client/errors.ts';
import type { ExecuteResult } from '../client/types.ts';
import type { Suite, SuiteTest } from '../config/types.ts';
import type { ExecutorTarget } from './api.ts';
import { OutputCapture } from './capture.ts';
import { logPathOf, testLogParts, type LogParts } from './log-paths.ts';
import { LineFanout } from './line-fanout.ts';
import { uptimeSeconds } from './pid-check.ts';
import { prometheusPeaks } from './prom-peaks.ts';
import { resourceSource, resourcesSetting, type ResourceSource } from './resource-source.ts';
import { ResourceSampler } from './sampler.ts';
import { endSessionSpan, startSessionSpan } from './session-span.ts';
import { endTestSpan, spanIds, startTestSpan } from './spans.ts';
import { assembleResult } from './test-result.ts';
import { envApplied } from '../result/env-note.ts';
import type { TestResult } from '../result/types.ts';
import { hostPressure, pressureSnapshot } from './host-pressure.ts';
import { commandHash, executorIdentity, type ExecutorIdentity } from '../result/versions.ts';

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
  /** Set on a confirmation re-run: the id of the test it re-runs (the result and span carry it). */
  rerunOf?: string;
  /** Where the log goes under the run folder instead of `<id>.log` (log-paths.ts: a re-run, a load session). */
  logParts?: LogParts;
  /** Set for one session of a test under load (load.ts): its span is a `stressd.session`. */
  sessionIndex?: number;
  /** How often the log gets what the test printed (default 1 s; load sessions 5 s). */
  logFlushMs?: number;
  /** Where the host's pressure is read (`/proc`; tests give fixture files). */
  procRoot?: string;
  /** Set for one session of a test under load: the load test samples all sessions at once, so this one does not. */
  unsampled?: boolean;
  /** Judges the finished test before its span ends: the measures suspected of regressing. */
  suspects?: (result: TestResult) => Promise<readonly string[]>;
}

export async function runTest(test: SuiteTest, ctx: TestRunContext): Promise<TestResult> {
  const startedAt = new Date();
  const pressureBefore = await pressureSnapshot(ctx.procRoot);
  const t0 = performance.now();
  const span = startTestSpan(ctx.traceContext, test, ctx.rerunOf, ctx.sessionIndex, t0);
  const capture = new OutputCapture({
    logPath: logPathOf(ctx.reportsDir, ctx.suite.suite, ctx.runId, ctx.logParts ?? testLogParts(test.id)),
    ...(ctx.logFlushMs === undefined ? {} : { flushEveryMs: ctx.logFlushMs }),
  });
  await capture.open();
  const lines = new LineFanout({ capture, patterns: test.expected_patterns, t0, span });
  // Before the request: a pid the server reports must name a process started after this.
  const source: ResourceSource = ctx.unsampled === true
    ? { kind: 'proc', options: { localPid: null } }
    : resourceSource(ctx.executor, resourcesSetting(test, ctx.suite), { command: test.command, notBeforeUptime: uptimeSeconds() });
  const sampler = new ResourceSampler({ intervalMs: ctx.suite.sample_interval_ms, ...(source.kind === 'proc' ? source.options : { localPid: null }) });

  const { result, error, sentAt, endedAt, malformedFrames, capabilities, executor } = await executeTest(test, ctx, { span, lines, sampler, t0 });
  lines.timer.onEnd(endedAt);
  const [resources, out] = await Promise.all([peaksOf(source, sampler, test, ctx, startedAt), capture.close()]);

  const { result: assembled, verdict } = assembleResult({
    test,
    patternThreshold: ctx.suite.pattern_threshold,
    times: { startedAt, t0, sentAt, endedAt },
    result,
    error,
    malformedFrames,
    aborted: ctx.signal?.aborted === true,
    lines,
    out,
    resources,
    ids: spanIds(span),
  });
  const host_pressure = await hostPressure(pressureBefore, await pressureSnapshot(ctx.procRoot), ctx.procRoot);
  const applied = envApplied(test.env, capabilities);
  const testResult: TestResult = {
    ...assembled,
    host_pressure,
    versions: {
      executor,
      model: assembled.claude?.model ?? null,
      claude_code_version: assembled.claude?.claude_version ?? null,
      command_hash: commandHash(test.command),
    },
    ...(ctx.rerunOf === undefined ? {} : { rerun_of: ctx.rerunOf }),
    ...(applied === undefined ? {} : { env_applied: applied }),
  };
  const suspected = ctx.suspects ? await ctx.suspects(testResult) : [];
  endTestSpan(span, testResult, {
    suspectedMeasures: suspected,
    t0,
    sentAt,
    firstOutputAt: lines.timer.firstOutputAt,
    endedAt,
    timedOut: verdict.reason === 'timeout',
    cancelled: result !== null && result.end.kind !== 'completed',
  });
  return deepFreeze(testResult);
}

interface TestParts {
  span: Span;
  lines: LineFanout;
  sampler: ResourceSampler;
  t0: number;
}

interface Executed {
  /** Null when execute threw (`error`). */
  result: ExecuteResult | null;
  error: unknown;
  /** performance.now() instants; from what a lost connection had received when execute threw. */
  sentAt: number;
  endedAt: number;
  malformedFrames: number;
  /** What the `connected` frame announced; null when none came. */
  capabilities: string[] | null;
  /** Who the `connected` frame said answered; null when none came. */
  executor: ExecutorIdentity | null;
}

/** The execute call itself, inside its CLIENT span, with progress ticks and the run's cancel wired to it. */
async function executeTest(test: SuiteTest, ctx: TestRunContext, parts: TestParts): Promise<Executed> {
  const { lines, sampler } = parts;
  // The run's signal reaches the client through a per-test controller, so its listener is ours to remove.
  const cancel = new AbortController();
  const onAbort = (): void => cancel.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) cancel.abort();
  const progress = setInterval(() => {
    const capture = lines.capture;
    ctx.onProgress({ elapsed_seconds: (performance.now() - parts.t0) / 1000, output_bytes: capture.bytes, output_lines: capture.lines });
  }, ctx.progressIntervalMs ?? 1000);
  progress.unref();

  let result: ExecuteResult | null = null;
  let error: unknown = null;
  let capabilities: string[] | null = null;
  let executor: ExecutorIdentity | null = null;
  const onNotification = (method: string, params: unknown): void => {
    if (method === 'connected') {
      capabilities = announced(params);
      executor = executorIdentity(params);
    }
    lines.onNotification(method, params);
  };
  const session = startSessionSpan(parts.span, ctx.executor.url);
  try {
    result = await execute({
      url: ctx.executor.url,
      command: test.command,
      deadlineSeconds: test.timeout,
      token: ctx.executor.token,
      traceparent: session.traceparent,
      ...(test.env ? { env: test.env } : {}),
      signal: cancel.signal,
      onLine: lines.onLine,
      onStarted: ({ pid, pgid }) => sampler.setRoot(pid, pgid),
      onNotification,
    });
  } catch (err) {
    error = err;
  } finally {
    clearInterval(progress);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
  const lost = error instanceof ConnectionLostError ? error.received : null;
  const endedAt = result?.endedAt ?? lost?.lostAt ?? performance.now();
  endSessionSpan(session, error, endedAt);
  const sentAt = result?.sentAt ?? lost?.sentAt ?? parts.t0;
  return { result, error, sentAt, endedAt, malformedFrames: result?.malformedFrames ?? lost?.malformedFrames ?? 0, capabilities, executor };
}

function announced(params: unknown): string[] | null {
  const caps = typeof params === 'object' && params !== null ? (params as { capabilities?: unknown }).capabilities : undefined;
  return Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : null;
}

/** The test's peaks: the sampler's, or Prometheus's over the test's window (asked once the test is over). */
function peaksOf(source: ResourceSource, sampler: ResourceSampler, test: SuiteTest, ctx: TestRunContext, startedAt: Date): Promise<TestResult['resources']> {
  if (source.kind === 'proc') return sampler.stop();
  void sampler.stop();
  const window = { start: startedAt, end: new Date(), suite: ctx.suite.suite, test: test.id, category: test.category };
  return prometheusPeaks(source.source, window, ctx.signal);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
