/**
 * Bytes → lines for `process.output`: streaming UTF-8 decoding (invalid bytes → U+FFFD, a
 * character split across reads is joined), lines keep their "\n", and a line longer than
 * MAX_LINE_CHARS code points is cut into chunks at code-point boundaries.
 *
 * Memory stays bounded for lines of any length: at most `maxHeldChunks` full chunks of one line
 * are held back so that every chunk of a line up to that size carries the exact `total_chunks`
 * (as cc_executor does); a longer line is streamed chunk by chunk as soon as each is full, with
 * `total_chunks` null on every chunk but the last, which carries the real total.
 */
import { MAX_LINE_CHARS } from '../protocol/index.ts';

/** Receives one frame's worth of text; `chunkIndex`/`totalChunks` are null on an unsplit line. */
export type LineSink = (data: string, chunkIndex: number | null, totalChunks: number | null, truncated: boolean) => void;

export interface LineSplitterOptions {
  /** Code points per chunk; default MAX_LINE_CHARS (65,536). */
  chunkChars?: number;
  /** Full chunks of one line held back to learn its total before sending; default 8. */
  maxHeldChunks?: number;
}

/** Index in `s` just after `n` code points from `from` (or s.length if it has fewer). */
export function codePointOffset(s: string, n: number, from = 0): number {
  let i = from;
  for (let seen = 0; seen < n && i < s.length; seen++) {
    const c = s.charCodeAt(i);
    // TextDecoder never yields lone surrogates, but a guard keeps a malformed pair from skipping a unit.
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return i;
}

export function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) i++;
    n++;
  }
  return n;
}

export class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private readonly chunkChars: number;
  private readonly maxHeld: number;
  /** Text of the current line not yet cut into chunks; never holds a full chunk plus more. */
  private pending = '';
  /** Full chunks of the current line not yet sent (we do not know yet whether more follow). */
  private held: string[] = [];
  /** Chunks of the current line already sent without a known total. */
  private streamed = 0;
  /** Total bytes and lines seen, for telemetry. */
  bytes = 0;
  lines = 0;

  constructor(
    private readonly sink: LineSink,
    options: LineSplitterOptions = {},
  ) {
    this.chunkChars = options.chunkChars ?? MAX_LINE_CHARS;
    this.maxHeld = Math.max(1, options.maxHeldChunks ?? 8);
  }

  push(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  /** At EOF: flushes the decoder and sends a last line that had no newline. */
  end(): void {
    this.feed(this.decoder.decode());
    if (this.pending.length > 0 || this.held.length > 0) this.finishLine(this.pending);
    this.pending = '';
  }

  private feed(text: string): void {
    let start = 0;
    const limit = this.chunkChars;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      // Hot path: a short line with nothing pending goes straight out (UTF-16 length ≥ code points).
      if (this.pending.length === 0 && this.held.length === 0 && this.streamed === 0 && nl + 1 - start <= limit) {
        this.lines++;
        this.sink(start === 0 && nl + 1 === text.length ? text : text.slice(start, nl + 1), null, null, false);
      } else {
        const rest = this.pending + text.slice(start, nl + 1);
        this.pending = '';
        this.finishLine(rest);
      }
      start = nl + 1;
    }
    if (start < text.length) {
      this.pending += start === 0 ? text : text.slice(start);
      if (this.pending.length > limit) this.cutPending();
    }
  }

  /** Cuts full chunks off the pending text while more than a chunk's worth is there: those are surely not last. */
  private cutPending(): void {
    const limit = this.chunkChars;
    let from = 0;
    for (;;) {
      const end = codePointOffset(this.pending, limit, from);
      if (end >= this.pending.length) break; // a chunk or less left: it may be the last one
      this.hold(this.pending.slice(from, end));
      from = end;
    }
    if (from > 0) this.pending = this.pending.slice(from);
  }

  private hold(chunk: string): void {
    if (this.streamed === 0 && this.held.length < this.maxHeld) {
      this.held.push(chunk);
      return;
    }
    // The line outgrew what we hold: stream from now on, totals unknown until the end.
    for (const h of this.held) this.sink(h, this.streamed++, null, true);
    this.held = [];
    this.sink(chunk, this.streamed++, null, true);
  }

  /** Sends the rest of the current line (`tail` plus what is held) with exact indexes. */
  private finishLine(tail: string): void {
    this.lines++;
    const limit = this.chunkChars;
    const tailChunks: string[] = [];
    if (tail.length <= limit) tailChunks.push(tail);
    else {
      for (let from = 0; from < tail.length; ) {
        const end = codePointOffset(tail, limit, from);
        tailChunks.push(tail.slice(from, end));
        from = end;
      }
    }
    const parts = this.held.length > 0 ? this.held.concat(tailChunks) : tailChunks;
    this.held = [];
    const total = this.streamed + parts.length;
    if (total === 1) this.sink(parts[0] ?? '', null, null, false);
    else {
      const known = this.streamed === 0;
      for (let i = 0; i < parts.length; i++) {
        const index = this.streamed + i;
        const last = index === total - 1;
        this.sink(parts[i] ?? '', index, known || last ? total : null, !last);
      }
    }
    this.streamed = 0;
  }
}
