/**
 * Regression verdicts, simulated, against the statistical limit. Each test's history is noise
 * around a level with a slow random-walk drift (0.3 % per run); families of noise:
 *   lognormal   log-normal at CV 5/10/20 %, 2 % of runs slowed ×1.3–2.0 (the base of every family)
 *   two-mode    90/10 and 80/20: the second mode ×1.5 (a prompt that sometimes takes a tool call)
 *   busy host   3 % of runs slowed ×1.3–1.8 with the host under pressure, each re-run of such a run
 *               slowed (and under pressure) half the time; the daemon sees the pressure reading
 *   ×3 5 %      5 % of runs slowed ×3
 *   t 3 df      Student's t noise with 3 degrees of freedom (same σ)
 *   drift       the level's random walk at 1 % per run
 * Procedures: `legacy` (median ± 3·MAD, one re-run judged alone), the sequential confirmation
 * (src/analysis/sequential.ts, window 50) with its previous defaults, and with today's defaults
 * (SEQUENTIAL_DEFAULTS, BENCH_PARAMS applied).
 * Printed per family, CV and procedure:
 *   FA/1000      false alarms per 1,000 test-runs of histories without a change
 *   +s% @1 / @2  share of histories whose step of +s % is regressed at its first run / within two
 *   rr/run       re-runs per normal (no-change) run; rr/susp re-runs per suspect that re-ran
 *   n̄            values used within two runs for +20 % (the runs and their re-runs)
 *   limit        the Gaussian limit for +20 % @2: a one-sided z test at α = 1/1,000 with n̄
 *                values and a known baseline; ratio = measured / limit
 * Seeded (BENCH_SEED, default 14), so a run repeats exactly. BENCH_SERIES scales the sample
 * (default 1,000; BENCH_QUICK=1: 200, for iterating — its rates are ±50 % at 1/1,000);
 * BENCH_PARAMS (JSON) overrides the sequential parameters for tuning; BENCH_FAMILIES (e.g.
 * `lognormal@10,busy host@10`) and BENCH_PROCEDURES (indices, e.g. `1,2`) pick cells.
 */
import { prng } from '../src/simulator/text.ts';
import { confirmValues, judgeValue, measureDef } from '../src/analysis/index.ts';
import { madModel } from '../src/analysis/models.ts';
import { addValue, openSuspect, sequentialJudge, sequentialState, SEQUENTIAL_DEFAULTS, type Evidence, type SequentialParams } from '../src/analysis/sequential.ts';
import { normalQuantile, normalUpper } from '../src/analysis/stats.ts';

const SEED = Number(process.env.BENCH_SEED ?? 14);
const QUICK = process.env.BENCH_QUICK === '1';
const SERIES = Number(process.env.BENCH_SERIES ?? (QUICK ? 200 : 1000));
const HISTORY = 50;
const NULL_RUNS = 50;
const MIN_CHANGE = 0.1;
const MAX_RERUNS = 3;
const STEPS = [0.2, 0.3, 0.5];
const PARAMS: SequentialParams = { ...SEQUENTIAL_DEFAULTS, ...(JSON.parse(process.env.BENCH_PARAMS ?? '{}') as Partial<SequentialParams>) };
const def = measureDef('duration');
const legacyModel = madModel(3);

interface Family { name: string; cv: number; second?: { share: number; factor: number }; busy?: boolean; heavy?: boolean; t3?: boolean; drift?: number }
const FAMILIES: Family[] = [
  { name: 'lognormal', cv: 0.05 }, { name: 'lognormal', cv: 0.1 }, { name: 'lognormal', cv: 0.2 },
  { name: 'two-mode 90/10', cv: 0.1, second: { share: 0.1, factor: 1.5 } },
  { name: 'two-mode 80/20', cv: 0.1, second: { share: 0.2, factor: 1.5 } },
  { name: 'busy host', cv: 0.1, busy: true },
  { name: '×3 5 %', cv: 0.1, heavy: true },
  { name: 't 3 df', cv: 0.1, t3: true },
  { name: 'drift 1 %', cv: 0.1, drift: 0.01 },
];

interface Value { v: number; pressured: boolean }

class Sim {
  private spare: number | null = null;
  readonly sigma: number;
  constructor(private readonly rand: () => number, readonly f: Family) {
    this.sigma = Math.sqrt(Math.log(1 + f.cv * f.cv));
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.rand()));
    const a = 2 * Math.PI * this.rand();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }
  private t3(): number {
    // t = Z / sqrt(χ²₃ / 3), scaled to unit variance (Var t₃ = 3).
    const chi = this.normal() ** 2 + this.normal() ** 2 + this.normal() ** 2;
    return this.normal() / Math.sqrt(chi / 3) / Math.sqrt(3);
  }
  /** One value at `level`; `busy` says whether the host is busy during it. */
  draw(level: number, busy = false): Value {
    const { f, sigma } = this;
    const e = f.t3 ? this.t3() : this.normal();
    let v = level * Math.exp(sigma * e - (sigma * sigma) / 2);
    if (this.rand() < 0.02) v *= 1.3 + 0.7 * this.rand();
    if (f.second && this.rand() < f.second.share) v *= f.second.factor;
    if (f.heavy && this.rand() < 0.05) v *= 3;
    if (busy) v *= 1.3 + 0.5 * this.rand();
    return { v, pressured: busy };
  }
  /** A run's first value; re-runs of a busy run are busy half the time. */
  run(level: number): { first: Value; rerun: () => Value } {
    const busy = this.f.busy === true && this.rand() < 0.03;
    return { first: this.draw(level, busy), rerun: () => this.draw(level, busy && this.rand() < 0.5) };
  }
  levels(n: number): number[] {
    const out: number[] = [];
    let log = Math.log(100);
    for (let i = 0; i < n; i++) {
      out.push(Math.exp(log));
      log += (this.f.drift ?? 0.003) * this.normal();
    }
    return out;
  }
}

interface Outcome { regressed: boolean; reruns: number; values: number; carry: Evidence | null }

type Procedure = (window: readonly number[], run: { first: Value; rerun: () => Value }, carry: Evidence | null) => Outcome;

const legacy: Procedure = (window, run) => {
  const { record, bounds } = judgeValue(def, run.first.v, window, legacyModel, MIN_CHANGE);
  if (record.verdict !== 'regressed') return { regressed: false, reruns: 0, values: 1, carry: null };
  const rerun = run.rerun().v;
  const decided = confirmValues({ record, def, sample: window, bounds, model: legacyModel, min_change: MIN_CHANGE }, [rerun]);
  return { regressed: decided.verdict === 'regressed', reruns: 1, values: 2, carry: null };
};

function sequential(windowRuns: number, params: SequentialParams): Procedure {
  return (history, run, carry) => {
    const j = sequentialJudge(def, history.slice(-windowRuns), MIN_CHANGE, params);
    let ev = carry ? addValue(j, carry, run.first.v, run.first.pressured) : openSuspect(j, run.first.v, run.first.pressured);
    if (!ev) return { regressed: false, reruns: 0, values: 1, carry: null };
    let reruns = 0;
    while (sequentialState(j, ev) === 'open' && reruns < MAX_RERUNS) {
      const r = run.rerun();
      ev = addValue(j, ev, r.v, r.pressured);
      reruns++;
    }
    const state = sequentialState(j, ev);
    return { regressed: state === 'regressed', reruns, values: 1 + reruns, carry: state === 'open' && !carry ? ev : null };
  };
}

/** The sequential defaults before this tuning (docs/benchmarks.md, "at the statistical limit"), kept to be measured beside the new ones. */
const PREVIOUS: SequentialParams = { gate: 1.5, cap: 3, negCap: 3, upper: 8, lower: -2.3, shiftSpreads: 2, modeSeparation: 3, minModeShare: 0.1 };

const PROCEDURES: { name: string; run: Procedure; window: number }[] = [
  { name: 'legacy (MAD, 1 re-run)', run: legacy, window: 20 },
  { name: 'sequential, previous default', run: sequential(50, PREVIOUS), window: 50 },
  { name: 'sequential, default', run: sequential(50, PARAMS), window: 50 },
];

interface Cell { alarms: number; runs: number; reruns: number; suspects: number; caught1: number[]; caught2: number[]; values20: number }

function measure(f: Family, p: (typeof PROCEDURES)[number], seed: number): Cell {
  const sim = new Sim(prng(seed), f);
  const cell: Cell = { alarms: 0, runs: 0, reruns: 0, suspects: 0, caught1: STEPS.map(() => 0), caught2: STEPS.map(() => 0), values20: 0 };
  for (let s = 0; s < SERIES; s++) {
    const levels = sim.levels(HISTORY + NULL_RUNS);
    const values = levels.slice(0, HISTORY).map((l) => sim.draw(l).v);
    let carry: Evidence | null = null;
    for (let i = HISTORY; i < levels.length; i++) {
      const run = sim.run(levels[i]!);
      const out = p.run(values.slice(i - p.window, i), run, carry);
      carry = out.carry;
      cell.runs++;
      if (out.regressed) cell.alarms++;
      cell.reruns += out.reruns;
      if (out.reruns > 0) cell.suspects++;
      values.push(run.first.v);
    }
    STEPS.forEach((step, si) => {
      const lv = sim.levels(HISTORY + 2).map((l, i) => (i >= HISTORY ? l * (1 + step) : l));
      const xs = lv.slice(0, HISTORY).map((l) => sim.draw(l).v);
      const r1 = sim.run(lv[HISTORY]!);
      const first = p.run(xs.slice(-p.window), r1, null);
      let second = first;
      if (!first.regressed) {
        const r2 = sim.run(lv[HISTORY + 1]!);
        second = p.run([...xs, r1.first.v].slice(-p.window), r2, first.carry);
      }
      if (first.regressed) cell.caught1[si]!++;
      if (first.regressed || second.regressed) cell.caught2[si]!++;
      if (si === 0) cell.values20 += first.regressed ? first.values : first.values + second.values;
    });
  }
  return cell;
}

const pct = (n: number): string => ((100 * n) / SERIES).toFixed(1);
const started = performance.now();
const header = ['family', 'CV', 'procedure', 'FA/1000', ...STEPS.flatMap((s) => [`+${s * 100}% @1`, `@2`]), 'rr/run', 'rr/susp', 'n̄', 'limit', 'ratio'];
console.log(`seed ${SEED}, ${SERIES} histories per cell (${SERIES * NULL_RUNS} null test-runs), min_change ${MIN_CHANGE}, max_reruns ${MAX_RERUNS}, params ${JSON.stringify(PARAMS)}`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map((_, i) => (i < 3 ? '---' : '---:')).join('|')}|`);
const zAlpha = normalQuantile(1 - 0.001);
const onlyFamilies = process.env.BENCH_FAMILIES?.split(',');
const onlyProcs = process.env.BENCH_PROCEDURES?.split(',');
FAMILIES.forEach((f, fi) => {
  if (onlyFamilies && !onlyFamilies.includes(`${f.name}@${f.cv * 100}`)) return;
  for (const [pi, p] of PROCEDURES.entries()) {
    if (onlyProcs && !onlyProcs.includes(String(pi))) continue;
    const cell = measure(f, p, SEED + 1000 * fi);
    const nBar = cell.values20 / SERIES;
    const d = Math.log(1.2) / Math.sqrt(Math.log(1 + f.cv * f.cv));
    const limit = normalUpper(zAlpha - d * Math.sqrt(nBar));
    const det = STEPS.flatMap((_, si) => [pct(cell.caught1[si]!), pct(cell.caught2[si]!)]);
    const ratio = cell.caught2[0]! / SERIES / limit;
    console.log(`| ${f.name} | ${f.cv * 100}% | ${p.name} | ${((1000 * cell.alarms) / cell.runs).toFixed(2)} | ${det.join(' | ')} | ${(cell.reruns / cell.runs).toFixed(3)} | ${cell.suspects ? (cell.reruns / cell.suspects).toFixed(2) : '-'} | ${nBar.toFixed(2)} | ${(100 * limit).toFixed(1)} | ${ratio.toFixed(2)} |`);
  }
});
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
