/**
 * Bounded capture of one test's output: a preview (first and last 2,000 characters), counters, and
 * the FULL output streamed to a log file. Memory stays bounded whatever the output size: lines are
 * copied into a fixed pool of reusable blocks written one at a time (a write per line, or a
 * Buffer per write, made the heap and RSS grow with the output rate); when the disk is slower than
 * the stream, blocks queue up to `maxBufferedBytes` (lines that had to wait are counted), and past
 * that cap lines are dropped from the log (counted, and marked in it) rather than held.
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { OutputLine } from '../client/types.ts';
import { PreviewWindow } from './preview.ts';

export { PREVIEW_CHARS } from './preview.ts';
/** Log blocks: output is copied into reusable 64 KiB buffers, written one at a time. */
const BLOCK_BYTES = 64 * 1024;
const FLUSH_EVERY_MS = 1000;

export interface CaptureSummary {
  output_bytes: number;
  output_lines: number;
  output_chunks: number;
  stderr_bytes: number;
  /** The last non-blank stderr line (trimmed, at most 300 characters): why a command failed, usually. */
  last_stderr_line: string | null;
  preview_head: string;
  /** The last characters after the head: empty when the whole output fits in the head. */
  preview_tail: string;
  log_path: string | null;
  /** Lines written while the log file was still draining earlier ones. */
  log_waited_lines: number;
  /** Bytes left out of the log because the disk could not keep up (over the buffer cap). */
  log_dropped_bytes: number;
  /** Why the log could not be written, when it could not. */
  log_error: string | null;
}

/** Test ids come from a config file: keep them to a safe file name. */
export function logFileName(testId: string): string {
  const safe = testId.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return `${safe || 'test'}.log`;
}

export function logPathFor(reportsDir: string, suite: string, runId: string, testId: string): string {
  return resolve(join(reportsDir, logFileName(suite).slice(0, -4), runId, logFileName(testId)));
}

export class OutputCapture {
  readonly #path: string | null;
  readonly #maxBuffered: number;
  readonly #closeTimeoutMs: number;
  #file: FileHandle | null = null;
  #error: string | null = null;
  readonly #preview = new PreviewWindow();
  #bytes = 0;
  #lines = 0;
  #chunks = 0;
  #stderrBytes = 0;
  #lastStderr: string | null = null;
  #waited = 0;
  #dropped = 0;
  #droppingSince = 0;
  #closed: Promise<CaptureSummary> | null = null;
  // The block being filled, the blocks waiting for the disk, and the free ones for reuse.
  #block: Buffer | null = null;
  #used = 0;
  #queue: { buf: Buffer; len: number; pooled: boolean }[] = [];
  #queuedBytes = 0;
  #free: Buffer[] = [];
  #writing = false;
  #idle: (() => void) | null = null;
  #flushTimer: NodeJS.Timeout | null = null;

  /** `logPath` null: counters and preview only. `maxBufferedBytes` (default 8 MiB) bounds the log's memory. */
  constructor(opts: { logPath: string | null; maxBufferedBytes?: number; closeTimeoutMs?: number }) {
    this.#path = opts.logPath;
    this.#maxBuffered = Math.max(BLOCK_BYTES, opts.maxBufferedBytes ?? 8 * 1024 * 1024);
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  }

  /** Creates the log's directory and opens it; a failure is recorded, never thrown (the test still runs). */
  async open(): Promise<void> {
    if (this.#path === null) return;
    try {
      await mkdir(dirname(this.#path), { recursive: true });
      this.#file = await open(this.#path, 'w');
      // A quiet test still reaches its log within a second.
      this.#flushTimer = setInterval(() => this.#flushBlock(), FLUSH_EVERY_MS);
      this.#flushTimer.unref();
    } catch (err) {
      this.#error = err instanceof Error ? err.message : String(err);
    }
  }

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#lines;
  }

  push(line: OutputLine): void {
    this.#bytes += line.bytes;
    if (!line.partial) this.#lines++; // a piece of a longer line: its last piece counts it
    this.#chunks += line.chunks;
    if (line.stream === 'stderr') {
      this.#stderrBytes += line.bytes;
      const text = line.data.trim();
      if (text !== '') this.#lastStderr = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    }
    this.#preview.push(line.data);
    if (this.#file !== null && this.#error === null && this.#closed === null) this.#write(line.data, line.bytes);
  }

  #write(data: string, bytes: number): void {
    const waiting = this.#queuedBytes + this.#used;
    // A line bigger than the cap is not a sign of a slow disk: with nothing waiting it is taken
    // (memory: one copy of a line the client already holds), or it could never be logged at all.
    if (waiting > 0 && waiting + bytes > this.#maxBuffered) {
      this.#dropped += bytes;
      this.#droppingSince += bytes;
      return;
    }
    if (this.#droppingSince > 0) {
      const note = `\n[stressd: ${this.#droppingSince} bytes of output left out of this log: the disk did not keep up]\n`;
      this.#droppingSince = 0;
      this.#copy(note, Buffer.byteLength(note));
    }
    if (this.#writing) this.#waited++;
    this.#copy(data, bytes);
  }

  #copy(data: string, bytes: number): void {
    if (bytes > BLOCK_BYTES) {
      // A line longer than a block (rare: Claude's long JSON lines) gets its own buffer.
      this.#flushBlock();
      this.#enqueue(Buffer.from(data, 'utf8'), bytes, false);
      return;
    }
    if (this.#block !== null && this.#used + bytes > BLOCK_BYTES) this.#flushBlock();
    if (this.#block === null) {
      this.#block = this.#free.pop() ?? Buffer.allocUnsafeSlow(BLOCK_BYTES);
      this.#used = 0;
    }
    this.#used += this.#block.write(data, this.#used, 'utf8');
  }

  #flushBlock(): void {
    if (this.#block === null || this.#used === 0) return;
    const buf = this.#block;
    const len = this.#used;
    this.#block = null;
    this.#used = 0;
    this.#enqueue(buf, len, true);
  }

  #enqueue(buf: Buffer, len: number, pooled: boolean): void {
    this.#queue.push({ buf, len, pooled });
    this.#queuedBytes += len;
    this.#pump();
  }

  /** One write in flight at a time, taking every queued block at once (writev) to keep up with fast output. */
  #pump(): void {
    const file = this.#file;
    if (this.#writing || file === null) return;
    if (this.#queue.length === 0) {
      this.#idle?.();
      return;
    }
    const items = this.#queue;
    this.#queue = [];
    this.#writing = true;
    file
      .writev(items.map((i) => (i.len === i.buf.length ? i.buf : i.buf.subarray(0, i.len))))
      .catch((err: unknown) => {
        this.#error ??= err instanceof Error ? err.message : String(err);
      })
      .finally(() => {
        this.#writing = false;
        for (const item of items) {
          this.#queuedBytes -= item.len;
          if (item.pooled && this.#free.length < this.#maxBuffered / BLOCK_BYTES) this.#free.push(item.buf);
        }
        if (this.#error !== null) {
          this.#queue = [];
          this.#queuedBytes = 0;
        }
        this.#pump();
      });
  }

  /** Flushes and closes the log (bounded: a stuck disk is given up on after closeTimeoutMs); idempotent. */
  close(): Promise<CaptureSummary> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<CaptureSummary> {
    if (this.#flushTimer !== null) clearInterval(this.#flushTimer);
    const file = this.#file;
    if (file !== null) {
      if (this.#droppingSince > 0 && this.#error === null) {
        const note = `\n[stressd: ${this.#droppingSince} bytes of output left out of this log]\n`;
        this.#copy(note, Buffer.byteLength(note));
      }
      this.#flushBlock();
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          this.#error ??= `log not flushed within ${this.#closeTimeoutMs} ms`;
          done();
        }, this.#closeTimeoutMs);
        this.#idle = () => {
          clearTimeout(timer);
          done();
        };
        if (!this.#writing && this.#queue.length === 0) this.#idle();
      });
      this.#idle = null;
      await file.close().catch(() => undefined);
    }
    this.#free = [];
    this.#block = null;
    return Object.freeze({
      output_bytes: this.#bytes,
      output_lines: this.#lines,
      output_chunks: this.#chunks,
      stderr_bytes: this.#stderrBytes,
      last_stderr_line: this.#lastStderr,
      preview_head: this.#preview.head,
      preview_tail: this.#preview.tail,
      log_path: this.#path !== null && file !== null ? this.#path : null,
      log_waited_lines: this.#waited,
      log_dropped_bytes: this.#dropped,
      log_error: this.#error,
    });
  }
}
