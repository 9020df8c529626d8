/**
 * `stressd compare A [B] [--reports-dir DIR] [--json]` (DESIGN section 4): run A against run B, or
 * against its baseline from history when B is left out, per test and measure. Run ids or `latest`
 * (the newest whole-suite run of any suite, as `latest.json` is: a partial `--only` run is not it). The verdicts are analysis's (src/analysis/comparison.ts), judged
 * with the settings A recorded; this command only finds the runs and prints.
 */
import { History, type HistoryEntry } from '../store/history.ts';
import { compareRuns, compareWithBaseline, findMeasure, latestChanges, type ChangePoint, type MeasureComparison, type RegressionSettings } from '../analysis/index.ts';
import { RegressionSchema } from '../config/schema.ts';
import type { RunResult } from '../result/types.ts';

export interface CompareOptions {
  a: string;
  b?: string;
  reportsDir: string;
  json: boolean;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export type CompareRow = MeasureComparison;

export interface Comparison {
  a: string;
  b: string | null;
  suite: string;
  /** The settings A was judged with (what A recorded; the schema's defaults for a run older than that record). */
  settings: RegressionSettings;
  rows: CompareRow[];
  /** Where each measure of A's tests last shifted over A's history (A and the runs before it), and what changed there. */
  changes: ChangePoint[];
  /** The `--only` names of A and of B when either is a partial run (not counted over runs). */
  partial: { a: string[] | null; b: string[] | null };
  /** Graduation over runs as A recorded it (analysis's one rule: partial and aborted runs left out); null for a run older than that record. */
  over_runs: string | null;
}

async function resolve(history: History, ref: string): Promise<HistoryEntry | null> {
  if (ref === 'latest') return history.list().find((e) => e.run.only === undefined) ?? history.list()[0] ?? null;
  return history.get(ref);
}

function settingsOf(run: RunResult): RegressionSettings {
  return run.regression_settings ?? RegressionSchema.parse({});
}

export async function compare(options: Pick<CompareOptions, 'a' | 'b' | 'reportsDir'>, warn: (p: string, why: string) => void = () => undefined): Promise<Comparison> {
  const history = new History({ reportsDir: options.reportsDir, limit: 100_000, warn });
  await history.load();
  const a = await resolve(history, options.a);
  if (!a) throw new CompareError(`run "${options.a}" not found in ${options.reportsDir} (expected a run id such as 20261124T101500Z-3f9a, or "latest")`);
  const settings = settingsOf(a.run);
  const upToA = history.runs().filter((r) => r.id === a.run.id || (r.suite === a.run.suite && r.started_at <= a.run.started_at));
  const changes = latestChanges(upToA, a.run.suite, { minChange: settings.min_change });
  const over_runs = a.run.success_ratio?.text ?? null;
  if (options.b === undefined) {
    return { a: a.run.id, b: null, suite: a.run.suite, settings, rows: compareWithBaseline(a.run, history.runs(), settings), changes, partial: { a: a.run.only ?? null, b: null }, over_runs };
  }
  const b = await resolve(history, options.b);
  if (!b) throw new CompareError(`run "${options.b}" not found in ${options.reportsDir} (expected a run id, or "latest")`);
  return { a: a.run.id, b: b.run.id, suite: a.run.suite, settings, rows: compareRuns(a.run, b.run, settings.min_change), changes, partial: { a: a.run.only ?? null, b: b.run.only ?? null }, over_runs };
}

export class CompareError extends Error {}

function num(v: number | null): string {
  if (v === null) return '–';
  const abs = Math.abs(v);
  return abs >= 1000 ? Math.round(v).toLocaleString('en-US') : abs >= 10 ? v.toFixed(1) : abs >= 0.01 || v === 0 ? v.toFixed(3) : v.toPrecision(2);
}

/** A benchstat-style table: one line per test and measure, A's value before B's, and why a verdict is `unchanged`. */
export function formatComparison(c: Comparison): string {
  const head = c.b === null ? ['test', 'measure', 'baseline median ± spread (n)', 'value', 'change', 'score', 'verdict', 'why'] : ['test', 'measure', c.a, c.b, 'change', 'verdict', 'why'];
  const lines = c.rows.map((r) => {
    const unit = findMeasure(r.measure)?.unit ?? '';
    const change = r.change === null ? '–' : `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%`;
    const base = r.baseline === null ? 'no baseline yet' : `${num(r.baseline.median)} ± ${num(r.baseline.spread)} (${r.baseline.n})`;
    return c.b === null
      ? [r.test, `${r.measure} [${unit}]`, base, num(r.value), change, r.score === null ? '–' : r.score.toFixed(2), r.verdict, r.why ?? '']
      : [r.test, `${r.measure} [${unit}]`, num(r.value), num(r.other), change, r.verdict, r.why ?? ''];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const numeric = (i: number): boolean => i >= 2 && i < head.length - 2;
  const fmt = (cells: string[]): string => cells.map((cell, i) => (numeric(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const s = c.settings;
  const judged = `judged with model ${s.model}, min_change ${(s.min_change * 100).toFixed(1)}%${c.b === null ? `, window_runs ${s.window_runs}, min_runs ${s.min_runs}` : ''}`;
  const title = c.b === null ? `${c.suite}: run ${c.a} against its baseline (${judged})` : `${c.suite}: run ${c.a} against run ${c.b} (change of ${c.a} from ${c.b}; ${judged})`;
  const changes = c.changes.length === 0 ? [] : ['', `Change points over ${c.a}'s history:`, ...c.changes.map((p) => `  ${p.test}: ${p.text}`)];
  const partial = (['a', 'b'] as const).flatMap((k) => {
    const only = c.partial[k];
    return only === null ? [] : [`${c[k] ?? ''} is a partial run (--only ${only.join(',')}): not counted over runs`];
  });
  const overRuns = c.over_runs === null ? [] : [`Over runs, as ${c.a} recorded it: ${c.over_runs}`];
  return [title, ...partial, ...overRuns, '', fmt(head), ...lines.map(fmt), ...(lines.length === 0 ? ['(no measure to compare)'] : []), ...changes].join('\n') + '\n';
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
