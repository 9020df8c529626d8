/**
 * Regression verdicts, simulated: which model of "the usual range" catches a step change soon
 * without paging on noise? Each test's history is log-normal noise around a level (CV 5/10/20 %)
 * with occasional upward outliers (2 % of runs, ×1.3–2.0) and a slow random-walk drift of the
 * level (0.3 % per run). Every candidate model judges every run against the previous 20 (the
 * default window) through the same judgeValue() the daemon uses, with the default floors
 * (min_change 0.1, duration's 1 s at a level of 100 s), and confirms a suspect with 0, 1 or 3
 * re-runs drawn at the same level. Printed per model, noise and confirmation:
 *   FA/1000  false alarms per 1,000 test-runs of histories without a change
 *   +s% @1 / @2  share of histories whose step of +s % is regressed at its first run / within two
 * Seeded (BENCH_SEED, default 14), so a run repeats exactly. BENCH_SERIES scales the sample.
 */
import { prng } from '../src/simulator/text.ts';
import { confirmValues, judgeValue, measureDef, type RegressionModel } from '../src/analysis/index.ts';
import { iqrModel, madModel, mannWhitneyModel, percentileModel, tModel } from '../src/analysis/models.ts';

const SEED = Number(process.env.BENCH_SEED ?? 14);
const SERIES = Number(process.env.BENCH_SERIES ?? 2000);
const WINDOW = 20;
const NULL_RUNS = 50;
const LEVEL = 100;
const MIN_CHANGE = 0.1;
const CVS = [0.05, 0.1, 0.2];
const STEPS = [0.1, 0.2, 0.5];
const CONFIRMS = [0, 1, 3];
const def = measureDef('duration');

const variants: RegressionModel[] = [
  madModel(1.5), madModel(2), madModel(2.5), madModel(3), iqrModel(1), iqrModel(1.5), percentileModel(0.05), tModel(0.05), tModel(0.01), mannWhitneyModel(0.05), mannWhitneyModel(0.01),
];


class Sim {
  private spare: number | null = null;
  constructor(private readonly rand: () => number, private readonly sigma: number) {}
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.rand();
    const v = this.rand();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** One observed value at `level`: log-normal noise with mean 1, now and then an outlier. */
  draw(level: number): number {
    const noise = Math.exp(this.sigma * this.normal() - (this.sigma * this.sigma) / 2);
    const outlier = this.rand() < 0.02 ? 1.3 + 0.7 * this.rand() : 1;
    return level * noise * outlier;
  }
  /** A history's levels: a slow random walk. */
  levels(n: number): number[] {
    const out: number[] = [];
    let log = Math.log(LEVEL);
    for (let i = 0; i < n; i++) {
      out.push(Math.exp(log));
      log += 0.003 * this.normal();
    }
    return out;
  }
}

/** Judges one value; returns, per confirmation count, whether it ended `regressed`. */
function judged(sim: Sim, model: RegressionModel, window: readonly number[], value: number, level: number): boolean[] {
  const { record, bounds } = judgeValue(def, value, window, model, MIN_CHANGE);
  if (record.verdict !== 'regressed') return CONFIRMS.map(() => false);
  const reruns = Array.from({ length: Math.max(...CONFIRMS) }, () => sim.draw(level));
  return CONFIRMS.map((c) => c === 0 || confirmValues({ record, def, sample: window, bounds, model, min_change: MIN_CHANGE }, reruns.slice(0, c)).verdict === 'regressed');
}

interface Cell { alarms: number[]; runs: number; caught1: number[][]; caught2: number[][]; series: number }

function measure(model: RegressionModel, cv: number, seed: number): Cell {
  const sim = new Sim(prng(seed), Math.sqrt(Math.log(1 + cv * cv)));
  const cell: Cell = { alarms: CONFIRMS.map(() => 0), runs: 0, caught1: STEPS.map(() => CONFIRMS.map(() => 0)), caught2: STEPS.map(() => CONFIRMS.map(() => 0)), series: SERIES };
  for (let s = 0; s < SERIES; s++) {
    const levels = sim.levels(WINDOW + NULL_RUNS);
    const values = levels.map((l) => sim.draw(l));
    for (let i = WINDOW; i < values.length; i++) {
      judged(sim, model, values.slice(i - WINDOW, i), values[i]!, levels[i]!).forEach((hit, c) => (cell.alarms[c]! += hit ? 1 : 0));
      cell.runs++;
    }
    STEPS.forEach((step, si) => {
      const lv = sim.levels(WINDOW + 2).map((l, i) => (i >= WINDOW ? l * (1 + step) : l));
      const xs = lv.map((l) => sim.draw(l));
      const first = judged(sim, model, xs.slice(0, WINDOW), xs[WINDOW]!, lv[WINDOW]!);
      const second = judged(sim, model, xs.slice(1, WINDOW + 1), xs[WINDOW + 1]!, lv[WINDOW + 1]!);
      CONFIRMS.forEach((_, c) => {
        if (first[c]) cell.caught1[si]![c]!++;
        if (first[c] || second[c]) cell.caught2[si]![c]!++;
      });
    });
  }
  return cell;
}

const pct = (n: number, d: number): string => `${((100 * n) / d).toFixed(1)}`;
const started = performance.now();
const header = ['model', 'CV', 'reruns', 'FA/1000', ...STEPS.flatMap((s) => [`+${s * 100}% @1`, `+${s * 100}% @2`])];
console.log(`seed ${SEED}, ${SERIES} histories per cell (${SERIES * NULL_RUNS} null test-runs), window ${WINDOW}, min_change ${MIN_CHANGE}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
const goals: string[] = [];
for (const model of variants) {
  for (const cv of CVS) {
    const cell = measure(model, cv, SEED + Math.round(cv * 1000));
    CONFIRMS.forEach((c, ci) => {
      const fa = ((1000 * cell.alarms[ci]!) / cell.runs).toFixed(2);
      const det = STEPS.flatMap((_, si) => [pct(cell.caught1[si]![ci]!, cell.series), pct(cell.caught2[si]![ci]!, cell.series)]);
      console.log(`| ${model.label} | ${cv * 100}% | ${c} | ${fa} | ${det.join(' | ')} |`);
      if (cv === 0.1 && c > 0) {
        const d2 = (100 * cell.caught2[1]![ci]!) / cell.series;
        const faN = (1000 * cell.alarms[ci]!) / cell.runs;
        goals.push(`${model.label}, ${c} rerun(s): +20% @2 ${d2.toFixed(1)}% (goal ≥ 95) · FA ${faN.toFixed(2)}/1000 (goal ≤ 1) ${d2 >= 95 && faN <= 1 ? 'MEETS' : 'misses'}`);
      }
    });
  }
}
console.log('\nGoal at CV 10 % (+20 % step within 2 runs ≥ 95 %, ≤ 1 false alarm per 1,000 test-runs, with confirmation):');
for (const g of goals) console.log(`  ${g}`);
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
