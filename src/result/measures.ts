/**
 * The measure table (DESIGN sections 6 and 10): every figure of a TestResult that is judged
 * against history is declared here once, and everything that handles measures reads this table —
 * the baselines and verdicts (src/analysis/), the report's comparison table, the "last value"
 * gauges and `stressd compare`. Adding a measure is one entry below, plus the code that produces
 * its value in the TestResult (docs/architecture.md, "Adding a measure").
 *
 * An entry's fields:
 * - `name`: the `measure` of a RegressionRecord and the `measure` label of the verdict gauges.
 * - `unit`: the base unit of `value`, as `compare` prints it ("s", "B", "USD", ...).
 * - `bad`: the direction in which a change is a regression.
 * - `floor`: an absolute change smaller than this (in the base unit) is never a verdict.
 * - `value(test)`: the figure, or null when the test did not measure it (then it has no verdict).
 * - `metric`: the gauge of the latest value per test (name and help), or null for none.
 * - `words` and `format(v)`: how the report names the measure and writes one of its values.
 *
 * The names of the regression models live here too: config checks them, analysis implements them.
 */
import { formatBytes, formatDuration, formatSeconds } from './format.ts';
import type { TestResult } from './types.ts';

export const MODEL_NAMES = ['sequential', 'mad', 'iqr', 'percentile', 't', 'mann_whitney'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export type BadDirection = 'higher' | 'lower';

export interface MeasureDef {
  name: string;
  unit: string;
  bad: BadDirection;
  floor: number;
  value(test: TestResult): number | null;
  metric: { name: string; help: string } | null;
  words: string;
  format(v: number): string;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const table: MeasureDef[] = [
  {
    name: 'duration', unit: 's', bad: 'higher', floor: 1, value: (t) => finite(t.duration_seconds),
    metric: { name: 'stressd_test_last_duration_seconds', help: 'Duration of the latest execution of each test.' },
    words: 'duration', format: formatDuration,
  },
  {
    name: 'first_output', unit: 's', bad: 'higher', floor: 0.2, value: (t) => finite(t.stream?.first_output_seconds),
    metric: { name: 'stressd_test_last_first_output_seconds', help: 'Time from execute to the first output line, latest execution.' },
    words: 'first output', format: (v) => formatSeconds(v),
  },
  {
    name: 'first_text', unit: 's', bad: 'higher', floor: 0.2, value: (t) => finite(t.stream?.first_text_seconds),
    metric: { name: 'stressd_test_last_first_text_seconds', help: 'Time from execute to the first assistant text (Claude stream-json), latest execution.' },
    words: 'first text', format: (v) => formatSeconds(v),
  },
  {
    name: 'output_bytes', unit: 'B', bad: 'lower', floor: 16 * 1024, value: (t) => finite(t.output_bytes),
    metric: { name: 'stressd_test_last_output_bytes', help: 'Output size of the latest execution of each test.' },
    words: 'output size', format: formatBytes,
  },
  // Claude writes some tens of tokens per second: 2 tokens/s is below anyone's notice.
  {
    name: 'tokens_per_second', unit: 'tokens/s', bad: 'lower', floor: 2, value: (t) => finite(t.stream?.output_tokens_per_second),
    metric: { name: 'stressd_test_last_output_tokens_per_second', help: 'Output tokens per second from first to last output, latest execution.' },
    words: 'output tokens/s', format: (v) => `${v.toFixed(1)} tokens/s`,
  },
  // Resource peaks are sampled (default every 500 ms), so small differences are sampling luck.
  {
    name: 'peak_memory', unit: 'B', bad: 'higher', floor: 32 * 1024 * 1024,
    value: (t) => (t.resources?.measured ? finite(t.resources.peak_memory_bytes) : null),
    metric: {
      name: 'stressd_test_last_peak_memory_bytes',
      help: 'Peak memory of the test process tree: PSS where /proc/PID/smaps_rollup is readable, else summed RSS (see stressd_test_last_peak_rss_sum_bytes; absent when not measured).',
    },
    words: 'peak memory', format: formatBytes,
  },
  {
    name: 'peak_cpu', unit: 'cores', bad: 'higher', floor: 0.1,
    value: (t) => (t.resources?.measured ? finite(t.resources.peak_cpu_ratio) : null),
    metric: { name: 'stressd_test_last_peak_cpu_ratio', help: 'Peak CPU of the test process tree, 1.0 = one core (absent when not measured).' },
    words: 'peak CPU', format: (v) => `${(v * 100).toFixed(1)}%`,
  },
  // One cent: below that a run's cost is rounding in Claude's own figure.
  {
    name: 'cost', unit: 'USD', bad: 'higher', floor: 0.01, value: (t) => finite(t.claude?.total_cost_usd),
    metric: { name: 'stressd_test_last_cost_usd', help: 'total_cost_usd reported by the system under test, latest execution.' },
    words: 'cost', format: (v) => `$${v.toFixed(4)}`,
  },
  // The highest level of sessions a capacity search held (DESIGN section 14): one session less is a drop.
  {
    name: 'capacity', unit: 'sessions', bad: 'lower', floor: 1, value: (t) => (t.load?.search && t.load.search.over !== 'rate' ? t.load.search.held : null),
    metric: { name: 'stressd_test_capacity_sessions', help: 'Highest number of sessions at once that held the objectives in the latest capacity search.' },
    words: 'capacity', format: (v) => `${v} sessions`,
  },
  // The same over arrivals per second (a search with `over: "rate"`, the open model); a tenth of an arrival per second is noise.
  {
    name: 'capacity_rate', unit: 'arrivals/s', bad: 'lower', floor: 0.1, value: (t) => (t.load?.search?.over === 'rate' ? t.load.search.held : null),
    metric: { name: 'stressd_test_capacity_arrivals_per_second', help: 'Highest arrival rate per second that held the objectives in the latest capacity search over rate (the open model).' },
    words: 'capacity (rate)', format: (v) => `${v}/s`,
  },
];

/** The table, in the order the report and `compare` list measures. */
export const MEASURES: readonly MeasureDef[] = table;

export function measureNames(): string[] {
  return MEASURES.map((m) => m.name);
}

/** The entry of a name; a name no entry has (a run written by a newer stressd) is undefined. */
export function findMeasure(name: string): MeasureDef | undefined {
  return MEASURES.find((m) => m.name === name);
}

export function measureDef(name: string): MeasureDef {
  const def = findMeasure(name);
  if (!def) throw new Error(`unknown measure "${name}" (expected one of ${measureNames().join(', ')})`);
  return def;
}

/**
 * Adds an entry for the time of a test (test/result/measure-table.test.ts proves one entry
 * reaches every reader); returns the removal. Real measures are entries of the table above.
 */
export function addMeasure(def: MeasureDef): () => void {
  if (findMeasure(def.name)) throw new Error(`measure "${def.name}" is already in the table`);
  table.push(def);
  return () => {
    const i = table.indexOf(def);
    if (i >= 0) table.splice(i, 1);
  };
}
