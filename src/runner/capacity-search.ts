/**
 * The capacity search (DESIGN section 14): one level held for `step_s` — sessions at once (the
 * closed model) or, `over: "rate"`, arrivals per second (the open model, with `max_sessions` as the
 * cap in flight) — then judged against the objectives; levels double from `start` until one breaks
 * (or the top level held), then the gap between the highest that held and the lowest that broke is
 * bisected until it is within `resolution`. Before each step the search asks whether that step
 * fits its budgets: `max_steps`, the time budget `max_seconds` and the cost budget `max_cost_usd`
 * (each estimated from the steps so far); the result names the bound that ended it. A first step
 * that breaks on errors ends it at once: an executor that fails one session is not asked for more.
 */
import { performance } from 'node:perf_hooks';
import type { SuiteTest } from '../config/types.ts';
import type { LoadResult, TestResult } from '../result/types.ts';
import { percentiles } from './load-stats.ts';
import type { TestRunContext } from './test-run.ts';

type Search = NonNullable<NonNullable<SuiteTest['load']>['search']>;
export type SearchResult = NonNullable<LoadResult['search']>;
export type SearchStep = SearchResult['steps'][number];
export type SearchBound = NonNullable<SearchResult['bound']>;

/** What one step's load gave: the sessions that ended, the most in flight, and (open model) the arrivals dropped. */
export interface StepRun {
  results: TestResult[];
  peakActive: number;
  dropped?: number;
}
/** Holds one level (sessions, or arrivals per second) for `step_s` and resolves when its sessions have ended. */
export type StepDriver = (level: number) => Promise<StepRun>;

export interface SearchOutcome {
  search: SearchResult;
  results: TestResult[];
  peakActive: number;
}

/** A step's figures and the objectives it broke; dropped arrivals count as errors (never served). */
export function judgeStep(level: number, seconds: number, run: StepRun, search: Pick<Search, 'over' | 'slo'>): SearchStep {
  const { results } = run;
  const slo = search.slo;
  const dropped = run.dropped ?? 0;
  const n = results.length;
  const errors = results.filter((r) => r.outcome !== 'passed').length + dropped;
  const errorRatio = n + dropped === 0 ? 1 : errors / (n + dropped);
  const first = percentiles(results.map((r) => r.stream.first_output_seconds));
  const rates = percentiles(results.map((r) => r.stream.bytes_per_second));
  const broke: string[] = [];
  if (n === 0) broke.push('no session ended');
  else if (errorRatio > slo.error_ratio) broke.push(`error ratio ${errorRatio.toFixed(3)} above ${slo.error_ratio}${dropped > 0 ? ` (${dropped} arrivals dropped)` : ''}`);
  if (first.p95 !== null && first.p95 > slo.first_output_p95_s) broke.push(`first output p95 ${first.p95.toFixed(3)} s above ${slo.first_output_p95_s} s`);
  if (slo.min_output_bytes_per_second !== null && (rates.p50 ?? 0) < slo.min_output_bytes_per_second) broke.push(`output ${(rates.p50 ?? 0).toFixed(0)} B/s per session below ${slo.min_output_bytes_per_second}`);
  return {
    // Over rate, `sessions` is the most that were in flight at that rate.
    sessions: search.over === 'rate' ? run.peakActive : level,
    ...(search.over === 'rate' ? { rate: level, dropped } : {}),
    seconds: Math.round(seconds * 1000) / 1000, started: n, error_ratio: errorRatio,
    first_output_seconds: first, duration_seconds: percentiles(results.map((r) => r.duration_seconds)),
    output_bytes_per_second_p50: rates.p50, cost_usd: sessionCost(results),
    held: broke.length === 0, broke,
  };
}

/** The top level a search may try: sessions, or arrivals per second over rate. */
export function topLevel(search: Pick<Search, 'over' | 'max_sessions' | 'max_rate'>): number {
  return search.over === 'rate' ? search.max_rate : search.max_sessions;
}

/** The next level to try, or null when the search has its answer. */
export function nextLevel(search: Pick<Search, 'over' | 'start' | 'max_sessions' | 'max_rate' | 'resolution'>, held: number, broke: number | null): number | null {
  const top = topLevel(search);
  if (broke === null) {
    if (held >= top) return null;
    return held === 0 ? search.start : Math.min(top, held * 2);
  }
  if (search.over === 'sessions') {
    if (broke - held <= Math.max(1, Math.floor(search.resolution * held))) return null;
    return Math.floor((held + broke) / 2);
  }
  // Over rate, levels are kept to hundredths of an arrival per second.
  const mid = Math.round(((held + broke) / 2) * 100) / 100;
  // The 1e-9 keeps a gap of exactly the resolution (4.4 − 4 in floating point) an answer.
  if (broke - held <= search.resolution * held + 1e-9 || mid <= held || mid >= broke) return null;
  return mid;
}

/** Claude's total_cost_usd summed over the sessions that reported one; null when none did. */
function sessionCost(results: readonly TestResult[]): number | null {
  const costs = results.map((r) => r.claude?.total_cost_usd).filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
  return costs.length === 0 ? null : Math.round(costs.reduce((a, b) => a + b, 0) * 1e6) / 1e6;
}

/**
 * What the next step at `level` is expected to take, from the steps so far: its seconds (step_s
 * plus the longest tail of sessions still ending after it; twice step_s before any step) and its
 * cost (the cost per session so far × the sessions per unit of level so far × `level`; 0 before
 * any step or when no session reported a cost).
 */
export function expectedStep(search: Pick<Search, 'step_s'>, steps: readonly SearchStep[], level: number): { seconds: number; cost: number } {
  if (steps.length === 0) return { seconds: 2 * search.step_s, cost: 0 };
  const tail = Math.max(0, ...steps.map((s) => s.seconds - search.step_s));
  const sessions = steps.reduce((a, s) => a + s.started, 0);
  const levels = steps.reduce((a, s) => a + (s.rate ?? s.sessions), 0);
  const cost = steps.reduce((a, s) => a + (s.cost_usd ?? 0), 0);
  const perSession = sessions === 0 ? 0 : cost / sessions;
  return { seconds: search.step_s + tail, cost: levels === 0 ? 0 : perSession * (sessions / levels) * level };
}

export async function runSearch(search: Search, step: StepDriver, ctx: Pick<TestRunContext, 'signal'>): Promise<SearchOutcome> {
  const steps: SearchStep[] = [];
  const results: TestResult[] = [];
  const began = performance.now();
  const unit = search.over === 'rate' ? '/s' : ' sessions';
  let held = 0;
  let broke: number | null = null;
  let peakActive = 0;
  let spentUsd = 0;
  let ended: string;
  let bound: SearchBound;
  for (;;) {
    const level = nextLevel(search, held, broke);
    if (level === null) {
      [bound, ended] = broke === null
        ? ['max_level', `held at ${search.over === 'rate' ? 'max_rate' : 'max_sessions'} ${topLevel(search)}${unit}`]
        : ['resolution', `bisected to within ${search.resolution * 100} % (held ${held}${unit}, broke ${broke}${unit})`];
      break;
    }
    if (steps.length >= search.max_steps) { [bound, ended] = ['max_steps', `max_steps ${search.max_steps} reached`]; break; }
    const spent = (performance.now() - began) / 1000;
    const next = expectedStep(search, steps, level);
    if (spent + next.seconds > search.max_seconds) { [bound, ended] = ['max_seconds', `time budget of ${search.max_seconds} s reached (${spent.toFixed(1)} s spent, the next step expected to take ${next.seconds.toFixed(1)} s)`]; break; }
    if (search.max_cost_usd !== null && spentUsd + next.cost > search.max_cost_usd) { [bound, ended] = ['max_cost_usd', `cost budget of $${search.max_cost_usd} reached ($${spentUsd.toFixed(4)} spent, the next step at ${level}${unit} expected to cost $${next.cost.toFixed(4)})`]; break; }
    if (ctx.signal?.aborted) { [bound, ended] = ['stopped', 'the run was stopped']; break; }
    const t0 = performance.now();
    const run = await step(level);
    const judged = judgeStep(level, (performance.now() - t0) / 1000, run, search);
    steps.push(judged);
    results.push(...run.results);
    spentUsd += judged.cost_usd ?? 0;
    peakActive = Math.max(peakActive, run.peakActive);
    if (judged.held) held = level;
    else {
      broke = broke === null ? level : Math.min(broke, level);
      if (held === 0 && judged.error_ratio > search.slo.error_ratio) { [bound, ended] = ['errors', `errors at the first level (${judged.broke.join('; ')})`]; break; }
    }
  }
  const cost = steps.some((s) => s.cost_usd != null) ? Math.round(spentUsd * 1e6) / 1e6 : null;
  return { search: { over: search.over, held, broke, bound, ended, cost_usd: cost, steps }, results, peakActive };
}
