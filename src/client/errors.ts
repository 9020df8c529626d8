/**
 * What `execute()` throws. Every error carries a stable `code` (src/errors.ts) so the runner can
 * map it to a failure reason without reading the wording.
 */
import { ErrorCode, StressdError } from '../errors.ts';

/** The upgrade never completed: refused, DNS, rejected (e.g. 401), or the connect timeout. */
export class ConnectFailedError extends StressdError {
  readonly url: string;
  /** Short cause, e.g. "ECONNREFUSED", "Unexpected server response: 401", "timed out after 10000 ms". */
  readonly reason: string;

  constructor(url: string, reason: string, options?: { cause?: unknown }) {
    super(ErrorCode.connectFailed, `could not connect to ${url}: ${reason}`, options);
    this.name = 'ConnectFailedError';
    this.url = url;
    this.reason = reason;
  }
}

/** What had arrived before the connection was lost; lines themselves went to `onLine` already. */
export interface ReceivedSoFar {
  pid: number | null;
  pgid: number | null;
  outputFrames: number;
  malformedFrames: number;
  unknownNotifications: number;
  /** performance.now() when execute was sent (null if it never was). */
  sentAt: number | null;
  /** performance.now() when the loss was seen. */
  lostAt: number;
}

/** The socket closed (1006 or any close code) before the process completed. */
export class ConnectionLostError extends StressdError {
  readonly url: string;
  readonly closeCode: number;
  readonly closeReason: string;
  readonly received: ReceivedSoFar;

  constructor(url: string, closeCode: number, closeReason: string, received: ReceivedSoFar) {
    const why = closeReason ? `${closeCode} ${closeReason}` : String(closeCode);
    super(
      ErrorCode.connectionLost,
      `connection to ${url} lost before the process completed (close ${why}) after ${received.outputFrames} output frames`,
    );
    this.name = 'ConnectionLostError';
    this.url = url;
    this.closeCode = closeCode;
    this.closeReason = closeReason;
    this.received = received;
  }
}

/** The server answered a request with a JSON-RPC error. */
export class RpcCallError extends StressdError {
  readonly method: string;
  readonly rpcCode: number;
  readonly rpcMessage: string;
  readonly data: unknown;

  constructor(method: string, rpcCode: number, rpcMessage: string, data: unknown = null) {
    super(ErrorCode.rpc, `${method} failed: ${rpcCode} ${rpcMessage}`);
    this.name = 'RpcCallError';
    this.method = method;
    this.rpcCode = rpcCode;
    this.rpcMessage = rpcMessage;
    this.data = data;
  }
}

/** A reply the client cannot use (e.g. an execute result without a pid). */
export class ProtocolError extends StressdError {
  constructor(message: string) {
    super(ErrorCode.protocol, message);
    this.name = 'ProtocolError';
  }
}
