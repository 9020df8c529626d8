/**
 * Graduation over runs (DESIGN section 10, the original task's "Success/Failure Ratio … requires
 * 10:1 to graduate"): per suite, graduated ÷ not-graduated runs over the last `ratio_window_runs`
 * finished runs. Aborted runs (stopped by a signal or a shutdown) and runs still going are left
 * out: they say nothing about the system under test, and counting them would let an operator's
 * restart fail a suite. Partial runs (`stressd run --only`, which record `only`) are left out too:
 * one test passing is not the suite graduating, and one failing test re-run on its own while it is
 * being fixed is not the suite failing again. Every surface (the run's summary and report, the
 * daemon's page and API, the gauges, `stressd compare`) takes the ratio from here.
 */
import type { RunResult } from '../result/types.ts';

/** The suite's `graduation` settings of the same names (their defaults are the config schema's). */
export interface SuccessRatioSettings {
  /** Graduated runs needed per not-graduated run (the original task's 10:1). */
  min_success_failure_ratio: number;
  /** Finished runs looked back over. */
  ratio_window_runs: number;
}

export interface SuccessRatio {
  suite: string;
  /** Finished runs in the window. */
  runs: number;
  graduated_runs: number;
  failed_runs: number;
  /** graduated ÷ failed; +Infinity with no failure and at least one run; 0 with no run at all. */
  ratio: number;
  /** The ratio meets `min_success_failure_ratio` over at least that many + 1 runs. */
  graduated: boolean;
  needed_ratio: number;
  needed_runs: number;
  /**
   * e.g. "Success/Failure ratio 14:1 over 15 runs — ratio met, needs 10:1". Said "ratio met", not
   * "graduated": "graduated" is each run's own check (pass rate, no timeout), and one page shows both.
   */
  text: string;
}

function byNewest(a: RunResult, b: RunResult): number {
  const d = Date.parse(b.started_at) - Date.parse(a.started_at);
  return Number.isNaN(d) || d === 0 ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : d;
}

function ratioWords(g: number, f: number): string {
  if (f <= 1) return `${g}:${f}`;
  const r = g / f;
  return `${g}:${f} (${Number.isInteger(r) ? r : r.toFixed(1)}:1)`;
}

/** The one rule: a finished, whole-suite run of this suite. */
export function countsTowardRatio(run: Pick<RunResult, 'suite' | 'status' | 'only'>, suite: string): boolean {
  return run.suite === suite && run.status === 'finished' && run.only === undefined;
}

/** `runs` may hold any suites and any order (e.g. the whole history, the current run included). */
export function successRatio(runs: readonly RunResult[], suite: string, options: SuccessRatioSettings): SuccessRatio {
  const needed = options.min_success_failure_ratio;
  const window = options.ratio_window_runs;
  const finished = runs.filter((r) => countsTowardRatio(r, suite)).sort(byNewest).slice(0, window);
  const g = finished.filter((r) => r.graduated).length;
  const f = finished.length - g;
  const ratio = finished.length === 0 ? 0 : f === 0 ? Infinity : g / f;
  const neededRuns = Math.ceil(needed) + 1;
  const graduated = ratio >= needed && finished.length >= neededRuns;
  const plural = finished.length === 1 ? 'run' : 'runs';
  const verdict = graduated
    ? `ratio met, needs ${needed}:1`
    : finished.length < neededRuns
      ? `ratio not met, needs ${needed}:1 over at least ${neededRuns} runs`
      : `ratio not met, needs ${needed}:1`;
  return {
    suite,
    runs: finished.length,
    graduated_runs: g,
    failed_runs: f,
    ratio,
    graduated,
    needed_ratio: needed,
    needed_runs: neededRuns,
    text: `Success/Failure ratio ${ratioWords(g, f)} over ${finished.length} ${plural} — ${verdict}`,
  };
}
