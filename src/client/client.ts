/**
 * stressd's client of the cc_executor protocol (the design contract's PROTOCOL.md): one fresh connection
 * per call, its own deadline (cc_executor's `timeout` is only a silence limit), `pong` for every
 * `ping` (cc_executor drops a silent client after 60 s), and tolerance of every quirk a real
 * server has. The connection itself lives in session.ts.
 */
import { performance } from 'node:perf_hooks';
import { ErrorCode, StressdError } from '../errors.ts';
import { ExecuteSession } from './session.ts';
import type { ExecuteOptions, ExecuteResult } from './types.ts';

/** The JSON-RPC id of every `execute` this client sends (one call per connection). */
export { EXECUTE_ID } from '../protocol/encode.ts';

/**
 * Runs one command on a cc_executor-compatible server and resolves when it ends: completed,
 * or cancelled at the deadline / on abort. Rejects with ConnectFailedError, ConnectionLostError,
 * RpcCallError or ProtocolError (src/client/errors.ts), or with what a callback threw.
 */
export function execute(options: ExecuteOptions): Promise<ExecuteResult> {
  if (typeof options.command !== 'string') {
    return Promise.reject(new StressdError(ErrorCode.usage, 'execute: command must be a string'));
  }
  if (!Number.isFinite(options.deadlineSeconds) || options.deadlineSeconds <= 0) {
    return Promise.reject(
      new StressdError(ErrorCode.usage, `execute: deadlineSeconds must be a positive number, got ${options.deadlineSeconds}`),
    );
  }
  if (options.signal?.aborted) {
    // Nothing was sent, so nothing runs: the abort is confirmed by construction.
    const now = performance.now();
    return Promise.resolve({
      end: { kind: 'aborted', confirmed: true, completed: null },
      pid: null, pgid: null, sentAt: now, endedAt: now,
      outputFrames: 0, malformedFrames: 0, unknownNotifications: 0, serverStall: false, streamError: false,
    });
  }
  return new ExecuteSession(options).done;
}

