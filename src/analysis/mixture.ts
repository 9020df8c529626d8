/**
 * The shape of a baseline for sequential judgement: one mode or two. Values are judged in log
 * space when all are positive (durations, bytes and costs change by factors, and log-normal noise
 * is symmetric there), else as they are. A two-mode baseline (a prompt that sometimes hits a
 * cache or takes a tool call) is two clusters with a common within-mode spread; a value is then
 * judged against the mixture, so a value in the known second mode is expected, while a shift of
 * either mode still shows.
 */
import { logSumExp, median, qnSpread, sorted } from './stats.ts';

export interface Mode {
  /** In judging space (log when `log`). */
  center: number;
  weight: number;
}

export interface Mixture {
  log: boolean;
  modes: Mode[];
  /** Within-mode spread in judging space (Qn of the residuals from each mode's median). */
  spread: number;
  n: number;
}

export interface MixtureOptions {
  /** Separation, in σ, for two clusters to count as two modes; default 3. */
  minSeparation?: number;
  /** Log-likelihood a two-mode fit must gain over one mode; default 1.5·ln n. */
  minGain?: number;
  /** Fewest values in the smaller mode; default 3 (two values are a coincidence, not a mode). */
  minModeValues?: number;
  /** Smallest share of the window in the smaller mode; default 0.1. */
  minModeShare?: number;
}

/** Spreads are never 0 (a window of equal values): 0.1 % in log space, else 0.1 % of the level (or 1e-9). */
function spreadFloor(log: boolean, center: number): number {
  return log ? 1e-3 : Math.max(1e-9, 1e-3 * Math.abs(center));
}

function residualSpread(groups: readonly (readonly number[])[]): number {
  const residuals: number[] = [];
  for (const g of groups) {
    const m = median(g);
    for (const v of g) residuals.push(v - m);
  }
  return qnSpread(residuals);
}

export function toSpace(log: boolean, v: number): number {
  return log ? Math.log(v) : v;
}

export function fromSpace(log: boolean, v: number): number {
  return log ? Math.exp(v) : v;
}

interface Fit { mu: [number, number]; w: number; sigma: number; loglik: number }

/** Expectation–maximisation for two normal modes with a common σ, from a split of the sorted values. */
function em2(ys: readonly number[], k: number, floor: number): Fit {
  const n = ys.length;
  let mu: [number, number] = [median(ys.slice(0, k)), median(ys.slice(k))];
  let w = (n - k) / n;
  let sigma = Math.max(residualSpread([ys.slice(0, k), ys.slice(k)]), floor);
  let loglik = -Infinity;
  for (let iter = 0; iter < 40; iter++) {
    let r1 = 0, s0 = 0, s1 = 0, ss = 0;
    const resp: number[] = [];
    loglik = 0;
    for (const y of ys) {
      const a = Math.log(1 - w) - 0.5 * ((y - mu[0]) / sigma) ** 2;
      const b = Math.log(w) - 0.5 * ((y - mu[1]) / sigma) ** 2;
      const lse = logSumExp([a, b]);
      loglik += lse - Math.log(sigma);
      const p = Math.exp(b - lse);
      resp.push(p);
      r1 += p;
      s0 += (1 - p) * y;
      s1 += p * y;
    }
    if (r1 < 1e-9 || n - r1 < 1e-9) break;
    mu = [s0 / (n - r1), s1 / r1];
    ys.forEach((y, i) => (ss += (1 - resp[i]!) * (y - mu[0]) ** 2 + resp[i]! * (y - mu[1]) ** 2));
    w = r1 / n;
    sigma = Math.max(Math.sqrt(ss / n), floor);
  }
  return { mu, w, sigma, loglik };
}

function oneLoglik(ys: readonly number[], floor: number): number {
  const m = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sigma = Math.max(Math.sqrt(ys.reduce((a, y) => a + (y - m) ** 2, 0) / ys.length), floor);
  return ys.reduce((a, y) => a - 0.5 * ((y - m) / sigma) ** 2 - Math.log(sigma), 0);
}

/**
 * Fits one or two modes to a window of at least two values. Two modes when a two-mode fit (EM,
 * common σ) beats one mode by more than `minGain` in log-likelihood, the smaller mode holds enough
 * of the window, and the modes are `minSeparation` σ apart; the spread is then the Qn of the
 * residuals from each value's mode (robust to the odd outlier the fit absorbed).
 */
export function fitMixture(sample: readonly number[], options: MixtureOptions = {}): Mixture {
  const log = sample.length > 0 && sample.every((v) => v > 0);
  const ys = sorted(sample.map((v) => toSpace(log, v)));
  const n = ys.length;
  const floor = spreadFloor(log, median(ys));
  const one: Mixture = { log, modes: [{ center: median(ys), weight: 1 }], spread: Math.max(qnSpread(ys), floor), n };
  const minValues = Math.max(options.minModeValues ?? 3, Math.ceil((options.minModeShare ?? 0.1) * n));
  if (n < 2 * minValues) return one;
  const base = oneLoglik(ys, floor);
  let best: Fit | null = null;
  for (const share of [0.1, 0.2, 0.35, 0.5]) {
    const k = Math.min(n - minValues, Math.max(minValues, Math.round(n * (1 - share))));
    const fit = em2(ys, k, floor);
    if (!best || fit.loglik > best.loglik) best = fit;
  }
  if (!best) return one;
  const minor = Math.min(best.w, 1 - best.w) * n;
  const sep = (best.mu[1] - best.mu[0]) / best.sigma;
  if (best.loglik - base < (options.minGain ?? 1.5 * Math.log(n)) || minor < minValues - 0.5 || sep < (options.minSeparation ?? 3)) return one;
  const cut = (best.mu[0] + best.mu[1]) / 2;
  const lower = ys.filter((y) => y < cut);
  const upper = ys.filter((y) => y >= cut);
  if (lower.length === 0 || upper.length === 0) return one;
  const spread = Math.max(residualSpread([lower, upper]), floor);
  return { log, modes: [{ center: median(lower), weight: lower.length / n }, { center: median(upper), weight: upper.length / n }], spread, n };
}

/** log density of `y` (judging space) under the mixture shifted by `shift`, up to a constant. */
function logDensity(m: Mixture, y: number, shift: number): number {
  return logSumExp(m.modes.map((mode) => Math.log(mode.weight) - 0.5 * ((y - mode.center - shift) / m.spread) ** 2));
}

/**
 * The log-likelihood ratio of one value for "the whole distribution moved by `shift`" against
 * "it did not" (shift signed towards the bad direction, in judging space). Unbounded: the caller
 * caps it.
 */
export function shiftLlr(m: Mixture, value: number, shift: number): number {
  if (m.log && !(value > 0)) return shift > 0 ? -Infinity : Infinity;
  const y = toSpace(m.log, value);
  return logDensity(m, y, shift) - logDensity(m, y, 0);
}

/** The mode a value most likely belongs to (judging space), for words and floors. */
export function nearestMode(m: Mixture, value: number): Mode {
  const y = m.log && value > 0 ? Math.log(value) : value;
  let best = m.modes[0]!;
  for (const mode of m.modes) if (Math.abs(y - mode.center) < Math.abs(y - best.center)) best = mode;
  return best;
}
