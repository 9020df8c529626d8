/**
 * Every frame stressd puts on the wire, in both directions, as the string to send. `process.output`
 * is the hot path (one frame per line, by protocol), so its envelope is a constant template and
 * only the data goes through JSON.stringify.
 */
import {
  ControlType,
  type ControlResult,
  type ExecuteParams,
  type ExecuteResult,
  type OutputStream,
  type RpcId,
  type ServerNotificationMap,
  type ServerNotificationMethod,
} from './messages.ts';

// ---------------------------------------------------------------- client → server

/** The ids stressd's client gives its two requests: a reply is told apart by its id alone. */
export const EXECUTE_ID = 1;
export const CANCEL_ID = 2;

export const PONG = '{"jsonrpc":"2.0","method":"pong"}';

export interface ExecuteRequestOptions {
  command: string;
  /** The client's own deadline in seconds; the wire carries it rounded up to whole seconds. */
  deadlineSeconds: number;
  traceparent?: string;
  env?: Record<string, string>;
}

export function executeRequest(opts: ExecuteRequestOptions, id: RpcId = EXECUTE_ID): string {
  const params: ExecuteParams = {
    command: opts.command,
    // cc_executor rejects a float and guesses a limit when none is given: always send an integer.
    timeout: Math.max(1, Math.ceil(opts.deadlineSeconds)),
  };
  if (opts.env && Object.keys(opts.env).length > 0) params.env = opts.env;
  if (opts.traceparent) params._meta = { traceparent: opts.traceparent };
  return JSON.stringify({ jsonrpc: '2.0', method: 'execute', params, id });
}

export function controlRequest(type: ControlType, id: RpcId): string {
  return JSON.stringify({ jsonrpc: '2.0', method: 'control', params: { type }, id });
}

/** Sent once per cancelled session: built once. */
export const CANCEL_REQUEST = controlRequest(ControlType.cancel, CANCEL_ID);

// ---------------------------------------------------------------- server → client

const outputPrefix: Record<OutputStream, string> = {
  stdout: '{"jsonrpc":"2.0","method":"process.output","params":{"type":"stdout","data":',
  stderr: '{"jsonrpc":"2.0","method":"process.output","params":{"type":"stderr","data":',
};
const UNSPLIT_SUFFIX = ',"truncated":false,"chunk_index":null,"total_chunks":null}}';

export function outputFrame(
  stream: OutputStream,
  data: string,
  chunkIndex: number | null,
  totalChunks: number | null,
  truncated: boolean,
): string {
  if (chunkIndex === null) return outputPrefix[stream] + JSON.stringify(data) + UNSPLIT_SUFFIX;
  return `${outputPrefix[stream]}${JSON.stringify(data)},"truncated":${truncated},"chunk_index":${chunkIndex},"total_chunks":${totalChunks === null ? 'null' : totalChunks}}}`;
}

/** A notification the protocol defines, its params checked against the method. */
export function notificationFrame<M extends ServerNotificationMethod>(method: M, params: ServerNotificationMap[M]): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

export function pingFrame(nowMs: number = Date.now()): string {
  return notificationFrame('ping', { timestamp: Math.floor(nowMs / 1000) });
}

/** Without a request id the reply carries no `id` key (cc_executor does the same). */
export function resultFrame(id: RpcId | undefined, result: unknown): string {
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', result } : { jsonrpc: '2.0', result, id });
}

export function executeResultFrame(id: RpcId | undefined, result: ExecuteResult): string {
  return resultFrame(id, result);
}

export function controlResultFrame(id: RpcId | undefined, result: ControlResult): string {
  return resultFrame(id, result);
}

export function errorFrame(id: RpcId | undefined, code: number, message: string): string {
  const error = { code, message, data: null };
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', error, id });
}
