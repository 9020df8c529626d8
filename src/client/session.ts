/**
 * One `execute` on one fresh connection, from the upgrade to the socket's close. Every listener
 * and timer it adds is removed before its promise settles. The per-frame path parses each frame
 * once, uses no per-frame closures, and allocates nothing but the line. Reads are coalesced and
 * every frame is stamped with the time its read arrived (coalesce.ts), not the time it was handled.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import {
  CANCEL_REQUEST, KNOWN_NOTIFICATIONS, PONG, executeRequest, isCompletedParams, isObject, isOutputParams, parseFrame,
  type ProcessCompletedParams,
} from '../protocol/index.ts';
import { listen } from '../listeners.ts';
import { CancelWait } from './cancel-wait.ts';
import { CoalescingReader, DEFAULT_COALESCE_MS } from './coalesce.ts';
import { ConnectFailedError, ConnectionLostError } from './errors.ts';
import { LineAssembler } from './lines.ts';
import { readResponse } from './response.ts';
import { ignore, openSocket, startClose, toError } from './socket.ts';
import type { ExecuteEnd, ExecuteOptions, ExecuteResult, OutputLine } from './types.ts';

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_CANCEL_WAIT_MS = 5_000;
/** A peer that never answers our close frame is destroyed after this long. */
const CLOSE_GRACE_MS = 1_000;

type Phase = 'connecting' | 'running' | 'cancelling' | 'closing';
type Outcome = { ok: true; end: ExecuteEnd } | { ok: false; error: Error };

export class ExecuteSession {
  readonly done: Promise<ExecuteResult>;
  private resolve!: (result: ExecuteResult) => void;
  private reject!: (error: Error) => void;
  private readonly opts: ExecuteOptions;
  private readonly ws: WebSocket;
  private readonly lines = new LineAssembler();
  private readonly reader: CoalescingReader;
  /** Inside a frame's handler: the frame's arrival time stands for "now". */
  private inFrame = false;
  private phase: Phase = 'connecting';
  private cancelKind: 'deadline' | 'aborted' = 'deadline';
  private outcome: Outcome | null = null;
  private settled = false;
  private pid: number | null = null;
  private pgid: number | null = null;
  private startedReported = false;
  private sentAt: number | null = null;
  private endedAt = 0;
  private outputFrames = 0;
  private malformedFrames = 0;
  private unknownNotifications = 0;
  private serverStall = false;
  private streamError = false;
  private connectTimer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private readonly cancelWait = new CancelWait(() => this.onCancelWaitOver());
  private closeTimer: NodeJS.Timeout | undefined;
  private readonly unlistenSocket: () => void;
  private readonly unlistenSignal: () => void;

  constructor(opts: ExecuteOptions) {
    this.opts = opts;
    this.done = new Promise<ExecuteResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.reader = new CoalescingReader(opts.coalesceMs ?? DEFAULT_COALESCE_MS);
    this.ws = openSocket(opts, this.reader);
    this.unlistenSocket = listen(this.ws, { open: this.onOpen, message: this.onMessage, error: this.onError, close: this.onClose });
    // An AbortSignal aborts once, so its listener needs no `once`: finish() removes it.
    this.unlistenSignal = opts.signal ? listen(opts.signal, { abort: this.onAbort }) : ignore;
    const connectMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.connectTimer = setTimeout(this.onConnectTimeout, connectMs, connectMs);
  }

  private readonly onOpen = (): void => {
    clearTimeout(this.connectTimer);
    if (this.phase !== 'connecting') return;
    this.phase = 'running';
    this.ws.send(executeRequest(this.opts));
    this.sentAt = performance.now();
    this.deadlineTimer = setTimeout(this.onDeadline, this.opts.deadlineSeconds * 1000);
  };

  private readonly onConnectTimeout = (ms: number): void => {
    this.finish({ ok: false, error: new ConnectFailedError(this.opts.url, `timed out after ${ms} ms`) });
  };

  private readonly onDeadline = (): void => this.beginCancel('deadline');

  private readonly onAbort = (): void => {
    if (this.phase === 'connecting') {
      this.finish({ ok: true, end: { kind: 'aborted', confirmed: true, completed: null } });
      return;
    }
    this.beginCancel('aborted');
  };

  private onCancelWaitOver(): void {
    this.finish({ ok: true, end: { kind: this.cancelKind, confirmed: this.cancelWait.confirmed, completed: null } });
  }

  private readonly onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (this.phase === 'closing') return;
    const frame = parseFrame(data, isBinary);
    if (frame === null) {
      this.malformedFrames++;
      return;
    }
    const method = frame.method;
    this.inFrame = true;
    try {
      if (method === 'process.output') this.onOutput(frame.params);
      else if (typeof method === 'string') this.onNotificationFrame(method, frame.params);
      else this.onResponse(frame);
    } finally {
      this.inFrame = false;
    }
  };

  /** When the current frame's bytes were read; performance.now() outside a frame (timers, errors). */
  private now(): number {
    return this.inFrame ? this.reader.at : performance.now();
  }

  private onOutput(params: unknown): void {
    if (!isOutputParams(params)) {
      this.malformedFrames++;
      return;
    }
    if (this.outputFrames++ === 0) this.reader.arm();
    const line = this.lines.push(params, this.reader.at);
    if (line !== null) this.deliver(line);
  }

  private deliver(line: OutputLine): void {
    if (line.serverStall) this.serverStall = true;
    else if (line.streamError) this.streamError = true;
    const onLine = this.opts.onLine;
    if (onLine === undefined) return;
    this.guarded(() => onLine(line));
  }

  private onNotificationFrame(method: string, params: unknown): void {
    switch (method) {
      case 'ping':
        this.ws.send(PONG);
        return;
      case 'process.started':
        if (isObject(params) && Number.isInteger(params.pid)) this.noteStarted(params.pid as number, params.pgid);
        return;
      case 'process.completed':
        this.onCompleted(params);
        return;
      case 'process.canceled':
      case 'process.cancelled':
        // Confirmed; a process.completed (exit code, signal) may still follow: see cancel-wait.ts.
        if (this.phase === 'cancelling') {
          this.cancelWait.canceled(isObject(params) && params.completed_follows === true, this.now());
          return;
        }
        break;
      default:
        if (!KNOWN_NOTIFICATIONS.has(method)) this.unknownNotifications++;
    }
    const onNotification = this.opts.onNotification;
    if (onNotification === undefined) return;
    this.guarded(() => onNotification(method, params));
  }

  private onCompleted(params: unknown): void {
    if (!isObject(params) || !isCompletedParams(params)) {
      this.malformedFrames++;
      return;
    }
    // cc_executor's stall quirk: completed (exit 0) may come while the process still runs.
    // It is the end all the same; the runner sees the "[Stream timed out" line.
    const completed = params as unknown as ProcessCompletedParams;
    if (this.phase === 'cancelling') {
      this.finish({ ok: true, end: { kind: this.cancelKind, confirmed: true, completed } });
    } else {
      this.finish({ ok: true, end: { kind: 'completed', completed } });
    }
  }

  private onResponse(frame: Record<string, unknown>): void {
    const meaning = readResponse(frame, this.pid !== null);
    if (meaning.kind === 'fail') this.finish({ ok: false, error: meaning.error });
    else if (meaning.kind === 'started') this.noteStarted(meaning.pid, meaning.pgid);
  }

  private noteStarted(pid: number, pgid: unknown): void {
    if (this.pid === null) this.pid = pid;
    if (this.pgid === null && Number.isInteger(pgid)) this.pgid = pgid as number;
    if (this.startedReported) return;
    this.startedReported = true;
    const onStarted = this.opts.onStarted;
    if (onStarted === undefined) return;
    this.guarded(() => onStarted({ pid: this.pid as number, pgid: this.pgid, at: this.now() }));
  }

  /** A caller's callback that throws ends the session with that error (it is a bug of the caller). */
  private guarded(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.finish({ ok: false, error: toError(error) });
    }
  }

  private beginCancel(kind: 'deadline' | 'aborted'): void {
    if (this.phase !== 'running') return;
    this.phase = 'cancelling';
    this.cancelKind = kind;
    clearTimeout(this.deadlineTimer);
    this.ws.send(CANCEL_REQUEST);
    this.cancelWait.start(this.opts.cancelWaitMs ?? DEFAULT_CANCEL_WAIT_MS, performance.now());
  }

  private readonly onError = (error: Error): void => {
    if (this.phase === 'connecting') this.finish({ ok: false, error: new ConnectFailedError(this.opts.url, error.message, { cause: error }) });
    // Later errors (e.g. an invalid frame) are followed by 'close', which decides.
  };

  private readonly onClose = (code: number, reason: Buffer): void => {
    if (this.outcome === null) {
      if (this.phase === 'connecting') {
        this.finish({ ok: false, error: new ConnectFailedError(this.opts.url, `closed ${code} before the upgrade`) });
      } else if (this.phase === 'cancelling') {
        // The server hung up after our CANCEL; its side ends the process group on disconnect.
        this.finish({ ok: true, end: { kind: this.cancelKind, confirmed: this.cancelWait.confirmed, completed: null } });
      } else {
        const now = performance.now();
        this.flushLines(now);
        const received = {
          pid: this.pid, pgid: this.pgid, outputFrames: this.outputFrames, malformedFrames: this.malformedFrames,
          unknownNotifications: this.unknownNotifications, sentAt: this.sentAt, lostAt: now,
        };
        this.finish({ ok: false, error: new ConnectionLostError(this.opts.url, code, reason.toString(), received) });
      }
    }
    this.settle();
  };

  /** Decides the outcome once, stops every timer, and starts closing the socket. */
  private finish(outcome: Outcome): void {
    if (this.outcome !== null) return;
    this.outcome = outcome;
    this.endedAt = this.now();
    this.reader.stop();
    if (outcome.ok) this.flushLines(this.endedAt);
    this.phase = 'closing';
    clearTimeout(this.connectTimer);
    clearTimeout(this.deadlineTimer);
    this.cancelWait.stop();
    this.unlistenSignal();
    if (startClose(this.ws)) this.closeTimer = setTimeout(this.onCloseGraceOver, CLOSE_GRACE_MS);
    else this.settle();
  }

  private readonly onCloseGraceOver = (): void => this.ws.terminate();

  private flushLines(at: number): void {
    const rest = this.lines.flush(at);
    for (const line of rest) this.deliver(line);
  }

  /** Runs once the socket is closed: removes every listener and timer, then resolves/rejects. */
  private settle(): void {
    const outcome = this.outcome;
    if (outcome === null || this.settled || this.ws.readyState !== WebSocket.CLOSED) return;
    this.settled = true;
    clearTimeout(this.closeTimer);
    this.reader.stop();
    this.unlistenSocket();
    // 'error' stays a no-op listener: ws may still report a late socket error, and an
    // EventEmitter without an 'error' listener would throw it.
    this.ws.on('error', ignore);
    if (!outcome.ok) {
      this.reject(outcome.error);
      return;
    }
    this.resolve({
      end: outcome.end,
      pid: this.pid,
      pgid: this.pgid,
      sentAt: this.sentAt ?? this.endedAt,
      endedAt: this.endedAt,
      outputFrames: this.outputFrames,
      socketReads: this.reader.reads,
      malformedFrames: this.malformedFrames,
      unknownNotifications: this.unknownNotifications,
      serverStall: this.serverStall,
      streamError: this.streamError,
    });
  }
}
