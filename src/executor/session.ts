/**
 * One WebSocket connection = one session = at most one process at a time, speaking
 * cc_executor's JSON-RPC (the design contract's PROTOCOL.md) with its error codes and messages.
 */
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import type { RawData } from 'ws';
import {
  ControlType, RpcErrorCode, RpcErrorMessage, RpcFault, controlResultFrame, controlStatus, decodeControlParams, decodeExecuteParams,
  decodeRequest, errorFrame, executeResultFrame, notificationFrame, pingFrame, resultFrame, type RpcId,
} from '../protocol/index.ts';
import { VERSION } from '../version.ts';
import { listen } from '../listeners.ts';
import { checkCommand } from './allow.ts';
import { commandEnv, parseRequestEnv } from './clean-env.ts';
import { ManagedProcess } from './process.ts';
import type { RpcEndpoints } from './trace.ts';
import type { GroupReaper } from './reaper.ts';
import type { ExecutorLogger } from './types.ts';
import { ENV_CAPABILITY } from '../protocol/messages.ts';

export interface SessionOptions {
  allow: ReadonlySet<string> | undefined;
  envPassthrough: readonly string[];
  shell: string;
  killGraceMs: number;
  /** The executor's one reaper (reaper.ts), shared by every session. */
  reaper: GroupReaper;
  highWaterMark: number;
  logger: ExecutorLogger;
}

/** WebSocket close codes used when a frame cannot be JSON-RPC at all (cc_executor drops without a close frame). */
export const CloseCode = { unsupportedData: 1003, invalidPayload: 1007, policy: 1008, goingAway: 1001 } as const;

/** Output flow between two heartbeat ticks that shows the client is taking data (see silent()). */
const FLOW_PROOF_BYTES = 64 * 1024;

export class Session {
  readonly id = randomUUID();
  /**
   * Pings sent since the client last showed it is alive. Any frame counts (a `pong`, a
   * request, the WebSocket-level pong its library sends by itself), and so does reading a
   * backlog of output: under a heavy stream the ping waits behind megabytes of output queued
   * before it (socket buffers on both sides), so its answer comes late by no fault of the client.
   */
  unansweredPings = 0;
  /** Bytes the kernel had taken from the socket at the last heartbeat tick. */
  private flushedAtTick = 0;
  private proc: ManagedProcess | undefined;
  private starting = false;
  private readonly onMessage = (data: RawData, isBinary: boolean): void => {
    this.unansweredPings = 0;
    this.receive(data, isBinary);
  };
  private readonly onAlive = (): void => {
    this.unansweredPings = 0;
  };
  private readonly onClose = (): void => this.ended();
  private readonly onError = (err: Error): void => this.options.logger.debug({ session: this.id, err: err.message }, 'socket error');
  /** Settles when the socket is closed and no process of this session remains. */
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private socketClosed = false;
  private readonly unlisten: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: SessionOptions,
    /** The upgraded connection, to see how much of the output the client has taken. */
    private readonly socket?: Duplex,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.unlisten = listen(ws, { message: this.onMessage, pong: this.onAlive, ping: this.onAlive, close: this.onClose });
    // 'error' is never removed: ws may still emit one after close, and an unhandled 'error' would throw.
    ws.on('error', this.onError);
    this.send(notificationFrame('connected', { session_id: this.id, name: 'stressd-executor', version: VERSION, capabilities: ['execute', 'control', 'stream', ENV_CAPABILITY] }));
  }

  /** Ends the session's process group and closes the socket (server shutdown, heartbeat loss). */
  drop(how: 'close' | 'terminate'): Promise<void> {
    if (how === 'terminate') this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(CloseCode.goingAway, 'server shutting down');
    void this.proc?.terminate('disconnect');
    return this.finished;
  }

  /**
   * At a heartbeat tick: true when the client has left two pings unanswered. Output the kernel
   * took since the last tick counts as an answer when it is more than heartbeats alone could be
   * (FLOW_PROOF_BYTES): the kernel takes data only while the peer's receive window has room, so a
   * hung client stops it once the socket buffers on both sides are full (a few MB), and is then
   * dropped two pings later. Without that, a ping queued behind megabytes of output in those
   * buffers is answered late by no fault of the client, even when our own buffer looks empty.
   */
  silent(): boolean {
    const flushed = this.socket instanceof Socket ? this.socket.bytesWritten - this.socket.writableLength : 0;
    if (flushed - this.flushedAtTick >= FLOW_PROOF_BYTES) this.unansweredPings = 0;
    this.flushedAtTick = flushed;
    return this.unansweredPings >= 2;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends the heartbeat: a JSON-RPC ping (what cc_executor clients answer) and a WebSocket ping. */
  ping(): void {
    this.unansweredPings++;
    this.send(pingFrame());
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  terminateSocket(): void {
    this.ws.terminate();
  }

  private send(frame: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  private ended(): void {
    this.socketClosed = true;
    this.unlisten();
    void this.proc?.terminate('disconnect');
    this.settle();
  }

  private settle(): void {
    if (this.socketClosed && !this.proc && !this.starting) this.resolveFinished();
  }

  private receive(data: RawData, isBinary: boolean): void {
    const decoded = decodeRequest(data, isBinary);
    if (decoded.kind === 'binary') {
      this.ws.close(CloseCode.unsupportedData, 'binary frames are not supported');
      return;
    }
    if (decoded.kind === 'unparsable') {
      this.send(errorFrame(undefined, RpcErrorCode.internal, decoded.message));
      return;
    }
    if (decoded.kind === 'not-object') {
      this.ws.close(CloseCode.invalidPayload, 'a JSON-RPC message must be an object');
      return;
    }
    const { id, method, params } = decoded;
    try {
      switch (method) {
        case 'pong':
          return; // counted as a sign of life in onMessage
        case 'execute':
          void this.execute(id, params).catch((err: unknown) => this.fail(id, err));
          return;
        case 'control':
          this.control(id, params);
          return;
        case 'hook_status':
          this.send(resultFrame(id, { enabled: false, hooks: [], message: 'stressd executor runs no hooks', version: VERSION }));
          return;
        default:
          if (decoded.isResponse) return; // a client's response: nothing to answer
          throw new RpcFault(RpcErrorCode.methodNotFound, RpcErrorMessage.unknownMethod(String(method)));
      }
    } catch (err) {
      this.fail(id, err);
    }
  }

  private fail(id: RpcId | undefined, err: unknown): void {
    if (err instanceof RpcFault) this.send(errorFrame(id, err.code, err.message));
    else {
      this.options.logger.error({ session: this.id, err: (err as Error).message }, 'request failed');
      this.send(errorFrame(id, RpcErrorCode.internal, (err as Error).message));
    }
  }

  private async execute(id: RpcId | undefined, params: unknown): Promise<void> {
    const { command, timeout, traceparent, env } = decodeExecuteParams(params);
    if (this.options.allow) {
      const verdict = checkCommand(command, this.options.allow);
      if (!verdict.allowed) throw new RpcFault(RpcErrorCode.commandRejected, RpcErrorMessage.notAllowed(verdict.name, verdict.why));
    }
    // stressd's extension: the suite's and the test's `env` (a real cc_executor ignores it).
    const extraEnv = parseRequestEnv(env, this.options.allow !== undefined);
    if (typeof extraEnv === 'string') throw new RpcFault(RpcErrorCode.commandRejected, `Invalid params: ${extraEnv}`);
    if (this.proc || this.starting) throw new RpcFault(RpcErrorCode.invalidParams, RpcErrorMessage.alreadyRunning);
    this.starting = true;
    let proc: ManagedProcess;
    try {
      proc = await ManagedProcess.start({
        command,
        shell: this.options.shell,
        env: commandEnv(process.env, this.options.envPassthrough, extraEnv),
        timeoutSeconds: timeout,
        killGraceMs: this.options.killGraceMs,
        reaper: this.options.reaper,
        traceparent,
        endpoints: this.endpoints(),
        requestId: id,
        send: (frame) => this.send(frame),
        // ws counts what is sent after close into bufferedAmount, which then only grows: a closed
        // socket must not hold the reading back, or the group's pipes are never drained.
        congested: () => this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount > this.options.highWaterMark,
      });
    } finally {
      this.starting = false;
      this.settle();
    }
    this.proc = proc;
    this.options.logger.info({ session: this.id, childPid: proc.pid }, 'process started');
    if (this.socketClosed) void proc.terminate('disconnect');
    this.send(executeResultFrame(id, { status: 'started', pid: proc.pid, pgid: proc.pgid }));
    this.send(notificationFrame('process.started', { status: 'started', pid: proc.pid, pgid: proc.pgid, exit_code: null, error: null }));
    proc.begin();
    const completed = await proc.completed;
    this.proc = undefined;
    this.options.logger.info({ session: this.id, childPid: proc.pid, exit_code: completed.exit_code, signal: completed.signal, terminated_by: completed.terminated_by }, 'process completed');
    this.send(notificationFrame('process.completed', completed));
    this.settle();
  }

  /** Both ends of the connection as this server sees them (nothing when not a TCP socket). */
  private endpoints(): RpcEndpoints {
    const s = this.socket;
    if (!(s instanceof Socket)) return {};
    // A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; the convention wants the address itself.
    const plain = (a: string | undefined): string | undefined => a?.replace(/^::ffff:(?=\d+\.)/, '');
    return { serverAddress: plain(s.localAddress), serverPort: s.localPort, clientAddress: plain(s.remoteAddress), clientPort: s.remotePort };
  }

  private control(id: RpcId | undefined, params: unknown): void {
    const type = decodeControlParams(params);
    const proc = this.proc;
    if (!proc) throw new RpcFault(RpcErrorCode.noProcess, RpcErrorMessage.noProcess);
    if (!proc.running) throw new RpcFault(RpcErrorCode.internal, RpcErrorMessage.groupNotFound(proc.pgid));
    const status = controlStatus[type];
    if (type !== ControlType.cancel && !(type === ControlType.pause ? proc.pause() : proc.resume())) {
      throw new RpcFault(RpcErrorCode.internal, RpcErrorMessage.groupNotFound(proc.pgid));
    }
    this.send(controlResultFrame(id, { status }));
    // Unlike cc_executor, a cancel is followed by process.completed (terminated_by "cancel") once
    // the group is gone; completed_follows tells a client that it is worth waiting for.
    const cancel = type === ControlType.cancel;
    this.send(notificationFrame(`process.${status}`, cancel ? { status, pid: proc.pid, pgid: proc.pgid, completed_follows: true } : { status, pid: proc.pid, pgid: proc.pgid }));
    if (cancel) void proc.terminate('cancel');
  }
}
