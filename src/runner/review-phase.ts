/**
 * The runner's side of a RunReview (api.ts): every call guarded (a broken judge must not stop a
 * run) and the confirmation re-runs at the end of the run — each on a fresh connection with the test's own deadline, counted
 * against the budget like any test.
 */
import type { SuiteTest } from '../config/types.ts';
import type { RunResult, TestResult } from '../result/types.ts';
import type { RunReview, StartDecision } from './api.ts';

export interface GuardedReview {
  readonly confirmReruns: number;
  mayStart(finished: readonly TestResult[], next: SuiteTest): StartDecision;
  suspects(test: TestResult): Promise<readonly string[]>;
  settle(test: TestResult, reruns: readonly TestResult[]): TestResult;
  more(test: TestResult, reruns: readonly TestResult[]): boolean;
  finish(run: RunResult): Pick<RunResult, 'success_ratio' | 'budget' | 'regression_settings'>;
}

function warn(what: string, err: unknown): void {
  process.emitWarning(`stressd runner: the run review's ${what} threw: ${err instanceof Error ? err.message : String(err)}`);
}

/** A review that cannot throw; without one, every test may start and nothing is judged. */
export function guardReview(review: RunReview | undefined): GuardedReview {
  return {
    confirmReruns: review ? Math.max(0, Math.floor(review.confirmReruns)) : 0,
    mayStart(finished, next) {
      try {
        return review ? review.mayStart(finished, next) : { allowed: true };
      } catch (err) {
        warn('mayStart', err);
        return { allowed: true };
      }
    },
    async suspects(test) {
      try {
        return review ? [...(await review.suspects(test))] : [];
      } catch (err) {
        warn('suspects', err);
        return [];
      }
    },
    settle(test, reruns) {
      try {
        return review ? review.settle(test, reruns) : test;
      } catch (err) {
        warn('settle', err);
        return test;
      }
    },
    more(test, reruns) {
      try {
        return review?.more ? review.more(test, reruns) : true;
      } catch (err) {
        warn('more', err);
        return true;
      }
    },
    finish(run) {
      try {
        return review?.finish?.(run) ?? {};
      } catch (err) {
        warn('finish', err);
        return {};
      }
    },
  };
}

export interface RerunPlan {
  /** Suspected tests in run order with the measures suspected. */
  suspects: readonly { test: SuiteTest; measures: readonly string[]; result?: TestResult }[];
  review: GuardedReview;
  /** Everything this run finished so far (tests and re-runs), for the budget. */
  finished: () => readonly TestResult[];
  /** Runs one re-run (events, span, log) and returns its result. */
  runOne: (test: SuiteTest, attempt: number) => Promise<TestResult>;
  aborted: () => boolean;
  /**
   * Before each re-run: waits (bounded by the suspect's deadline) for the host to calm down when
   * the suspect's last value was measured under pressure. Absent: no wait.
   */
  spaceOut?: (previous: TestResult, deadlineMs: number) => Promise<void>;
  /** The per-suspect bound on those waits, in seconds; default 0. */
  waitSeconds?: number;
}

/**
 * Re-runs each suspect up to `confirmReruns` times while the review wants more, stopping at an abort
 * or an exhausted budget; a re-run after a value measured under pressure waits for a calm host first
 * (`spaceOut`, bounded per suspect by `waitSeconds`).
 */
export async function runReruns(plan: RerunPlan): Promise<TestResult[]> {
  const reruns: TestResult[] = [];
  for (const { test, result } of plan.suspects) {
    const mine: TestResult[] = [];
    const deadlineMs = performance.now() + (plan.waitSeconds ?? 0) * 1000;
    for (let attempt = 1; attempt <= plan.review.confirmReruns; attempt++) {
      if (plan.aborted()) return reruns;
      // Decided already (the sequential evidence left its bounds): no more re-runs for this suspect.
      if (result && attempt > 1 && !plan.review.more(result, mine)) break;
      // A re-run the budget cannot afford is left out: the suspect is then judged on fewer re-runs (noise with none).
      if (!plan.review.mayStart(plan.finished(), test).allowed) return reruns;
      const previous = mine.at(-1) ?? result;
      if (previous && plan.spaceOut) await plan.spaceOut(previous, deadlineMs);
      if (plan.aborted()) return reruns;
      const r = await plan.runOne(test, attempt);
      mine.push(r);
      reruns.push(r);
    }
  }
  return reruns;
}
