/**
 * A capacity search's step figures as gauges (DESIGN section 14): for each level the latest search
 * of a test tried (sessions, or over rate arrivals per second), its first output p95, error ratio and whether it held, labelled
 * `level`. A new search replaces the levels of the one before (bisection tries other levels each
 * run), so a test never has more series than its search has steps (`max_steps`, at most 100).
 */
import type { TestResult } from '../result/types.ts';
import { levelNumber, stepLevel } from '../result/search-level.ts';
import type { MetricSet, TestLabel, TestLabels } from './metric-defs.ts';

type StepLabels = Partial<Record<TestLabel | 'level', string>>;

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

type Key = string;
/** The step series currently set per test, so the next search removes the ones it did not try. */
const stepSeries = new WeakMap<MetricSet, Map<Key, StepLabels[]>>();

function keyOf(labels: TestLabels): Key {
  return JSON.stringify([labels.suite, labels.test, labels.category ?? null]);
}

export function applyCapacityGauges(m: MetricSet, labels: TestLabels, test: TestResult): void {
  let byTest = stepSeries.get(m);
  if (!byTest) stepSeries.set(m, (byTest = new Map()));
  const key = keyOf(labels);
  for (const old of byTest.get(key) ?? []) {
    m.capacityStepFirstOutputP95.remove(old);
    m.capacityStepErrorRatio.remove(old);
    m.capacityStepHeld.remove(old);
  }
  byTest.delete(key);
  const search = test.load?.search;
  const steps = search?.steps ?? [];
  if (!search || steps.length === 0) return;
  const set: StepLabels[] = [];
  for (const step of steps) {
    // Over rate the level is the step's arrival rate: its `sessions` (the most in flight) can repeat between steps.
    const series: StepLabels = { ...labels, level: levelNumber(stepLevel(search, step)) };
    // A level tried twice (a search never does, but a hand-written result may): the later wins.
    const p95 = finite(step.first_output_seconds.p95);
    if (p95 === null) m.capacityStepFirstOutputP95.remove(series);
    else m.capacityStepFirstOutputP95.set(series, p95);
    m.capacityStepErrorRatio.set(series, finite(step.error_ratio) ?? 1);
    m.capacityStepHeld.set(series, step.held ? 1 : 0);
    set.push(series);
  }
  byTest.set(key, set);
}

/** Open model: arrivals that found `max_in_flight` sessions in flight, counted as the test ends. */
export function countDropped(m: MetricSet, labels: TestLabels, test: TestResult): void {
  if (test.load?.mode !== 'rate') return;
  const dropped = finite(test.load.dropped) ?? 0;
  if (dropped >= 0) m.loadDropped.inc(labels, dropped);
}
