/**
 * The baseline gauges, one per unit: a metric holds one unit (the Prometheus naming rules, and
 * OpenMetrics' `# UNIT`, which must be the name's suffix), so each measure's baseline goes to the
 * metric of its base unit, with `measure` telling the measures of one unit apart.
 */
import type { Gauge } from 'prom-client';
import { MEASURES, findMeasure } from '../result/measures.ts';
import type { TestLabel } from './metric-defs.ts';

export const BASELINE_UNITS = ['seconds', 'bytes', 'ratio', 'usd', 'tokens_per_second', 'sessions', 'arrivals_per_second'] as const;
export type BaselineUnit = (typeof BASELINE_UNITS)[number];

/** The table's unit of each measure (src/result/measures.ts) as the base unit of a metric name. */
const BASE_UNIT_OF: Readonly<Record<string, BaselineUnit>> = {
  s: 'seconds',
  B: 'bytes',
  // 1.0 = one core, as stressd_test_last_peak_cpu_ratio.
  cores: 'ratio',
  USD: 'usd',
  'tokens/s': 'tokens_per_second',
  sessions: 'sessions',
  // capacity_rate: a search over rate.
  'arrivals/s': 'arrivals_per_second',
};

/** The metric unit of a measure; null for a unit with no baseline metric of its own (only the deprecated mixed one has it). */
export function baselineUnit(measure: string): BaselineUnit | null {
  const unit = findMeasure(measure)?.unit;
  return (unit !== undefined ? BASE_UNIT_OF[unit] : undefined) ?? null;
}

export function baselineMetricName(unit: BaselineUnit): string {
  return `stressd_test_baseline_${unit}`;
}

type MakeGauge = (name: string, help: string) => Gauge<TestLabel | 'measure'>;

export function baselineGauges(make: MakeGauge): Record<BaselineUnit, Gauge<TestLabel | 'measure'>> {
  const measuresOf = (unit: BaselineUnit): string => MEASURES.filter((m) => baselineUnit(m.name) === unit).map((m) => m.name).join(', ');
  const entries = BASELINE_UNITS.map((unit) => [
    unit,
    make(baselineMetricName(unit), `The baseline's centre (median of the comparable passed runs) of each test, for the measures in ${unit}: ${measuresOf(unit)}.`),
  ] as const);
  return Object.fromEntries(entries) as Record<BaselineUnit, Gauge<TestLabel | 'measure'>>;
}
