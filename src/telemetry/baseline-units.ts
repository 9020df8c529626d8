/**
 * The baseline gauges, one per unit: a metric holds one unit (the Prometheus naming rules, and
 * OpenMetrics' `# UNIT`, which must be the name's suffix), so each measure's baseline goes to the
 * metric of its base unit, with `measure` telling the measures of one unit apart.
 */
import type { Gauge } from 'prom-client';
import type { MeasureName } from '../result/types.ts';
import type { TestLabel } from './metric-defs.ts';

export const BASELINE_UNITS = ['seconds', 'bytes', 'ratio', 'usd', 'tokens_per_second'] as const;
export type BaselineUnit = (typeof BASELINE_UNITS)[number];

/** Every measure has one, so a new measure does not compile until it says its unit. */
const UNIT_OF: Record<MeasureName, BaselineUnit> = {
  duration: 'seconds',
  first_output: 'seconds',
  first_text: 'seconds',
  output_bytes: 'bytes',
  tokens_per_second: 'tokens_per_second',
  peak_memory: 'bytes',
  // 1.0 = one core, as stressd_test_last_peak_cpu_ratio.
  peak_cpu: 'ratio',
  cost: 'usd',
};

export function baselineUnit(measure: MeasureName): BaselineUnit {
  return UNIT_OF[measure];
}

export function baselineMetricName(unit: BaselineUnit): string {
  return `stressd_test_baseline_${unit}`;
}

type MakeGauge = (name: string, help: string) => Gauge<TestLabel | 'measure'>;

export function baselineGauges(make: MakeGauge): Record<BaselineUnit, Gauge<TestLabel | 'measure'>> {
  const measuresOf = (unit: BaselineUnit): string => Object.entries(UNIT_OF).filter(([, u]) => u === unit).map(([m]) => m).join(', ');
  const entries = BASELINE_UNITS.map((unit) => [
    unit,
    make(baselineMetricName(unit), `The baseline's centre (median of the comparable passed runs) of each test, for the measures in ${unit}: ${measuresOf(unit)}.`),
  ] as const);
  return Object.fromEntries(entries) as Record<BaselineUnit, Gauge<TestLabel | 'measure'>>;
}
