/**
 * Bounded capture of one test's output: a preview (first and last 2,000 characters), counters, and
 * the FULL output streamed to a log file. Memory stays bounded whatever the output size: when the
 * disk is slower than the stream, lines queue in the write stream up to `maxBufferedBytes` (the
 * lines that had to wait are counted), and past that cap lines are dropped from the log (counted,
 * and marked in the log) rather than held.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { OutputLine } from '../client/types.ts';

export const PREVIEW_CHARS = 2000;

export interface CaptureSummary {
  output_bytes: number;
  output_lines: number;
  output_chunks: number;
  stderr_bytes: number;
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
  #stream: WriteStream | null = null;
  #error: string | null = null;
  #head = '';
  #tail = '';
  #bytes = 0;
  #lines = 0;
  #chunks = 0;
  #stderrBytes = 0;
  #waited = 0;
  #dropped = 0;
  #droppingSince = 0;
  #closed: Promise<CaptureSummary> | null = null;

  /** `logPath` null: counters and preview only. `maxBufferedBytes` default 8 MiB. */
  constructor(opts: { logPath: string | null; maxBufferedBytes?: number; closeTimeoutMs?: number }) {
    this.#path = opts.logPath;
    this.#maxBuffered = opts.maxBufferedBytes ?? 8 * 1024 * 1024;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
  }

  /** Creates the log's directory and opens it; a failure is recorded, never thrown (the test still runs). */
  async open(): Promise<void> {
    if (this.#path === null) return;
    try {
      await mkdir(dirname(this.#path), { recursive: true });
      const stream = createWriteStream(this.#path, { flags: 'w', highWaterMark: 1024 * 1024 });
      stream.on('error', (err) => {
        this.#error ??= err.message;
      });
      this.#stream = stream;
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
    this.#lines++;
    this.#chunks += line.chunks;
    if (line.stream === 'stderr') this.#stderrBytes += line.bytes;
    this.#preview(line.data);
    this.#write(line.data, line.bytes);
  }

  #preview(data: string): void {
    let rest = data;
    if (this.#head.length < PREVIEW_CHARS) {
      const room = PREVIEW_CHARS - this.#head.length;
      this.#head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest.length > 0) this.#tail = (rest.length >= PREVIEW_CHARS ? rest : this.#tail + rest).slice(-PREVIEW_CHARS);
  }

  #write(data: string, bytes: number): void {
    const stream = this.#stream;
    if (stream === null || this.#error !== null || stream.destroyed) return;
    if (stream.writableLength + bytes > this.#maxBuffered) {
      this.#dropped += bytes;
      this.#droppingSince += bytes;
      return;
    }
    if (this.#droppingSince > 0) {
      stream.write(`\n[stressd: ${this.#droppingSince} bytes of output left out of this log: the disk did not keep up]\n`);
      this.#droppingSince = 0;
    }
    if (stream.writableLength > 0) this.#waited++;
    stream.write(data);
  }

  /** Flushes and closes the log (bounded by a timer that destroys a stuck stream); idempotent. */
  close(): Promise<CaptureSummary> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<CaptureSummary> {
    const stream = this.#stream;
    if (stream !== null && !stream.destroyed) {
      if (this.#droppingSince > 0) stream.write(`\n[stressd: ${this.#droppingSince} bytes of output left out of this log]\n`);
      await new Promise<void>((done) => {
        const timer = setTimeout(() => {
          this.#error ??= `log not flushed within ${this.#closeTimeoutMs} ms`;
          stream.destroy();
          done();
        }, this.#closeTimeoutMs);
        stream.end(() => {
          clearTimeout(timer);
          done();
        });
        stream.once('error', () => {
          clearTimeout(timer);
          done();
        });
      });
    }
    return Object.freeze({
      output_bytes: this.#bytes,
      output_lines: this.#lines,
      output_chunks: this.#chunks,
      stderr_bytes: this.#stderrBytes,
      preview_head: this.#head,
      preview_tail: this.#tail,
      log_path: this.#path !== null && this.#stream !== null ? this.#path : null,
      log_waited_lines: this.#waited,
      log_dropped_bytes: this.#dropped,
      log_error: this.#error,
    });
  }
}
