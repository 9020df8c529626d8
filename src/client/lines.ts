/**
 * Turns `process.output` frames into whole lines: joins split lines and flags the server's
 * in-band marker lines. This is the per-frame hot path, so it allocates one OutputLine per line
 * and looks at a line's text only when its first character could start a marker.
 */
import type { OutputStream, ProcessOutputParams } from '../protocol/messages.ts';
import { STREAM_ERROR_PREFIX, STREAM_TIMED_OUT_PREFIX } from '../protocol/messages.ts';
import type { OutputLine } from './types.ts';

const NEWLINE = 10;
const OPEN_BRACKET = 91;

interface Pending {
  data: string;
  chunks: number;
}

export class LineAssembler {
  private stdout: Pending | null = null;
  private stderr: Pending | null = null;

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
      if (pending === null) this.setPending(stream, { data, chunks: 1 });
      else {
        pending.data += data;
        pending.chunks += 1;
      }
      return null;
    }
    if (pending === null) return makeLine(stream, data, 1, receivedAt);
    this.setPending(stream, null);
    return makeLine(stream, pending.data + data, pending.chunks + 1, receivedAt);
  }

  /** Lines left open when the stream ended (a lost connection, a missing last chunk). */
  flush(receivedAt: number): OutputLine[] {
    const out: OutputLine[] = [];
    if (this.stdout !== null) out.push(makeLine('stdout', this.stdout.data, this.stdout.chunks, receivedAt));
    if (this.stderr !== null) out.push(makeLine('stderr', this.stderr.data, this.stderr.chunks, receivedAt));
    this.stdout = null;
    this.stderr = null;
    return out;
  }

  private setPending(stream: OutputStream, value: Pending | null): void {
    if (stream === 'stdout') this.stdout = value;
    else this.stderr = value;
  }
}

function makeLine(stream: OutputStream, data: string, chunks: number, receivedAt: number): OutputLine {
  const c0 = data.charCodeAt(0);
  let serverStall = false;
  let streamError = false;
  // The server writes "\n[Stream …]\n": as one frame, or as an empty line and then "[Stream …]\n".
  if (c0 === OPEN_BRACKET || c0 === NEWLINE) {
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
  };
}
