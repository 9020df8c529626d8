/**
 * Reads like a patient user. A reader that takes every frame the moment it arrives makes a
 * single-threaded server wake this process once per write: on a cc_executor server that cost
 * 59 µs of server CPU per frame against 35 µs for a Python client (docs/benchmarks.md). So after
 * each read from the socket, reading stops for `windowMs` and the kernel's receive buffer fills;
 * the next read takes all that came meanwhile in one go, and the server's writes wake no one.
 *
 * Time stays honest: every read is stamped (`at`) before ws parses it, and the frames parsed from
 * it carry that stamp — the time their bytes were read, not when a handler got to them. No pause
 * comes before the first output (`arm`), nor after a read that followed a quiet moment (a stream
 * slower than the window), so a first output is stamped the instant it arrives; a frame that
 * arrived during a pause is stamped at most `windowMs` late. A `ping` waits at most as long
 * (cc_executor drops a client only after 60 s without `pong`).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';

export const DEFAULT_COALESCE_MS = 2;

/**
 * A read at least this big found a backlog already waiting: the server is ahead of us, its writes
 * coalesce in the kernel on their own, and a pause would only slow the stream (a fast executor
 * streamed 2.3× slower with a pause after every read). Only small reads, a server that wakes us per
 * frame, are followed by a pause.
 */
export const BACKLOG_BYTES = 8 * 1024;

/** Reads further apart than this many windows come from a stream a pause cannot coalesce. */
export const SLOW_GAP_WINDOWS = 3;

export class CoalescingReader {
  /** performance.now() of the latest read from the socket. */
  at = 0;
  /** Reads taken from the socket (each may carry many frames). */
  reads = 0;
  /** Pauses taken after a read. */
  pauses = 0;
  readonly #windowMs: number;
  #ws: WebSocket | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #armed = false;

  constructor(windowMs: number) {
    this.#windowMs = Math.max(0, windowMs);
  }

  /**
   * For ws's `createConnection`: a plain TCP connection whose reads are stamped. Its readable
   * high-water mark of one byte makes a paused socket stop reading from the kernel after at most
   * one more read (at the default 16 KiB it would go on waking for every write until 16 KiB piled up).
   */
  readonly createConnection = (options: net.NetConnectOpts): net.Socket => {
    // Node's Socket takes stream options (readableHighWaterMark) that @types/node does not list.
    const withMark: net.NetConnectOpts & { readableHighWaterMark: number } = { ...options, readableHighWaterMark: 1 };
    const socket = net.connect(withMark);
    // Added before http's and ws's own listeners, so it runs first for every read.
    socket.on('data', this.#onData);
    return socket;
  };

  attach(ws: WebSocket): void {
    this.#ws = ws;
  }

  /**
   * Pauses may start: called at the first output. Until then every read is taken at once, so the
   * first output, which comes right behind the execute response and process.started, is stamped
   * when it arrives, not a window later.
   */
  arm(): void {
    this.#armed = true;
  }

  /** Reads at once from now on (e.g. while closing) and clears the timer. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    if (ws !== null && ws.isPaused) ws.resume();
  }

  readonly #onData = (chunk: Buffer): void => {
    const now = performance.now();
    const gap = now - this.at;
    this.at = now;
    this.reads++;
    const ws = this.#ws;
    if (!this.#armed || this.#windowMs === 0 || this.#stopped || this.#timer !== null || ws === null || ws.readyState !== 1) return;
    if (chunk.length >= BACKLOG_BYTES) return;
    // A stream slower than the window (a read long after the last): a pause would end before the
    // next write and merge nothing, at the price of a timer per frame (200 sessions at 8 lines/s).
    if (gap > SLOW_GAP_WINDOWS * this.#windowMs) return;
    // ws parses this read after this listener returns, paused or not; what comes next waits.
    ws.pause();
    this.pauses++;
    this.#timer = setTimeout(this.#onWindowOver, this.#windowMs);
  };

  readonly #onWindowOver = (): void => {
    this.#timer = null;
    if (!this.#stopped) this.#ws?.resume();
  };
}
