/**
 * Where a test's measures shifted over its history and what changed with them (issue 21, point 5).
 * The series of a measure is the test's passed executions over the suite's finished runs, oldest
 * first (the first TestResult of the test in each run: re-runs do not weigh twice); its change
 * points come from changepoint.ts. A point is reported when the level moved by at least the
 * suite's `min_change` and the measure's absolute floor, so that a significant but tiny shift is
 * not news. Each point is attributed: every recorded version (src/result/versions.ts) that differs
 * between consecutive executions at the point or one execution either side of it is named.
 */
import { MEASURES, type MeasureDef } from '../result/measures.ts';
import type { RunResult } from '../result/types.ts';
import { recordedVersions, VERSION_WORDS, type RecordedVersions } from '../result/versions.ts';
import { changePoints, CHANGEPOINT_DEFAULTS, type ChangePointParams } from './changepoint.ts';
import { median } from './stats.ts';

export interface VersionChange {
  field: keyof RecordedVersions;
  /** "Claude model", "executor version", ... */
  words: string;
  from: string | null;
  to: string | null;
  /** The run whose execution first had `to`. */
  run_id: string;
  /** Executions from the change point to where the version changed: −1, 0 or +1. */
  offset: number;
}

export interface ChangePoint {
  test: string;
  measure: string;
  /** Index in the test's series of passed executions (oldest first): the first of the new level. */
  index: number;
  /** The run of that execution and when it started. */
  run_id: string;
  at: string;
  /** Medians of the segments before and after the point. */
  before: number;
  after: number;
  /** after / before − 1. */
  change: number;
  p: number;
  /** Executions in the series. */
  n: number;
  versions: VersionChange[];
  /** "duration +25 % since run X at T; Claude model changed there from A to B". */
  text: string;
}

export interface ChangeOptions extends Partial<ChangePointParams> {
  /** Relative floor (the suite's `regression.min_change`). */
  minChange: number;
  /** Most recent executions searched per measure (default 100: the search is O(n²) per shuffle). */
  maxRuns?: number;
}

export const CHANGE_MAX_RUNS = 100;

interface Point {
  run: RunResult;
  value: number;
  versions: RecordedVersions;
}

function oldestFirst(a: RunResult, b: RunResult): number {
  const ta = Date.parse(a.started_at);
  const tb = Date.parse(b.started_at);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function seriesOf(runs: readonly RunResult[], suite: string, testId: string, def: MeasureDef): Point[] {
  const out: Point[] = [];
  for (const run of runs) {
    if (run.suite !== suite || run.status === 'running') continue;
    const test = run.tests.find((t) => t.id === testId);
    if (!test || test.outcome !== 'passed') continue;
    const value = def.value(test);
    if (value !== null) out.push({ run, value, versions: recordedVersions(run, test) });
  }
  return out;
}

const FIELDS = Object.keys(VERSION_WORDS) as (keyof RecordedVersions)[];

/** Versions that changed between consecutive executions at index−1 … index+1 of the series. */
function versionChanges(series: readonly Point[], index: number): VersionChange[] {
  const out: VersionChange[] = [];
  for (const offset of [0, -1, 1]) {
    const i = index + offset;
    const prev = series[i - 1];
    const cur = series[i];
    if (!prev || !cur) continue;
    for (const field of FIELDS) {
      if (prev.versions[field] === cur.versions[field] || out.some((c) => c.field === field)) continue;
      out.push({ field, words: VERSION_WORDS[field], from: prev.versions[field], to: cur.versions[field], run_id: cur.run.id, offset });
    }
  }
  return out;
}

function pct(change: number): string {
  const v = change * 100;
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(Math.abs(v) < 10 ? 1 : 0)} %`;
}

function where(offset: number, runId: string): string {
  if (offset === 0) return 'there';
  return offset < 0 ? `one run earlier (run ${runId})` : `one run later (run ${runId})`;
}

/** A recorded version as the text shows it: what a stream printed, so no control character and at most 80 characters. */
function shown(v: string | null): string {
  if (v === null) return 'none';
  // eslint-disable-next-line no-control-regex
  const clean = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

function changeText(measure: MeasureDef, p: Pick<ChangePoint, 'change' | 'run_id' | 'at' | 'versions'>): string {
  const head = `${measure.words} ${pct(p.change)} since run ${p.run_id} at ${p.at}`;
  if (p.versions.length === 0) return `${head}; no recorded version changed there`;
  const what = p.versions.map((v) => `${v.words} changed ${where(v.offset, v.run_id)} from ${shown(v.from)} to ${shown(v.to)}`);
  return `${head}; ${what.join(', ')}`;
}

/** Every reported change point of one test, per measure in the table's order, oldest first. */
export function testChanges(runs: readonly RunResult[], suite: string, testId: string, options: ChangeOptions): ChangePoint[] {
  const ordered = [...runs].sort(oldestFirst);
  const out: ChangePoint[] = [];
  for (const def of MEASURES) {
    const series = seriesOf(ordered, suite, testId, def).slice(-(options.maxRuns ?? CHANGE_MAX_RUNS));
    const values = series.map((s) => s.value);
    const splits = changePoints(values, options);
    const bounds = [0, ...splits.map((s) => s.index), values.length];
    splits.forEach((split, i) => {
      const before = median(values.slice(bounds[i], bounds[i + 1]));
      const after = median(values.slice(bounds[i + 1], bounds[i + 2]));
      const change = before === 0 ? (after === 0 ? 0 : Infinity) : after / before - 1;
      if (!Number.isFinite(change) || Math.abs(change) < options.minChange || Math.abs(after - before) < def.floor) return;
      const point = series[split.index]!;
      const versions = versionChanges(series, split.index);
      const base = { change, run_id: point.run.id, at: point.run.started_at, versions };
      out.push({ test: testId, measure: def.name, index: split.index, before, after, p: split.p, n: values.length, ...base, text: changeText(def, base) });
    });
  }
  return out;
}

/**
 * The latest reported change point of each measure of each test of the suite's newest run (the
 * level a test is at now and where it began), newest run's test order.
 */
export function latestChanges(runs: readonly RunResult[], suite: string, options: ChangeOptions): ChangePoint[] {
  const newest = [...runs].filter((r) => r.suite === suite && r.status !== 'running').sort(oldestFirst).at(-1);
  if (!newest) return [];
  const out: ChangePoint[] = [];
  for (const test of newest.tests) {
    const points = testChanges(runs, suite, test.id, options);
    const latest = new Map<string, ChangePoint>();
    for (const p of points) latest.set(p.measure, p);
    out.push(...latest.values());
  }
  return out;
}

export { CHANGEPOINT_DEFAULTS };
