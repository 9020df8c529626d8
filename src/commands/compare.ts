/**
 * `stressd compare A [B] [--reports-dir DIR] [--json]` (DESIGN section 4): run A against run B, or
 * against its baseline from history when B is left out, per test and measure. Run ids or `latest`
 * (the newest run of any suite). With B, each value has only one value to compare with, so the
 * verdict rests on the floors alone and there is no score; against the baseline it is the full
 * regression verdict (without confirmation: compare runs nothing).
 */
import { History, type HistoryEntry } from '../store/history.ts';
import { judgeTest, MEASURES, pastFloors, type MeasureDef, type RegressionSettings } from '../analysis/index.ts';
import { RegressionSchema } from '../config/schema.ts';
import type { RegressionRecord, RunResult } from '../result/types.ts';

export interface CompareOptions {
  a: string;
  b?: string;
  reportsDir: string;
  json: boolean;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export interface CompareRow extends RegressionRecord {
  test: string;
  /** B's value when comparing two runs; null against the baseline. */
  other: number | null;
}

export interface Comparison {
  a: string;
  b: string | null;
  suite: string;
  rows: CompareRow[];
}

async function resolve(history: History, ref: string): Promise<HistoryEntry | null> {
  if (ref === 'latest') return history.list()[0] ?? null;
  return history.get(ref);
}

/** What the run was judged with; a run written before that was recorded gets the schema's defaults. */
function settingsOf(run: RunResult): RegressionSettings {
  return run.regression_settings ?? RegressionSchema.parse({});
}

function againstRun(a: RunResult, b: RunResult): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const t of a.tests) {
    const other = b.tests.find((x) => x.id === t.id);
    if (!other) continue;
    for (const def of MEASURES) {
      const value = def.value(t);
      const before = def.value(other);
      if (value === null || before === null) continue;
      rows.push({ test: t.id, other: before, ...pairRecord(def, value, before, settingsOf(a).min_change) });
    }
  }
  return rows;
}

function pairRecord(def: MeasureDef, value: number, before: number, minChange: number): RegressionRecord {
  const worse = def.bad === 'higher' ? value > before : value < before;
  const moved = pastFloors(value, before, def, minChange);
  return {
    measure: def.name,
    value,
    baseline: { median: before, spread: 0, n: 1 },
    change: before === 0 ? null : (value - before) / Math.abs(before),
    score: null,
    verdict: !moved ? 'unchanged' : worse ? 'regressed' : 'improved',
  };
}

function againstBaseline(a: RunResult, history: readonly RunResult[]): CompareRow[] {
  return a.tests.flatMap((t) =>
    judgeTest(t, history, { suite: a.suite, runId: a.id, ...settingsOf(a) }).records.map((r) => ({ test: t.id, other: null, ...r })),
  );
}

export async function compare(options: Pick<CompareOptions, 'a' | 'b' | 'reportsDir'>, warn: (p: string, why: string) => void = () => undefined): Promise<Comparison> {
  const history = new History({ reportsDir: options.reportsDir, limit: 100_000, warn });
  await history.load();
  const a = await resolve(history, options.a);
  if (!a) throw new CompareError(`run "${options.a}" not found in ${options.reportsDir} (expected a run id such as 20261124T101500Z-3f9a, or "latest")`);
  if (options.b === undefined) return { a: a.run.id, b: null, suite: a.run.suite, rows: againstBaseline(a.run, history.runs()) };
  const b = await resolve(history, options.b);
  if (!b) throw new CompareError(`run "${options.b}" not found in ${options.reportsDir} (expected a run id, or "latest")`);
  return { a: a.run.id, b: b.run.id, suite: a.run.suite, rows: againstRun(a.run, b.run) };
}

export class CompareError extends Error {}

const UNITS = new Map(MEASURES.map((m) => [m.name, m.unit]));

function num(v: number | null): string {
  if (v === null) return '–';
  const abs = Math.abs(v);
  return abs >= 1000 ? Math.round(v).toLocaleString('en-US') : abs >= 10 ? v.toFixed(1) : abs >= 0.01 || v === 0 ? v.toFixed(3) : v.toPrecision(2);
}

/** A benchstat-style table: one line per test and measure. */
export function formatComparison(c: Comparison): string {
  const head = c.b === null ? ['test', 'measure', 'baseline median ± spread (n)', 'value', 'change', 'score', 'verdict'] : ['test', 'measure', c.b, c.a, 'change', 'verdict'];
  const lines = c.rows.map((r) => {
    const unit = UNITS.get(r.measure) ?? '';
    const change = r.change === null ? '–' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
    const base = r.baseline === null ? 'no baseline yet' : `${num(r.baseline.median)} ± ${num(r.baseline.spread)} (${r.baseline.n})`;
    return c.b === null
      ? [r.test, `${r.measure} [${unit}]`, base, num(r.value), change, r.score === null ? '–' : r.score.toFixed(2), r.verdict]
      : [r.test, `${r.measure} [${unit}]`, num(r.other), num(r.value), change, r.verdict];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]): string => cells.map((cell, i) => (i >= 2 && i < cells.length - 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const title = c.b === null ? `${c.suite}: run ${c.a} against its baseline` : `${c.suite}: run ${c.a} against run ${c.b}`;
  return [title, '', fmt(head), ...lines.map(fmt), ...(lines.length === 0 ? ['(no measure to compare)'] : [])].join('\n') + '\n';
}

/** The command: exit 0, or 2 on a run that cannot be found. */
export async function compareCommand(options: CompareOptions): Promise<number> {
  const out = options.out ?? ((s: string) => process.stdout.write(s));
  const err = options.err ?? ((s: string) => process.stderr.write(s));
  try {
    const c = await compare(options, (path, why) => err(`stressd compare: skipped ${path}: ${why}\n`));
    out(options.json ? `${JSON.stringify(c, null, 2)}\n` : formatComparison(c));
    return 0;
  } catch (e) {
    if (!(e instanceof CompareError)) throw e;
    err(`stressd compare: ${e.message}\n`);
    return 2;
  }
}
