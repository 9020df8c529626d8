/** The public face of stressd's WebSocket client (implemented in client.ts). */
import type { OutputStream, ProcessCompletedParams } from '../protocol/index.ts';

export interface ExecuteOptions {
  /** ws://HOST:PORT/ws/mcp */
  url: string;
  command: string;
  /** The client's own deadline, in seconds; CANCEL is sent when it passes. Also sent as the integer `timeout`. */
  deadlineSeconds: number;
  /** Upgrade timeout in ms; default 10,000. */
  connectTimeoutMs?: number;
  /**
   * The bound on the wait after CANCEL for process.canceled and the process.completed that may
   * follow it; default 5,000 ms. After process.canceled the client waits for a completion
   * within what is left of it when the server announced one (`completed_follows`, stressd's
   * executor), and at most 1 s otherwise (cc_executor sends none).
   */
  cancelWaitMs?: number;
  /** Sent as `Authorization: Bearer …` on the upgrade. */
  token?: string;
  /** The suite's and the test's variables, sent as params.env (stressd's extension; a cc_executor ignores it). */
  env?: Readonly<Record<string, string>>;
  /** W3C traceparent, sent as params._meta.traceparent. */
  traceparent?: string;
  /** Aborting sends CANCEL, as the deadline does, and the result says `aborted`. */
  signal?: AbortSignal;
  /**
   * After each read from the socket, reading pauses this long (ms) so the server's writes pile up
   * and are taken in one read instead of waking this process once per frame; default 2, 0 reads
   * every frame at once. Timestamps are the reads' arrival times: at most this late.
   */
  coalesceMs?: number;
  /** Called in order for every complete (joined) line. */
  onLine?: (line: OutputLine) => void;
  onStarted?: (info: { pid: number; pgid: number | null; at: number }) => void;
  /** Every notification other than output/started/completed/canceled/ping (rate limits, hooks, unknown ones). */
  onNotification?: (method: string, params: unknown) => void;
}

export interface OutputLine {
  stream: OutputStream;
  /** The whole line as sent (chunks joined), trailing "\n" kept. */
  data: string;
  /** UTF-8 bytes of `data`. */
  bytes: number;
  /** `process.output` frames this line came in. */
  chunks: number;
  /**
   * performance.now() (ms, high resolution) when the read that carried the last frame of the line
   * arrived, stamped before the read was parsed (at most `coalesceMs` after the bytes reached the kernel).
   */
  receivedAt: number;
  /** The server's `[Stream timed out after Ns]` line. */
  serverStall: boolean;
  /** The server's `[Stream error: …]` line. */
  streamError: boolean;
  /**
   * More of this line follows in the next OutputLine of the same stream: a line longer than the
   * client holds (4 Mi UTF-16 units) is handed over in pieces, each with its own `bytes` and
   * `chunks`; only the last piece has `partial` false. Count a line when `partial` is false.
   */
  partial: boolean;
}

/** How an execute ended. Thrown errors (see errors.ts) cover connect failures, lost connections and RPC errors. */
export type ExecuteEnd =
  | { kind: 'completed'; completed: ProcessCompletedParams }
  /**
   * The deadline passed (or the signal aborted) and CANCEL was sent; confirmed when the server
   * answered with process.canceled/completed in time; `completed` (exit code, signal) when a
   * process.completed came within the wait (see `cancelWaitMs`).
   */
  | { kind: 'deadline' | 'aborted'; confirmed: boolean; completed: ProcessCompletedParams | null };

export interface ExecuteResult {
  end: ExecuteEnd;
  pid: number | null;
  pgid: number | null;
  /** performance.now() when execute was sent. */
  sentAt: number;
  /** performance.now() when process.completed (or the cancel confirmation) arrived. */
  endedAt: number;
  outputFrames: number;
  /** Reads taken from the socket after the upgrade; output frames ÷ reads is how well reads coalesced. */
  socketReads?: number;
  malformedFrames: number;
  unknownNotifications: number;
  /** A `[Stream timed out after Ns]` line arrived (cc_executor's silence limit fired). */
  serverStall: boolean;
  /** A `[Stream error: …]` line arrived (cc_executor stopped reading a stream). */
  streamError: boolean;
}
