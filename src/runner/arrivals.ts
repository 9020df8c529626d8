/**
 * When the arrivals of an open-model load are due (DESIGN section 14), pure so it can be checked
 * by hand. The rate is piecewise linear (a constant `rate` for `duration_s`, or k6's
 * ramping-arrival-rate stages from 0); the k-th arrival is due where the expected count of
 * arrivals so far reaches E_k: k for constant arrivals, a seeded sum of exponential gaps for
 * Poisson ones (a unit-rate Poisson process mapped through the rate's integral).
 */
import { seededRandom } from '../seeded-random.ts';

export interface RatePiece {
  duration_s: number;
  from: number;
  to: number;
}

export interface ArrivalSpec {
  pieces: readonly RatePiece[];
  arrivals: 'constant' | 'poisson';
  seed: number;
}


/** Seconds after the start at which each arrival is due, ascending; at most `limit` of them. */
export function arrivalTimes(spec: ArrivalSpec, limit = 1_000_000): number[] {
  const out: number[] = [];
  const random = seededRandom(spec.seed);
  let next = spec.arrivals === 'constant' ? 0 : -Math.log(1 - random());
  let start = 0;
  let before = 0;
  for (const p of spec.pieces) {
    const inPiece = p.duration_s * (p.from + p.to) / 2;
    while (next < before + inPiece && out.length < limit) {
      out.push(start + timeWithin(p, next - before));
      next += spec.arrivals === 'constant' ? 1 : -Math.log(1 - random());
    }
    before += inPiece;
    start += p.duration_s;
  }
  return out;
}

/** The τ within a piece at which `count` arrivals are expected: solves from·τ + (to−from)·τ²/(2d) = count. */
function timeWithin(p: RatePiece, count: number): number {
  const slope = (p.to - p.from) / p.duration_s;
  if (Math.abs(slope) < 1e-12) return p.from === 0 ? 0 : count / p.from;
  const tau = (-p.from + Math.sqrt(Math.max(0, p.from * p.from + 2 * slope * count))) / slope;
  return Math.min(p.duration_s, Math.max(0, tau));
}

/** The pieces of a load (as the schema normalised it: a rate always has its duration): a constant rate, or stages of rates ramped from 0. */
export function ratePieces(load: { rate: number | null; duration_s: number | null; stages: readonly { duration_s: number; rate?: number }[] | null }): RatePiece[] {
  if (load.rate !== null) {
    if (load.duration_s === null) throw new Error('an arrival rate without duration_s (src/config/load-schema.ts requires one)');
    return [{ duration_s: load.duration_s, from: load.rate, to: load.rate }];
  }
  const pieces: RatePiece[] = [];
  let from = 0;
  for (const s of load.stages ?? []) {
    const to = s.rate ?? 0;
    pieces.push({ duration_s: s.duration_s, from, to });
    from = to;
  }
  return pieces;
}
