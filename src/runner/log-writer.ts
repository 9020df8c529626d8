/**
 * A test's full output streamed to its log file in bounded memory: lines are copied into a fixed
 * pool of reusable blocks written one `writev` at a time (a write per line, or a Buffer per write,
 * made the heap and RSS grow with the output rate). When the disk is slower than the stream,
 * blocks queue up to `maxBufferedBytes` (lines that had to wait are counted), and past that cap
 * lines are left out of the log (counted, and marked in it) rather than held.
 *
 * A write that fails (disk full, read-only, permission) is never silent (DESIGN section 13): the
 * first error is kept with its code, every byte that did not reach the file from then on is
 * counted as dropped, and the summary says the log is not complete.
 */
import { close as closeFd, open as openFd, writev } from 'node:fs';
import { dirname } from 'node:path';
import { errorCode, makeDir, writeErrorText } from '../fs-errors.ts';

/** Log blocks: output is copied into reusable 64 KiB buffers, written one at a time. */
const BLOCK_BYTES = 64 * 1024;
/** A quiet test's output reaches its log within this long (a full block goes at once). */
export const FLUSH_EVERY_MS = 1000;

export interface LogSummary {
  /** Null when the log could not even be opened (or none was asked for). */
  log_path: string | null;
  /** Lines written while the log file was still draining earlier ones. */
  log_waited_lines: number;
  /** Bytes that are not in the log: over the buffer cap, or after a write failed. */
  log_dropped_bytes: number;
  /** Why the log could not be written whole, with the error's code; null when nothing failed. */
  log_error: string | null;
  /** True only when every byte handed over is in the file. */
  log_complete: boolean;
}

interface Queued {
  buf: Buffer;
  len: number;
  pooled: boolean;
}

export interface LogWriterOptions {
  path: string | null;
  /** Default 8 MiB: bounds the log's memory. */
  maxBufferedBytes?: number;
  /** A stuck disk is given up on after this long at close; default 10 s. */
  closeTimeoutMs?: number;
  /** How often a block that is not full is written anyway; default FLUSH_EVERY_MS. */
  flushEveryMs?: number;
}

export class BlockLogWriter {
  readonly #path: string | null;
  readonly #maxBuffered: number;
  readonly #closeTimeoutMs: number;
  readonly #flushEveryMs: number;
  /** The log's file descriptor. Plain fds and callbacks: under load (200 sessions, a flush each a second) a FileHandle's promises cost more than the writes. */
  #file: number | null = null;
  #error: string | null = null;
  #waited = 0;
  #dropped = 0;
  #droppingSince = 0;
  #closing = false;
  // The block being filled, the blocks waiting for the disk, and the free ones for reuse.
  #block: Buffer | null = null;
  #used = 0;
  #queue: Queued[] = [];
  #queuedBytes = 0;
  #free: Buffer[] = [];
  #writing = false;
  #idle: (() => void) | null = null;
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(opts: LogWriterOptions) {
    this.#path = opts.path;
    this.#maxBuffered = Math.max(BLOCK_BYTES, opts.maxBufferedBytes ?? 8 * 1024 * 1024);
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.#flushEveryMs = opts.flushEveryMs ?? FLUSH_EVERY_MS;
  }

  /** Creates the log's directory and opens it; a failure is recorded, never thrown (the test still runs). */
  async open(): Promise<void> {
    if (this.#path === null) return;
    try {
      // The folder is there for every test of a run but the first: try the file before making it.
      this.#file = await openLog(this.#path).catch(async (err: unknown) => {
        if (errorCode(err) !== 'ENOENT' || this.#path === null) throw err;
        await makeDir(dirname(this.#path));
        return openLog(this.#path);
      });
      // A quiet test still reaches its log within a second.
      this.#flushTimer = setInterval(() => this.#flushBlock(), this.#flushEveryMs);
      this.#flushTimer.unref();
    } catch (err) {
      this.#error = writeErrorText(err);
    }
  }

  /** Takes one line (or piece of one) of `bytes` UTF-8 bytes. */
  write(data: string, bytes: number): void {
    if (this.#path === null) return;
    if (this.#file === null || this.#error !== null || this.#closing) {
      this.#dropped += bytes;
      return;
    }
    const waiting = this.#queuedBytes + this.#used;
    // A line bigger than the cap is not a sign of a slow disk: with nothing waiting it is taken
    // (memory: one copy of a line the client already holds), or it could never be logged at all.
    if (waiting > 0 && waiting + bytes > this.#maxBuffered) {
      this.#dropped += bytes;
      this.#droppingSince += bytes;
      return;
    }
    this.#noteDropped('the disk did not keep up');
    if (this.#writing) this.#waited++;
    this.#copy(data, bytes);
  }

  /** Marks in the log where output was left out, once writing resumes (or at the end). */
  #noteDropped(why: string): void {
    if (this.#droppingSince === 0) return;
    const note = `\n[stressd: ${this.#droppingSince} bytes of output left out of this log${why ? `: ${why}` : ''}]\n`;
    this.#droppingSince = 0;
    this.#copy(note, Buffer.byteLength(note));
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
    if (this.#error !== null) {
      this.#dropped += len;
      this.#recycle({ buf, len, pooled });
      return;
    }
    this.#queue.push({ buf, len, pooled });
    this.#queuedBytes += len;
    this.#pump();
  }

  #recycle(item: Queued): void {
    if (item.pooled && this.#free.length < this.#maxBuffered / BLOCK_BYTES) this.#free.push(item.buf);
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
    const total = items.reduce((sum, i) => sum + i.len, 0);
    writeWhole(file, items.map((i) => i.buf.subarray(0, i.len)), (written, error) => {
      if (error !== null) {
        this.#error ??= writeErrorText(error);
        // What this write did not take, and everything queued behind it, is not in the log.
        this.#dropped += total - written;
        for (const item of this.#queue) {
          this.#dropped += item.len;
          this.#recycle(item);
        }
        this.#queue = [];
      }
      this.#writing = false;
      this.#queuedBytes = this.#queue.reduce((sum, i) => sum + i.len, 0);
      for (const item of items) this.#recycle(item);
      this.#pump();
    });
  }

  /** Flushes and closes the log (bounded: a stuck disk is given up on after closeTimeoutMs). Call once. */
  async close(): Promise<LogSummary> {
    this.#closing = true;
    if (this.#flushTimer !== null) clearInterval(this.#flushTimer);
    const file = this.#file;
    if (file !== null) {
      if (this.#error === null) this.#noteDropped('');
      this.#flushBlock();
      await this.#drained();
      await new Promise<void>((done) =>
        closeFd(file, (err) => {
          if (err !== null) this.#error ??= writeErrorText(err);
          done();
        }),
      );
    }
    this.#free = [];
    this.#block = null;
    const opened = this.#path !== null && file !== null;
    return Object.freeze({
      log_path: opened ? this.#path : null,
      log_waited_lines: this.#waited,
      log_dropped_bytes: this.#dropped,
      log_error: this.#error,
      log_complete: opened && this.#error === null && this.#dropped === 0,
    });
  }

  #drained(): Promise<void> {
    return new Promise<void>((done) => {
      const timer = setTimeout(() => {
        this.#error ??= `log not flushed within ${this.#closeTimeoutMs} ms`;
        // What is still queued may never land: it is not counted as written.
        this.#dropped += this.#queuedBytes;
        this.#idle = null;
        done();
      }, this.#closeTimeoutMs);
      this.#idle = () => {
        clearTimeout(timer);
        this.#idle = null;
        done();
      };
      if (!this.#writing && this.#queue.length === 0) this.#idle();
    });
  }
}

function openLog(path: string): Promise<number> {
  return new Promise((resolve, reject) => openFd(path, 'w', (err, fd) => (err === null ? resolve(fd) : reject(err))));
}

/**
 * writev until every byte is written: a disk that fills up takes part of a write (a short count,
 * no error) and refuses the next with ENOSPC; reading the count is what makes that error seen.
 */
function writeWhole(fd: number, bufs: Buffer[], done: (written: number, error: unknown) => void): void {
  const total = bufs.reduce((sum, b) => sum + b.length, 0);
  let written = 0;
  const next = (rest: Buffer[]): void => {
    writev(fd, rest, (err, bytesWritten) => {
      if (err !== null) return done(written, err);
      if (bytesWritten <= 0) return done(written, new Error('the log file took no bytes (a short write)'));
      written += bytesWritten;
      if (written < total) next(skipBytes(rest, bytesWritten));
      else done(written, null);
    });
  };
  if (total === 0) done(0, null);
  else next(bufs);
}

function skipBytes(bufs: Buffer[], n: number): Buffer[] {
  let left = n;
  const out: Buffer[] = [];
  for (const b of bufs) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
}
