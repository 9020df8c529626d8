/**
 * The RunReview (src/runner/api.ts) of the daemon and `stressd run`: src/analysis/ judging each
 * test against the history as the run goes, confirming suspects from their re-runs, the budget
 * before each test, and graduation over runs at the end. Stateless between calls (each reads the
 * history afresh), so one review serves every run of a suite.
 */
import { confirmAll, stillOpen, costOf, dayCost, judgeTest, mayStartTest, successRatio, type JudgeOptions } from '../analysis/index.ts';
import type { Suite } from '../config/types.ts';
import type { BudgetState, RunResult, RunSuccessRatio, TestResult } from '../result/types.ts';
import type { RunReview } from '../runner/api.ts';

export interface ReviewOptions {
  suite: Suite;
  /** Earlier runs (any suites, any order); the run under review is not in it yet. */
  history: () => readonly RunResult[];
  now?: () => Date;
}

/** A run's re-runs count as spending like its tests (DESIGN section 3). */
function withReruns(run: RunResult): RunResult {
  return run.reruns && run.reruns.length > 0 ? { ...run, tests: [...run.tests, ...run.reruns] } : run;
}

export function createReview(options: ReviewOptions): RunReview {
  const { suite } = options;
  const now = options.now ?? (() => new Date());
  const budget = suite.budget;
  const judgeOptions = (runId: string | null): JudgeOptions => ({ suite: suite.suite, runId, ...suite.regression });
  const spendHistory = (): RunResult[] => options.history().map(withReruns);

  return {
    confirmReruns: suite.regression.max_reruns ?? suite.regression.confirm_reruns,

    more(test, reruns) {
      const suspects = judgeTest(test, options.history(), judgeOptions(null)).suspects;
      return suspects.some((s) => stillOpen(s, reruns));
    },

    mayStart(finished) {
      const d = mayStartTest({ suite: suite.suite, runId: '', finished, history: spendHistory(), now: now(), settings: budget });
      return d.allowed ? { allowed: true } : { allowed: false, reason: d.reason ?? 'the cost budget is spent' };
    },

    suspects(test) {
      if (test.rerun_of !== undefined) return [];
      return judgeTest(test, options.history(), judgeOptions(null)).suspects.map((s) => s.record.measure);
    },

    settle(test, reruns) {
      if (test.outcome !== 'passed') return test;
      const judgement = judgeTest(test, options.history(), judgeOptions(null));
      if (judgement.records.length === 0) return test;
      return { ...test, regressions: confirmAll(judgement, reruns) };
    },

    finish(run) {
      return { success_ratio: ratioOf(run, options.history(), suite), budget: budgetOf(run, spendHistory(), suite, now()), regression_settings: { ...suite.regression } };
    },
  };
}

/** Graduation over runs with this run counted; the infinite ratio (no failure) is null in JSON. */
export function ratioOf(run: RunResult, history: readonly RunResult[], suite: Suite): RunSuccessRatio {
  return historyRatio([...history.filter((r) => r.id !== run.id), run], suite);
}

/** Graduation over runs from `runs` alone (e.g. the history at start-up, before any run). */
export function historyRatio(runs: readonly RunResult[], suite: Suite): RunSuccessRatio {
  const g = suite.graduation;
  const r = successRatio(runs, suite.suite, { min_success_failure_ratio: g.min_success_failure_ratio, ratio_window_runs: g.ratio_window_runs });
  return {
    runs: r.runs, graduated_runs: r.graduated_runs, failed_runs: r.failed_runs,
    ratio: Number.isFinite(r.ratio) ? r.ratio : null,
    graduated: r.graduated, needed_ratio: r.needed_ratio, needed_runs: r.needed_runs, text: r.text,
  };
}

function budgetOf(run: RunResult, history: readonly RunResult[], suite: Suite, at: Date): BudgetState {
  const limits = suite.budget;
  const spent = withReruns(run).tests;
  const decision = mayStartTest({ suite: suite.suite, runId: run.id, finished: spent, history, now: at, settings: limits });
  const stopped = run.tests.find((t: TestResult) => t.reason === 'budget');
  const exhausted = stopped !== undefined || !decision.allowed;
  return {
    run_cost_usd: costOf(spent),
    day_cost_usd: dayCost(history, suite.suite, at, run.id) + costOf(spent),
    max_cost_usd_per_run: limits.max_cost_usd_per_run,
    max_cost_usd_per_day: limits.max_cost_usd_per_day,
    exhausted_by: exhausted ? (decision.exhausted_by ?? 'run') : null,
    reason: exhausted ? (stopped?.reason_detail ?? decision.reason) : null,
  };
}
