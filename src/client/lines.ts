/**
 * Turns `process.output` frames into whole lines: joins split lines and flags the server's
 * in-band marker lines. This is the per-frame hot path, so it allocates one OutputLine per line
 * and looks at a line's text only when its first character could start a marker.
 *
 * A split line is held only up to `maxLineChars`: past that, what is held goes out as a piece
 * (`partial: true`) and the line goes on in the next OutputLine. stressd's executor streams a
 * line of any length in chunks, so without a bound a command printing one endless line would
 * grow a string here until memory (or V8's string limit, a RangeError thrown out of the socket's
 * handler) ended the process.
 */
import { STREAM_ERROR_PREFIX, STREAM_TIMED_OUT_PREFIX, type OutputStream, type ProcessOutputParams } from '../protocol/index.ts';
import type { OutputLine } from './types.ts';

const NEWLINE = 10;
const OPEN_BRACKET = 91;
/**
 * UTF-16 units of one split line held before it is handed over in pieces: well above any real
 * stream-json line, and small enough that a piece of ASCII fits the log's 8 MiB write buffer.
 */
export const MAX_HELD_LINE_CHARS = 4 * 1024 * 1024;

interface Pending {
  data: string;
  chunks: number;
  /** Pieces of this line already handed over: what is held is not the line's start. */
  cut: boolean;
}

export class LineAssembler {
  private stdout: Pending | null = null;
  private stderr: Pending | null = null;

  constructor(private readonly maxLineChars = MAX_HELD_LINE_CHARS) {}

  /**
   * Feeds one frame; returns the line it completes, or null while a split line is still open.
   * A frame continues a line when its chunk_index is below total_chunks - 1, or, from a server
   * that sends no indices, when `truncated` is set and the data has no trailing newline
   * (cc_executor also sets `truncated` on whole lines ending in "...\n": those end in "\n").
   */
  push(params: ProcessOutputParams, receivedAt: number): OutputLine | null {
    const stream = params.type;
    const total = params.total_chunks;
    const data = params.data;
    const continued =
      typeof total === 'number'
        ? total > 1 && typeof params.chunk_index === 'number' && params.chunk_index < total - 1
        : params.truncated === true && data.charCodeAt(data.length - 1) !== NEWLINE;
    const pending = stream === 'stdout' ? this.stdout : this.stderr;
    if (continued) {
      if (pending === null) {
        if (data.length < this.maxLineChars) {
          this.setPending(stream, { data, chunks: 1, cut: false });
          return null;
        }
        this.setPending(stream, { data: '', chunks: 0, cut: true });
        return makeLine(stream, data, 1, receivedAt, true, true);
      }
      pending.data += data;
      pending.chunks += 1;
      if (pending.data.length < this.maxLineChars) return null;
      const piece = makeLine(stream, pending.data, pending.chunks, receivedAt, !pending.cut, true);
      this.setPending(stream, { data: '', chunks: 0, cut: true });
      return piece;
    }
    if (pending === null) return makeLine(stream, data, 1, receivedAt);
    this.setPending(stream, null);
    return makeLine(stream, pending.data + data, pending.chunks + 1, receivedAt, !pending.cut);
  }

  /** Lines left open when the stream ended (a lost connection, a missing last chunk). */
  flush(receivedAt: number): OutputLine[] {
    const out: OutputLine[] = [];
    // A cut line with nothing held still gets its closing (empty) piece: it ends the line for the counters.
    if (this.stdout !== null) out.push(makeLine('stdout', this.stdout.data, this.stdout.chunks, receivedAt, !this.stdout.cut));
    if (this.stderr !== null) out.push(makeLine('stderr', this.stderr.data, this.stderr.chunks, receivedAt, !this.stderr.cut));
    this.stdout = null;
    this.stderr = null;
    return out;
  }

  private setPending(stream: OutputStream, value: Pending | null): void {
    if (stream === 'stdout') this.stdout = value;
    else this.stderr = value;
  }
}

function makeLine(stream: OutputStream, data: string, chunks: number, receivedAt: number, lineStart = true, partial = false): OutputLine {
  const c0 = data.charCodeAt(0);
  let serverStall = false;
  let streamError = false;
  // The server writes "\n[Stream …]\n": as one frame, or as an empty line and then "[Stream …]\n".
  if (lineStart && (c0 === OPEN_BRACKET || c0 === NEWLINE)) {
    const at = c0 === NEWLINE ? 1 : 0;
    serverStall = data.startsWith(STREAM_TIMED_OUT_PREFIX, at);
    streamError = !serverStall && data.startsWith(STREAM_ERROR_PREFIX, at);
  }
  return {
    stream,
    data,
    bytes: Buffer.byteLength(data, 'utf8'),
    chunks,
    receivedAt,
    serverStall,
    streamError,
    partial,
  };
}
