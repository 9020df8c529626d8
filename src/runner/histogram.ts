/**
 * Fixed-size histogram of durations in ms for gap percentiles, whatever the number of samples.
 * Precision: 0.25 ms wide linear buckets below 1 s (a percentile is within 0.125 ms of a recorded
 * value's bucket centre), then log buckets 1% wide up to ~27 h. The maximum is kept exactly.
 * About 5,000 counters (~20 KB) per histogram.
 */
const LINEAR_LIMIT_MS = 1000;
const LINEAR_WIDTH_MS = 0.25;
const LINEAR_BUCKETS = LINEAR_LIMIT_MS / LINEAR_WIDTH_MS;
const LOG_RATIO = 1.01;
const LOG_BUCKETS = Math.ceil(Math.log(100_000_000 / LINEAR_LIMIT_MS) / Math.log(LOG_RATIO));

export class DurationHistogram {
  readonly #counts = new Uint32Array(LINEAR_BUCKETS + LOG_BUCKETS);
  #count = 0;
  #max = 0;

  record(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    const i = ms < LINEAR_LIMIT_MS
      ? Math.floor(ms / LINEAR_WIDTH_MS)
      : Math.min(LINEAR_BUCKETS + LOG_BUCKETS - 1, LINEAR_BUCKETS + Math.floor(Math.log(ms / LINEAR_LIMIT_MS) / Math.log(LOG_RATIO)));
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.#count++;
    if (ms > this.#max) this.#max = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** Exact maximum; null when empty. */
  get max(): number | null {
    return this.#count === 0 ? null : this.#max;
  }

  /** Nearest-rank percentile (q in 0..1), the centre of its bucket, never above the exact max. */
  percentile(q: number): number | null {
    if (this.#count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i] ?? 0;
      if (seen >= rank) return Math.min(this.#max, bucketCentre(i));
    }
    return this.#max;
  }
}

function bucketCentre(i: number): number {
  if (i < LINEAR_BUCKETS) return (i + 0.5) * LINEAR_WIDTH_MS;
  const k = i - LINEAR_BUCKETS;
  const low = LINEAR_LIMIT_MS * LOG_RATIO ** k;
  return (low + low * LOG_RATIO) / 2;
}
