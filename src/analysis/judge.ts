/**
 * Regression verdicts of one test (DESIGN section 10). `judgeTest` compares each measured value
 * with its baseline: beyond the model's boundary in the bad direction AND past both floors (the
 * relative `min_change` and the measure's absolute one) makes a suspect, provisionally `regressed`;
 * the same in the good direction is `improved`. `confirm` then decides each suspect from the
 * test's re-runs: `regressed` when they bear it out, else `noise`.
 */
import type { RegressionRecord, RunResult, TestResult } from '../result/types.ts';
import { comparableTests, measureValues } from './baseline.ts';
import { MEASURES, type MeasureDef } from '../result/measures.ts';
import { MODELS, type Bounds, type RegressionModel } from './models.ts';
import type { RegressionSettings } from './settings.ts';
import { median, robustSpread } from './stats.ts';
import { addValue, openSuspect, sequentialJudge, sequentialState, shiftEvidence, type Evidence, type SequentialJudge } from './sequential.ts';

/** Scores are capped so that a zero-width baseline (all runs equal) still gives JSON-safe numbers. */
const SCORE_CAP = 999;

export interface JudgeOptions extends RegressionSettings {
  suite: string;
  /** The run the test belongs to, kept out of its own baseline. */
  runId?: string | null;
}

/** A suspected regression, with what `confirm` needs to re-judge it. */
export interface Suspect {
  record: RegressionRecord;
  def: MeasureDef;
  sample: readonly number[];
  bounds: Bounds;
  model: RegressionModel;
  min_change: number;
  /** With the sequential model: its judge and the evidence the suspect value opened. */
  sequential?: { judge: SequentialJudge; evidence: Evidence; /** The suspect's own pressure reading, in words. */ pressure?: string };
}

export interface TestJudgement {
  /** One record per measured measure; suspects carry `regressed` until `confirm` decides. */
  records: RegressionRecord[];
  suspects: Suspect[];
  /** Why a record is `unchanged` or `no_baseline`, by measure, with the numbers (see unchangedWhy). */
  why: Record<string, string>;
}

function scoreOf(value: number, center: number, b: Bounds, bad: MeasureDef['bad']): number {
  const towardsBad = bad === 'higher' ? value - center : center - value;
  const width = towardsBad >= 0 ? (bad === 'higher' ? b.upper - center : center - b.lower) : (bad === 'higher' ? center - b.lower : b.upper - center);
  if (towardsBad === 0) return 0;
  const raw = width > 0 ? towardsBad / width : Math.sign(towardsBad) * SCORE_CAP;
  return Math.max(-SCORE_CAP, Math.min(SCORE_CAP, raw));
}

/** JSON-safe: ±SCORE_CAP at most, 0 for NaN (a value log space cannot place). */
function capScore(v: number): number {
  return Number.isNaN(v) ? 0 : Math.max(-SCORE_CAP, Math.min(SCORE_CAP, v));
}

/** Past the relative floor (unless the median is 0, where only the absolute floor can speak) and the absolute one. */
export function pastFloors(value: number, center: number, def: MeasureDef, minChange: number): boolean {
  const diff = Math.abs(value - center);
  if (diff <= def.floor) return false;
  return center === 0 || diff / Math.abs(center) > minChange;
}

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/**
 * Why a value is `unchanged`: the absolute floor or the relative one held it back, or it stayed
 * inside the model's band (`bounds`; null when there is none, comparing two runs). Null when the
 * verdict is not `unchanged`.
 */
export function unchangedWhy(def: MeasureDef, value: number, center: number, minChange: number, bounds: Bounds | null): string | null {
  const diff = Math.abs(value - center);
  if (diff <= def.floor) return `below the absolute floor: |change| ${def.format(diff)} ≤ ${def.format(def.floor)}`;
  if (center !== 0 && diff / Math.abs(center) <= minChange) return `below the relative floor: |change| ${pct(diff / Math.abs(center))} ≤ min_change ${pct(minChange)}`;
  if (bounds !== null && value >= bounds.lower && value <= bounds.upper) return `within the noise band ${def.format(bounds.lower)} … ${def.format(bounds.upper)}`;
  return null;
}

/** The pure core: one value against one baseline sample (which must have at least min_runs values). */
export function judgeValue(def: MeasureDef, value: number, sample: readonly number[], model: RegressionModel, minChange: number): { record: RegressionRecord; bounds: Bounds } {
  const center = median(sample);
  const bounds = model.bounds(sample);
  const score = scoreOf(value, center, bounds, def.bad);
  const beyondBad = def.bad === 'higher' ? value > bounds.upper : value < bounds.lower;
  const beyondGood = def.bad === 'higher' ? value < bounds.lower : value > bounds.upper;
  const floors = pastFloors(value, center, def, minChange);
  const verdict = floors && beyondBad ? 'regressed' : floors && beyondGood ? 'improved' : 'unchanged';
  return {
    bounds,
    record: {
      measure: def.name,
      value,
      baseline: { median: center, spread: robustSpread(sample), n: sample.length },
      change: center === 0 ? null : (value - center) / Math.abs(center),
      score,
      verdict,
    },
  };
}


/**
 * Judges every measured measure of a test against its history. A test that did not pass is not
 * judged (its failure is the verdict): the result then has no records.
 */
export function judgeTest(test: TestResult, history: readonly RunResult[], options: JudgeOptions): TestJudgement {
  const settings = options;
  const model = MODELS[settings.model];
  const judgement: TestJudgement = { records: [], suspects: [], why: {} };
  if (test.outcome !== 'passed') return judgement;
  const comparable = comparableTests(history, {
    suite: options.suite, testId: test.id, command: test.command, window_runs: settings.window_runs, excludeRunId: options.runId ?? null,
  });
  for (const def of MEASURES) {
    const value = def.value(test);
    if (value === null) continue;
    const sample = measureValues(comparable, def.name);
    if (sample.length < settings.min_runs || sample.length === 0) {
      judgement.records.push({ measure: def.name, value, baseline: null, change: null, score: null, verdict: 'no_baseline' });
      judgement.why[def.name] = `${sample.length} comparable passed ${sample.length === 1 ? 'run' : 'runs'}, fewer than min_runs ${settings.min_runs}`;
      continue;
    }
    const { record, bounds } = judgeValue(def, value, sample, model, settings.min_change);
    if (settings.model !== 'sequential') {
      judgement.records.push(record);
      const why = record.verdict === 'unchanged' ? unchangedWhy(def, value, record.baseline?.median ?? value, settings.min_change, bounds) : null;
      if (why !== null) judgement.why[def.name] = why;
      if (record.verdict === 'regressed') judgement.suspects.push({ record, def, sample, bounds, model, min_change: settings.min_change });
      continue;
    }
    const seq = sequentialJudge(def, sample, settings.min_change);
    const pressure = test.host_pressure?.under_pressure === true ? test.host_pressure : null;
    const evidence = openSuspect(seq, value, pressure !== null);
    const improved = evidence === null && record.verdict === 'improved' && shiftEvidence(seq, value, -1) >= seq.params.gate;
    const verdict = evidence ? 'regressed' : improved ? 'improved' : 'unchanged';
    const seqRecord: RegressionRecord = { ...record, verdict, score: capScore(shiftEvidence(seq, value, 1) / seq.params.gate) };
    judgement.records.push(seqRecord);
    if (verdict === 'unchanged') {
      const evidenceWords = `its evidence for a shift (${shiftEvidence(seq, value, 1).toFixed(1)}) is under the gate ${seq.params.gate}`;
      judgement.why[def.name] = unchangedWhy(def, value, record.baseline?.median ?? value, settings.min_change, bounds) ?? evidenceWords;
    }
    if (evidence) judgement.suspects.push({ record: seqRecord, def, sample, bounds, model, min_change: settings.min_change, sequential: { judge: seq, evidence, ...(pressure?.reason ? { pressure: pressure.reason } : {}) } });
  }
  return judgement;
}

/**
 * Decides one suspect from the re-runs' values (the measure as each re-run measured it, whatever
 * its outcome: a re-run that timed out did take that long). Regressed when the model confirms it
 * (see RegressionModel.confirms) and the re-runs' median is still past both floors; noise
 * otherwise, also when no re-run measured the value.
 */
export function confirmValues(suspect: Suspect, rerunValues: readonly number[], pressured: readonly boolean[] = []): RegressionRecord {
  if (suspect.sequential) return confirmSequential(suspect, suspect.sequential, rerunValues, pressured);
  const values = [suspect.record.value, ...rerunValues];
  const center = suspect.record.baseline?.median ?? median(suspect.sample);
  const confirmed =
    rerunValues.length > 0 &&
    suspect.model.confirms(suspect.sample, values, suspect.def.bad, suspect.bounds) &&
    pastFloors(median(rerunValues), center, suspect.def, suspect.min_change);
  return { ...suspect.record, verdict: confirmed ? 'regressed' : 'noise', reruns: [...rerunValues] };
}

/** The evidence after the suspect and these re-runs, and whether to re-run again. */
/** `pressured[i]`: re-run i was measured while the host was under pressure (it can then only count against). */
export function evidenceAfter(seq: NonNullable<Suspect['sequential']>, rerunValues: readonly number[], pressured: readonly boolean[] = []): Evidence {
  return rerunValues.reduce((ev, v, i) => addValue(seq.judge, ev, v, pressured[i] === true), seq.evidence);
}

export function stillOpen(suspect: Suspect, reruns: readonly TestResult[]): boolean {
  if (!suspect.sequential) return true;
  const { values, pressured } = rerunReadings(suspect, reruns);
  return sequentialState(suspect.sequential.judge, evidenceAfter(suspect.sequential, values, pressured)) === 'open';
}

function confirmSequential(suspect: Suspect, seq: NonNullable<Suspect['sequential']>, rerunValues: readonly number[], pressured: readonly boolean[]): RegressionRecord {
  const ev = evidenceAfter(seq, rerunValues, pressured);
  const state = sequentialState(seq.judge, ev);
  const base = { ...suspect.record, reruns: [...rerunValues], evidence: Math.round(ev.llr * 1000) / 1000 };
  if (state === 'open') {
    const why = ev.pressured > 0
      ? `${ev.pressured} of ${ev.values.length} value(s) measured with the host under pressure${seq.pressure ? ` (${seq.pressure})` : ''}: they cannot confirm a regression, and the rest did not decide`
      : `the evidence (${ev.llr.toFixed(1)}) stayed between its bounds (${seq.judge.params.lower} and ${seq.judge.params.upper}) after ${rerunValues.length} re-run(s)`;
    return { ...base, verdict: 'inconclusive', reason: why };
  }
  return { ...base, verdict: state };
}

function rerunReadings(suspect: Suspect, reruns: readonly TestResult[]): { values: number[]; pressured: boolean[] } {
  const values: number[] = [];
  const pressured: boolean[] = [];
  for (const r of reruns) {
    const v = suspect.def.value(r);
    if (v === null) continue;
    values.push(v);
    pressured.push(r.host_pressure?.under_pressure === true);
  }
  return { values, pressured };
}

export function confirm(suspect: Suspect, reruns: readonly TestResult[]): RegressionRecord {
  const { values, pressured } = rerunReadings(suspect, reruns);
  return confirmValues(suspect, values, pressured);
}

/** The final records of a judged test: each suspect replaced by its confirmed verdict. */
export function confirmAll(judgement: TestJudgement, reruns: readonly TestResult[]): RegressionRecord[] {
  const decided = new Map(judgement.suspects.map((s) => [s.record.measure, confirm(s, reruns)]));
  return judgement.records.map((r) => decided.get(r.measure) ?? r);
}
