/**
 * The cost budget (DESIGN section 3): a new test starts only while the run's and the suite's
 * day's spending are below their limits. Cost is what Claude's result lines say
 * (`total_cost_usd`); a test without one costs 0. Re-runs are TestResults too and count. The day
 * is the UTC calendar day of `now`, so a daemon's budget resets at 00:00 UTC whatever its host's zone.
 */
import type { RunResult, TestResult } from '../result/types.ts';

export interface BudgetSettings {
  /** USD per run; null or absent = unlimited. */
  max_cost_usd_per_run?: number | null;
  /** USD per suite and UTC day, over all its runs; null or absent = unlimited. */
  max_cost_usd_per_day?: number | null;
}

export interface BudgetInput {
  suite: string;
  runId: string;
  /** Tests of this run that have finished (re-runs included). */
  finished: readonly TestResult[];
  /** Earlier runs (any suites); this run's id is skipped if present. */
  history: readonly RunResult[];
  now: Date;
  settings: BudgetSettings;
  /** Expected cost of the next test (e.g. its baseline median); with it, a test that would cross a limit does not start. */
  nextTestEstimate?: number | null;
}

export interface BudgetDecision {
  allowed: boolean;
  run_cost_usd: number;
  day_cost_usd: number;
  /** Which limit stopped it; null when allowed. */
  exhausted_by: 'run' | 'day' | null;
  /** e.g. "run budget $1.00 spent ($1.02)"; null when allowed. */
  reason: string | null;
}

export function testCost(t: TestResult): number {
  const c = t.claude?.total_cost_usd;
  return typeof c === 'number' && Number.isFinite(c) && c > 0 ? c : 0;
}

export function costOf(tests: readonly TestResult[]): number {
  return tests.reduce((sum, t) => sum + testCost(t), 0);
}

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** What the suite's other runs started on `now`'s UTC day spent. */
export function dayCost(history: readonly RunResult[], suite: string, now: Date, excludeRunId: string | null = null): number {
  const day = utcDay(now);
  let sum = 0;
  for (const run of history) {
    if (run.suite !== suite || run.id === excludeRunId) continue;
    const started = new Date(run.started_at);
    if (Number.isNaN(started.getTime()) || utcDay(started) !== day) continue;
    sum += costOf(run.tests);
  }
  return sum;
}

const usd = (v: number): string => `$${v.toFixed(2)}`;

export function mayStartTest(input: BudgetInput): BudgetDecision {
  const run = costOf(input.finished);
  const day = dayCost(input.history, input.suite, input.now, input.runId) + run;
  const next = Math.max(0, input.nextTestEstimate ?? 0);
  const over = (spent: number, limit: number | null | undefined): boolean =>
    typeof limit === 'number' && (spent >= limit || (next > 0 && spent + next > limit));
  const runLimit = input.settings.max_cost_usd_per_run;
  const dayLimit = input.settings.max_cost_usd_per_day;
  if (over(run, runLimit)) {
    return { allowed: false, run_cost_usd: run, day_cost_usd: day, exhausted_by: 'run', reason: `run budget ${usd(runLimit as number)} ${run >= (runLimit as number) ? 'spent' : 'would be passed by the next test'} (${usd(run)} so far)` };
  }
  if (over(day, dayLimit)) {
    return { allowed: false, run_cost_usd: run, day_cost_usd: day, exhausted_by: 'day', reason: `day budget ${usd(dayLimit as number)} ${day >= (dayLimit as number) ? 'spent' : 'would be passed by the next test'} (${usd(day)} today)` };
  }
  return { allowed: true, run_cost_usd: run, day_cost_usd: day, exhausted_by: null, reason: null };
}
