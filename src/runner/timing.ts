/**
 * Stream timing of one test (DESIGN section 6) from per-line receive timestamps (performance.now(), ms).
 * Gaps are only counted between outputs after the first one: the wait for the first output is
 * its own figure (first_output_seconds), not an inter-chunk gap. Memory is constant: gaps go to a
 * fixed-size histogram (see histogram.ts for its precision), the max is exact. Each gap is also
 * counted at the Prometheus histogram's fixed bounds (src/result/gap-buckets.ts), exactly at the bounds.
 */
import { GapCounter } from '../result/gap-buckets.ts';
import { DurationHistogram } from './histogram.ts';
import type { StreamTiming } from '../result/types.ts';

export class StreamTimer {
  readonly #gaps = new DurationHistogram();
  readonly #buckets = new GapCounter();
  #firstAt: number | null = null;
  #lastAt: number | null = null;
  #completedAt: number | null = null;
  #bytes = 0;
  #lines = 0;
  #longestGap = 0;

  onLine(at: number, bytes: number): void {
    if (this.#lastAt !== null) {
      const gap = Math.max(0, at - this.#lastAt);
      this.#gaps.record(gap);
      this.#buckets.record(gap);
      this.#longestGap = Math.max(this.#longestGap, gap);
    }
    this.#firstAt ??= at;
    this.#lastAt = at;
    this.#bytes += bytes;
    this.#lines++;
  }

  /** When process.completed (or the end of the test, whatever it was) arrived. */
  onEnd(at: number): void {
    this.#completedAt = at;
  }

  get firstOutputAt(): number | null {
    return this.#firstAt;
  }

  /**
   * `sentAt`: performance.now() when execute was sent (known only once the call is over);
   * `firstTextAt`: performance.now() of the first assistant text (Claude only);
   * `outputTokens`: the result event's output_tokens; `completed`: whether the end was a real
   * process.completed (otherwise there is no completion lag to speak of).
   */
  result(opts: { sentAt: number; firstTextAt: number | null; outputTokens: number | null; completed: boolean }): StreamTiming {
    const s = (ms: number | null): number | null => (ms === null ? null : round(ms / 1000));
    const silences = [this.#longestGap, (this.#firstAt ?? this.#completedAt ?? opts.sentAt) - opts.sentAt];
    if (this.#completedAt !== null && this.#lastAt !== null) silences.push(this.#completedAt - this.#lastAt);
    const window = this.#firstAt !== null && this.#lastAt !== null ? (this.#lastAt - this.#firstAt) / 1000 : 0;
    const rate = (n: number | null): number | null => (n === null || window <= 0 ? null : round(n / window));
    return {
      first_output_seconds: s(this.#firstAt === null ? null : this.#firstAt - opts.sentAt),
      first_text_seconds: s(opts.firstTextAt === null ? null : opts.firstTextAt - opts.sentAt),
      gap_p50_seconds: s(this.#gaps.percentile(0.5)),
      gap_p95_seconds: s(this.#gaps.percentile(0.95)),
      gap_max_seconds: s(this.#gaps.max),
      longest_silence_seconds: this.#completedAt === null && this.#lastAt === null ? null : s(Math.max(0, ...silences)),
      bytes_per_second: rate(this.#lines > 0 ? this.#bytes : null),
      lines_per_second: rate(this.#lines > 0 ? this.#lines : null),
      output_tokens_per_second: rate(opts.outputTokens),
      completion_lag_seconds:
        opts.completed && this.#completedAt !== null && this.#lastAt !== null ? s(Math.max(0, this.#completedAt - this.#lastAt)) : null,
      gap_histogram: this.#buckets.snapshot(),
    };
  }
}

/** Microsecond precision is plenty for seconds in a report, and keeps the JSON short. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
