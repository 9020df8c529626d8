/**
 * Peak CPU rate from readings of a cumulative CPU counter. A rate from clock ticks (10 ms each) over
 * 100 ms is ±10 %, so the peak is taken over windows of at least WINDOW_MS; a test that never lasts
 * that long gets its peak from the longest window it had (at least MIN_WINDOW_MS), and none below that.
 */
export const WINDOW_MS = 500;
export const MIN_WINDOW_MS = 100;

interface Point {
  at: number;
  seconds: number;
}

export class CpuWindow {
  readonly #points: Point[] = [];
  #peakLong: number | null = null;
  #peakShort: number | null = null;

  /** Adds a reading: `seconds` of CPU used so far (never decreasing) at `at` ms. */
  push(at: number, seconds: number): void {
    const points = this.#points;
    points.push({ at, seconds });
    // The latest reading at least WINDOW_MS old gives the long window; older ones are not needed.
    let base = -1;
    for (let i = points.length - 2; i >= 0; i--) {
      if (at - (points[i] as Point).at >= WINDOW_MS) {
        base = i;
        break;
      }
    }
    if (base > 0) points.splice(0, base);
    const from = points[0] as Point;
    const span = at - from.at;
    if (span < MIN_WINDOW_MS) return;
    const rate = (seconds - from.seconds) / (span / 1000);
    if (span >= WINDOW_MS) this.#peakLong = Math.max(this.#peakLong ?? 0, rate);
    else this.#peakShort = Math.max(this.#peakShort ?? 0, rate);
  }

  /** The peak rate (1.0 = one core), or null when no two readings were MIN_WINDOW_MS apart. */
  peak(): number | null {
    return this.#peakLong ?? this.#peakShort;
  }
}
