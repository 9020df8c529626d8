/**
 * The capacity search (DESIGN section 14): the closed model held at one level of sessions for
 * `step_s`, then judged against the objectives; levels double from `start` until one breaks (or
 * `max_sessions` held), then the gap between the highest that held and the lowest that broke is
 * bisected until it is within `resolution`. No step starts past `max_steps` or past the time
 * budget, and a first step that breaks on errors ends it at once: an executor that fails one
 * session is not asked for more.
 */
import { performance } from 'node:perf_hooks';
import type { SuiteTest } from '../config/types.ts';
import type { LoadResult, TestResult } from '../result/types.ts';
import type { LoadPlan } from './load-plan.ts';
import { percentiles, type TimelinePoint } from './load-stats.ts';
import type { TestRunContext } from './test-run.ts';

type Search = NonNullable<NonNullable<SuiteTest['load']>['search']>;
export type SearchStep = NonNullable<LoadResult['search']>['steps'][number];
export type StepDriver = (plan: LoadPlan, t0: number) => Promise<{ results: TestResult[]; peakActive: number; timeline: TimelinePoint[] }>;

export interface SearchOutcome {
  search: NonNullable<LoadResult['search']>;
  results: TestResult[];
  peakActive: number;
}

/** A step's figures and the objectives it broke. */
export function judgeStep(sessions: number, seconds: number, results: readonly TestResult[], slo: Search['slo']): SearchStep {
  const n = results.length;
  const errors = results.filter((r) => r.outcome !== 'passed').length;
  const errorRatio = n === 0 ? 1 : errors / n;
  const first = percentiles(results.map((r) => r.stream.first_output_seconds));
  const rates = percentiles(results.map((r) => r.stream.bytes_per_second));
  const broke: string[] = [];
  if (n === 0) broke.push('no session ended');
  else if (errorRatio > slo.error_ratio) broke.push(`error ratio ${errorRatio.toFixed(3)} above ${slo.error_ratio}`);
  if (first.p95 !== null && first.p95 > slo.first_output_p95_s) broke.push(`first output p95 ${first.p95.toFixed(3)} s above ${slo.first_output_p95_s} s`);
  if (slo.min_output_bytes_per_second !== null && (rates.p50 ?? 0) < slo.min_output_bytes_per_second) broke.push(`output ${(rates.p50 ?? 0).toFixed(0)} B/s per session below ${slo.min_output_bytes_per_second}`);
  return {
    sessions, seconds: Math.round(seconds * 1000) / 1000, started: n, error_ratio: errorRatio,
    first_output_seconds: first, duration_seconds: percentiles(results.map((r) => r.duration_seconds)),
    output_bytes_per_second_p50: rates.p50, held: broke.length === 0, broke,
  };
}

/** The next level to try, or null when the search has its answer. */
export function nextLevel(search: Search, held: number, broke: number | null): number | null {
  if (broke === null) {
    if (held >= search.max_sessions) return null;
    return held === 0 ? search.start : Math.min(search.max_sessions, held * 2);
  }
  if (broke - held <= Math.max(1, Math.floor(search.resolution * held))) return null;
  return Math.floor((held + broke) / 2);
}

export async function runSearch(search: Search, step: StepDriver, ctx: Pick<TestRunContext, 'signal'>): Promise<SearchOutcome> {
  const steps: SearchStep[] = [];
  const results: TestResult[] = [];
  const began = performance.now();
  let held = 0;
  let broke: number | null = null;
  let peakActive = 0;
  let ended: string;
  for (;;) {
    const level = nextLevel(search, held, broke);
    if (level === null) {
      ended = broke === null ? `held at max_sessions ${search.max_sessions}` : `bisected to within ${search.resolution * 100} % (held ${held}, broke ${broke})`;
      break;
    }
    if (steps.length >= search.max_steps) { ended = `max_steps ${search.max_steps} reached`; break; }
    const spent = (performance.now() - began) / 1000;
    // A step lasts step_s plus the last sessions' own time: twice step_s is the estimate.
    if (spent + 2 * search.step_s > search.max_seconds) { ended = `time budget of ${search.max_seconds} s reached`; break; }
    if (ctx.signal?.aborted) { ended = 'the run was stopped'; break; }
    const t0 = performance.now();
    const driven = await step({ mode: 'stages', targetAt: () => level, endS: search.step_s, total: null }, t0);
    const judged = judgeStep(level, (performance.now() - t0) / 1000, driven.results, search.slo);
    steps.push(judged);
    results.push(...driven.results);
    peakActive = Math.max(peakActive, driven.peakActive);
    if (judged.held) held = level;
    else {
      broke = broke === null ? level : Math.min(broke, level);
      if (held === 0 && judged.error_ratio > search.slo.error_ratio) { ended = `errors at the first level (${judged.broke.join('; ')})`; break; }
    }
  }
  return { search: { held, broke, ended, steps }, results, peakActive };
}
