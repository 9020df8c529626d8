/**
 * Sequential, pooled confirmation (DESIGN section 10): a value whose evidence for a shift passes
 * a gate opens a suspect; the suspect value and its re-runs (and, while the verdict is open, the
 * next scheduled run) add their log-likelihood ratios, each capped so that no single outlier
 * decides; `regressed` at the upper bound (with the pooled value past both floors), `noise` at the
 * lower one, open in between. A value measured while the host was under pressure can only count
 * against a regression. The parameters were chosen by bench/regression.bench.ts (docs/analysis.md).
 */
import type { MeasureDef } from '../result/measures.ts';
import { fitMixture, fromSpace, shiftLlr, toSpace, type Mixture } from './mixture.ts';
import { median } from './stats.ts';

export interface SequentialParams {
  /** A value opens a suspect when its evidence is at least this (and it is past both floors). */
  gate: number;
  /** Each value's share of the evidence for a shift is capped at this. */
  cap: number;
  /** … and its share against one at minus this (a fast value may dismiss a suspect sooner). */
  negCap: number;
  /** `regressed` at or above. */
  upper: number;
  /** `noise` at or below. */
  lower: number;
  /** The shift tested for, in within-mode spreads (at least the relative floor). */
  shiftSpreads: number;
  /** Separation, in within-mode spreads, for two clusters of the window to count as two modes. */
  modeSeparation: number;
  /** Smallest share of the window in the smaller mode for two modes (at least 3 values). */
  minModeShare: number;
}

export const SEQUENTIAL_DEFAULTS: Readonly<SequentialParams> = Object.freeze({ gate: 1.5, cap: 3, negCap: 5, upper: 7.5, lower: -2, shiftSpreads: 2, modeSeparation: 3, minModeShare: 0.1 });

export interface SequentialJudge {
  def: Pick<MeasureDef, 'bad' | 'floor'>;
  mixture: Mixture;
  /** Signed towards the bad direction, in judging space. */
  shift: number;
  min_change: number;
  params: SequentialParams;
}

/** The evidence so far about one suspect; JSON-safe, so an open one can be carried to the next run. */
export interface Evidence {
  /** The capped log-likelihood ratio summed over `values`. */
  llr: number;
  /** Every value that added to it, the suspect first. */
  values: number[];
  /** How many of them were measured while the host was under pressure. */
  pressured: number;
}

export type SequentialState = 'regressed' | 'noise' | 'open';

export function sequentialJudge(def: Pick<MeasureDef, 'bad' | 'floor'>, sample: readonly number[], minChange: number, params: SequentialParams = SEQUENTIAL_DEFAULTS): SequentialJudge {
  const mixture = fitMixture(sample, { minSeparation: params.modeSeparation, minModeShare: params.minModeShare });
  const center = mixture.modes[0]!.center;
  const relative = mixture.log ? Math.log(1 + minChange) : Math.max(minChange * Math.abs(center), def.floor);
  const size = Math.max(params.shiftSpreads * mixture.spread, relative);
  return { def, mixture, shift: def.bad === 'higher' ? size : -size, min_change: minChange, params };
}

/** A value's uncapped evidence for a shift in the bad (+1) or the good (−1) direction. */
export function shiftEvidence(j: SequentialJudge, value: number, direction: 1 | -1): number {
  return shiftLlr(j.mixture, value, direction * j.shift);
}

/** One value's capped share of the evidence; under pressure it can only count against. */
export function valueEvidence(j: SequentialJudge, value: number, pressured: boolean): number {
  const raw = shiftLlr(j.mixture, value, j.shift);
  const capped = Math.max(-j.params.negCap, Math.min(j.params.cap, Number.isNaN(raw) ? 0 : raw));
  return pressured ? Math.min(0, capped) : capped;
}

/**
 * The level a value is compared with for the floors: the nearest mode on the good side of it (a
 * value in the upper mode is compared with that mode, not the lower one).
 */
export function referenceLevel(j: SequentialJudge, value: number): number {
  const { mixture: m } = j;
  const y = m.log && value > 0 ? Math.log(value) : value;
  const goodSide = m.modes.filter((mode) => (j.def.bad === 'higher' ? mode.center <= y : mode.center >= y));
  const pool = goodSide.length > 0 ? goodSide : m.modes;
  let best = pool[0]!;
  for (const mode of pool) if (Math.abs(y - mode.center) < Math.abs(y - best.center)) best = mode;
  return fromSpace(m.log, best.center);
}

/** Past the absolute floor and, unless the reference is 0, the relative one, in the bad direction. */
export function pastFloorsBad(j: SequentialJudge, value: number): boolean {
  const ref = referenceLevel(j, value);
  const diff = j.def.bad === 'higher' ? value - ref : ref - value;
  if (diff <= j.def.floor) return false;
  return ref === 0 || diff / Math.abs(ref) > j.min_change;
}

/** Opens a suspect, or null when the value is not one (its evidence under the gate or its change under a floor). */
export function openSuspect(j: SequentialJudge, value: number, pressured: boolean): Evidence | null {
  const raw = shiftLlr(j.mixture, value, j.shift);
  if (!(raw >= j.params.gate) || !pastFloorsBad(j, value)) return null;
  return { llr: valueEvidence(j, value, pressured), values: [value], pressured: pressured ? 1 : 0 };
}

export function addValue(j: SequentialJudge, ev: Evidence, value: number, pressured: boolean): Evidence {
  return { llr: ev.llr + valueEvidence(j, value, pressured), values: [...ev.values, value], pressured: ev.pressured + (pressured ? 1 : 0) };
}

/** The pooled value: the median of the values in judging space, back in the base unit. */
export function pooledValue(j: SequentialJudge, values: readonly number[]): number {
  const { log } = j.mixture;
  const usable = log ? values.filter((v) => v > 0) : values;
  return usable.length === 0 ? Number.NaN : fromSpace(log, median(usable.map((v) => toSpace(log, v))));
}

export function sequentialState(j: SequentialJudge, ev: Evidence): SequentialState {
  if (ev.llr <= j.params.lower) return 'noise';
  if (ev.llr >= j.params.upper) return pastFloorsBad(j, pooledValue(j, ev.values)) ? 'regressed' : 'noise';
  return 'open';
}
