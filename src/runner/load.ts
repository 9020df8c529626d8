/**
 * A test under load (DESIGN section 11): many sessions of one command, each a fresh connection
 * and a full execute with its own deadline through the runner's single-session path (runTest), as
 * many at once as the plan wants; a session that ends is replaced while a stage wants more. The
 * sessions are aggregated into one TestResult with `load`. Resource peaks cover every session's
 * tree together: one sampler on the local executor's process, whose tree holds them all.
 */
import { trace } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import type { SuiteTest } from '../config/types.ts';
import type { TestResult } from '../result/types.ts';
import { assembleLoadResult } from './load-result.ts';
import { loadPlan, type LoadPlan } from './load-plan.ts';
import { sessionLogParts, testLogParts } from './log-paths.ts';
import { judgeLoad, summariseLoad, type TimelinePoint } from './load-stats.ts';
import { runSearch, type SearchOutcome } from './capacity-search.ts';
import { driveOpen, isOpenLoad } from './open-load.ts';
import { prometheusPeaks } from './prom-peaks.ts';
import { loadSource, resourcesSetting } from './resource-source.ts';
import { ResourceSampler } from './sampler.ts';
import { endTestSpan, guard, spanIds, startTestSpan } from './spans.ts';
import { deepFreeze, runTest, type TestRunContext } from './test-run.ts';

/** A session's output reaches its log within this long (a test's within 1 s). */
export const SESSION_LOG_FLUSH_MS = 5000;

export interface LoadHooks {
  /** Each session's own result as it ends (benchmarks and tests; the run sees only the aggregate). */
  onSession?: (session: TestResult, index: number) => void;
  /** How often a stage's target is re-read between session ends; default 100 ms. */
  tickMs?: number;
}

export async function runLoadTest(test: SuiteTest, ctx: TestRunContext, hooks: LoadHooks = {}): Promise<TestResult> {
  const load = test.load;
  if (!load) return runTest(test, ctx);
  const plan = loadPlan(load);
  const startedAt = new Date();
  const t0 = performance.now();
  const span = startTestSpan(ctx.traceContext, test);
  guard(() => span.setAttributes({ 'stressd.load.mode': plan.mode, 'stressd.load.min_pass_ratio': load.min_pass_ratio }));
  // The union of all sessions' trees is the executor's tree: one sampler, the executor's own share beside it.
  const source = loadSource(ctx.executor, resourcesSetting(test, ctx.suite));
  const sampler = new ResourceSampler({ intervalMs: ctx.suite.sample_interval_ms, localPid: source.kind === 'proc' ? source.pid : null });
  if (source.kind === 'proc' && source.pid !== null) sampler.setRoot(source.pid);
  const sessionCtx: TestRunContext = {
    ...ctx,
    // Per-session sampling would be N samplers reading /proc for what the one above already covers.
    executor: { ...ctx.executor, localPid: null },
    unsampled: true,
    traceContext: trace.setSpan(ctx.traceContext, span),
    onProgress: () => undefined,
    // Hundreds of session logs written each second cost more than the sessions' own work
    // (a writev each); nobody reads them live, and each is whole when its session ends.
    logFlushMs: SESSION_LOG_FLUSH_MS,
  };
  const mode = load.search ? 'search' : isOpenLoad(load) ? 'rate' : plan.mode;
  let dropped: number | undefined;
  let search: SearchOutcome['search'] | undefined;
  let sessions: Driven;
  if (load.search) {
    const found = await runSearch(load.search, (p, s0) => drive(test, p, sessionCtx, hooks, s0, ctx), ctx);
    // The objectives go with the figures: the report draws them as the line a step had to stay under.
    search = { ...found.search, slo: load.search.slo };
    sessions = { results: found.results, peakActive: found.peakActive, timeline: [] };
  } else if (mode === 'rate') {
    const open = await driveOpen(test, load, sessionCtx, ctx.signal, hooks.onSession);
    dropped = open.dropped;
    sessions = open;
  } else sessions = await drive(test, plan, sessionCtx, hooks, t0, ctx);
  const endedAt = performance.now();
  const resources = source.kind === 'prometheus'
    ? (void sampler.stop(), await prometheusPeaks(source.source, { start: startedAt, end: new Date(), suite: ctx.suite.suite, test: test.id, category: test.category }, ctx.signal))
    : await sampler.stop();
  const aborted = ctx.signal?.aborted === true;
  // A search breaks its last steps on purpose: it passes when some level held.
  const verdict = search && search.held > 0 && !aborted ? { outcome: 'passed' as const, reason: null, detail: null } : judgeLoad(sessions.results, load.min_pass_ratio, aborted);
  const summary = {
    ...summariseLoad({ mode, sessions: sessions.results, minPassRatio: load.min_pass_ratio, peakActive: sessions.peakActive, timeline: sessions.timeline }),
    ...(dropped === undefined ? {} : { dropped }),
    ...(search === undefined ? {} : { search }),
  };
  const result = assembleLoadResult({
    test, sessions: sessions.results, verdict, load: summary, startedAt,
    durationSeconds: Math.round(endedAt - t0) / 1000, resources, ids: spanIds(span),
  });
  guard(() => span.setAttributes({ 'stressd.load.sessions': summary.sessions, 'stressd.load.passed': summary.outcomes.passed, 'stressd.load.refusals': summary.refusals }));
  endTestSpan(span, result, { firstOutputAt: null, endedAt, timedOut: false, cancelled: aborted });
  return deepFreeze(result);
}

export interface Driven {
  results: TestResult[];
  peakActive: number;
  timeline: TimelinePoint[];
}

/** Starts, replaces and awaits the sessions; samples the timeline once a second. */
export function drive(test: SuiteTest, plan: LoadPlan, sessionCtx: TestRunContext, hooks: LoadHooks, t0: number, ctx: TestRunContext): Promise<Driven> {
  const results: TestResult[] = [];
  const timeline: TimelinePoint[] = [];
  let active = 0;
  let started = 0;
  let peakActive = 0;
  let failedInSecond = 0;
  let outputBytes = 0;
  let outputLines = 0;
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const mayStart = (t: number): boolean => {
    if (ctx.signal?.aborted) return false;
    return plan.total !== null ? started < plan.total : t < (plan.endS ?? 0);
  };

  return new Promise<Driven>((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearInterval(second);
      ctx.signal?.removeEventListener('abort', fill);
      // The last, partial second: its own point, or folded into the point just taken.
      const t = Math.ceil(elapsed());
      const last = timeline[timeline.length - 1];
      if (last !== undefined && last.t >= t) last.failed += failedInSecond;
      else timeline.push({ t, sessions: plan.targetAt(elapsed()), active, failed: failedInSecond });
      resolve({ results, peakActive, timeline });
    };
    const sample = (): void => {
      timeline.push({ t: timeline.length, sessions: plan.targetAt(elapsed()), active, failed: failedInSecond });
      failedInSecond = 0;
    };
    const fill = (): void => {
      const t = elapsed();
      const target = plan.targetAt(t);
      while (active < target && mayStart(t)) startOne();
      if (active === 0 && !mayStart(t)) finish();
    };
    const startOne = (): void => {
      const index = ++started;
      active++;
      peakActive = Math.max(peakActive, active);
      const session: SuiteTest = { ...test, id: `${test.id}.s${index}`, name: `${test.name} (session ${index})`, load: null };
      const ended = (): void => {
        active--;
      };
      runTest(session, { ...sessionCtx, sessionIndex: index, logParts: sessionLogParts(ctx.logParts ?? testLogParts(test.id), index) }).then((r) => {
        ended();
        results.push(r);
        outputBytes += r.output_bytes;
        outputLines += r.output_lines;
        if (r.outcome !== 'passed') failedInSecond++;
        try {
          hooks.onSession?.(r, index);
        } catch {
          // A hook is an observer: it must not end the load.
        }
        fill();
      }, (err: unknown) => {
        // runTest turns test failures into results; a throw is a bug (or a full disk): note it and go on.
        ended();
        process.emitWarning(`stressd load: session ${index} of ${test.id} threw: ${err instanceof Error ? err.message : String(err)}`);
        fill();
      });
    };
    const ticker = setInterval(fill, hooks.tickMs ?? 100);
    const second = setInterval(() => {
      sample();
      ctx.onProgress({ elapsed_seconds: elapsed(), output_bytes: outputBytes, output_lines: outputLines });
    }, 1000);
    ctx.signal?.addEventListener('abort', fill, { once: true });
    timeline.push({ t: 0, sessions: plan.targetAt(0), active: 0, failed: 0 });
    fill();
  });
}
