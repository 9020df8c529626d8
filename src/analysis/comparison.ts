/**
 * The verdicts `stressd compare` prints, decided here like every verdict. Against the baseline, a
 * stored run is judged again as it was when it ran: with the `regression` settings it recorded,
 * against the runs that started before it, and with its suspects confirmed from its own re-runs,
 * so the verdicts match the run's stored `regressions`. Against another run there is one value to
 * compare with, so only the floors decide and there is no score.
 */
import type { RegressionRecord, RunResult, TestResult } from '../result/types.ts';
import { MEASURES, type MeasureDef } from '../result/measures.ts';
import { confirmAll, judgeTest, pastFloors, unchangedWhy } from './judge.ts';
import type { RegressionSettings } from './settings.ts';

export interface MeasureComparison extends RegressionRecord {
  test: string;
  /** The other run's value when comparing two runs; null against the baseline. */
  other: number | null;
  /** Why the verdict is what it is when the table alone does not say: a floor, the noise band, too few runs. */
  why: string | null;
}

function startedBefore(run: RunResult): (r: RunResult) => boolean {
  const t = Date.parse(run.started_at);
  return (r) => r.id !== run.id && (Number.isNaN(t) || Number.isNaN(Date.parse(r.started_at)) ? r.id < run.id : Date.parse(r.started_at) < t);
}

function confirmedWhy(record: RegressionRecord, def: MeasureDef | undefined, confirmed: boolean): string | null {
  const fmt = (v: number): string => def?.format(v) ?? String(v);
  if (record.verdict === 'noise') return `re-runs did not confirm it (${(record.reruns ?? []).map(fmt).join(', ') || 'none ran'})`;
  if (record.verdict === 'regressed' && !confirmed) return 'suspected; not confirmed (the run was not reviewed, so no re-run judged it)';
  return null;
}

/** Each test of `run` against its baseline in `history` (which may hold any runs, `run` itself included). */
export function compareWithBaseline(run: RunResult, history: readonly RunResult[], settings: RegressionSettings): MeasureComparison[] {
  const earlier = history.filter(startedBefore(run));
  return run.tests.flatMap((t: TestResult) => {
    const judgement = judgeTest(t, earlier, { ...settings, suite: run.suite, runId: run.id });
    const reruns = (run.reruns ?? []).filter((r) => r.rerun_of === t.id);
    // A reviewed test (one with stored verdicts, or re-runs) had its suspects decided: decide them again the same way.
    const reviewed = t.regressions !== undefined || reruns.length > 0;
    const records = reviewed ? confirmAll(judgement, reruns) : judgement.records;
    return records.map((r) => ({
      test: t.id, other: null, ...r,
      why: judgement.why[r.measure] ?? confirmedWhy(r, MEASURES.find((m) => m.name === r.measure), reviewed),
    }));
  });
}

/** One value against one other: past both floors in the bad direction is `regressed`, in the good one `improved`. */
export function judgePair(def: MeasureDef, value: number, reference: number, minChange: number): { record: RegressionRecord; why: string | null } {
  const worse = def.bad === 'higher' ? value > reference : value < reference;
  const moved = pastFloors(value, reference, def, minChange);
  return {
    record: {
      measure: def.name,
      value,
      baseline: { median: reference, spread: 0, n: 1 },
      change: reference === 0 ? null : (value - reference) / Math.abs(reference),
      score: null,
      verdict: !moved ? 'unchanged' : worse ? 'regressed' : 'improved',
    },
    why: moved ? null : unchangedWhy(def, value, reference, minChange, null),
  };
}

/** Every measure both runs measured, per test of `a` that `b` also ran. */
export function compareRuns(a: RunResult, b: RunResult, minChange: number): MeasureComparison[] {
  const rows: MeasureComparison[] = [];
  for (const t of a.tests) {
    const other = b.tests.find((x) => x.id === t.id);
    if (!other) continue;
    for (const def of MEASURES) {
      const value = def.value(t);
      const reference = def.value(other);
      if (value === null || reference === null) continue;
      const { record, why } = judgePair(def, value, reference, minChange);
      rows.push({ test: t.id, other: reference, ...record, why });
    }
  }
  return rows;
}
