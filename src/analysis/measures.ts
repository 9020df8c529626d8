/**
 * The measures judged against history (DESIGN sections 6 and 10): where each value comes from in a
 * TestResult, which direction is bad, and the absolute floor a change must pass to count at all.
 */
import type { MeasureName, TestResult } from '../result/types.ts';

export type BadDirection = 'higher' | 'lower';

export interface MeasureDef {
  name: MeasureName;
  /** The direction in which a change is a regression. */
  bad: BadDirection;
  /** A change smaller than this (in the base unit) is never a verdict, however unusual. */
  floor: number;
  unit: string;
  /** The value in the base unit; null when the run did not measure it (then there is no verdict). */
  value(test: TestResult): number | null;
}

function finite(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export const MEASURES: readonly MeasureDef[] = [
  { name: 'duration', bad: 'higher', floor: 1, unit: 's', value: (t) => finite(t.duration_seconds) },
  { name: 'first_output', bad: 'higher', floor: 0.2, unit: 's', value: (t) => finite(t.stream?.first_output_seconds) },
  { name: 'first_text', bad: 'higher', floor: 0.2, unit: 's', value: (t) => finite(t.stream?.first_text_seconds) },
  { name: 'output_bytes', bad: 'lower', floor: 16 * 1024, unit: 'B', value: (t) => finite(t.output_bytes) },
  // Claude writes some tens of tokens per second: 2 tokens/s is below anyone's notice.
  { name: 'tokens_per_second', bad: 'lower', floor: 2, unit: 'tokens/s', value: (t) => finite(t.stream?.output_tokens_per_second) },
  // Resource peaks are sampled (default every 500 ms), so small differences are sampling luck.
  { name: 'peak_memory', bad: 'higher', floor: 32 * 1024 * 1024, unit: 'B', value: (t) => (t.resources?.measured ? finite(t.resources.peak_memory_bytes) : null) },
  { name: 'peak_cpu', bad: 'higher', floor: 0.1, unit: 'cores', value: (t) => (t.resources?.measured ? finite(t.resources.peak_cpu_ratio) : null) },
  // One cent: below that a run's cost is rounding in Claude's own figure.
  { name: 'cost', bad: 'higher', floor: 0.01, unit: 'USD', value: (t) => finite(t.claude?.total_cost_usd) },
];

export const MEASURE_NAMES: readonly MeasureName[] = MEASURES.map((m) => m.name);

export function measureDef(name: MeasureName): MeasureDef {
  const def = MEASURES.find((m) => m.name === name);
  if (!def) throw new Error(`unknown measure "${name}" (expected one of ${MEASURE_NAMES.join(', ')})`);
  return def;
}
