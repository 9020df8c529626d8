/**
 * The change points the status page shows (issue 21, point 5): the latest of each measure of each
 * test of every suite the daemon runs, found by analysis over its history. The pass shuffles each
 * series a few hundred times, so its answer is kept until the history changes (a new run, a
 * reload): the page is rendered every 10 s and the history changes once a run.
 */
import { latestChanges, type ChangePoint } from '../analysis/index.ts';
import type { RunResult } from '../result/types.ts';

export interface ChangeSuite {
  suite: string;
  /** The suite's `regression.min_change`: a smaller shift is not shown. */
  min_change: number;
}

export type ChangeNotes = (runs: readonly RunResult[], suites: readonly ChangeSuite[]) => ChangePoint[];

/** One finder with its cache: the same runs and suites give the same points without a new search. */
export function changeNotes(): ChangeNotes {
  let key = '';
  let last: ChangePoint[] = [];
  return (runs, suites) => {
    const k = `${runs.length}|${runs.map((r) => `${r.id}:${r.status}`).join(',')}|${suites.map((s) => `${s.suite}:${s.min_change}`).join(',')}`;
    if (k === key) return last;
    last = suites.flatMap((s) => latestChanges(runs, s.suite, { minChange: s.min_change }));
    key = k;
    return last;
  };
}
