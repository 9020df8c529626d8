/**
 * The cc_executor WebSocket JSON-RPC 2.0 protocol (the design contract's PROTOCOL.md), as types shared by
 * stressd's client and its embedded executor. Field names are the wire's own (snake_case).
 */

export const JSONRPC_VERSION = '2.0' as const;

/** JSON-RPC ids are echoed back unchanged; without one the reply carries no `id` key. */
export type RpcId = string | number;

/** Error codes a real cc_executor server answers with (its own table, quirks included). */
export const RpcErrorCode = {
  /** cc_executor answers malformed JSON and failed validation with -32603, not -32700/-32602. */
  internal: -32603,
  methodNotFound: -32601,
  /** Used by cc_executor for "A process is already running". */
  invalidParams: -32602,
  /** Blank command, command not allowed. */
  commandRejected: -32001,
  /** Control with no process. */
  noProcess: -32002,
  sessionLimit: -32003,
} as const;
export type RpcErrorCode = (typeof RpcErrorCode)[keyof typeof RpcErrorCode];

export const RpcErrorMessage = {
  emptyCommand: 'Command cannot be empty',
  alreadyRunning: 'A process is already running',
  noProcess: 'No process is running',
  sessionLimit: 'Session limit exceeded',
  unknownMethod: (method: string) => `Unknown method: ${method}`,
  notAllowed: (command: string, why?: string) => `Command '${command}' is not allowed${why ? `: ${why}` : ''}`,
  groupNotFound: (pgid: number) => `Process group ${pgid} not found`,
} as const;

export interface RpcError {
  code: number;
  message: string;
  data: unknown;
}

export interface RpcRequest<M extends string = string, P = unknown> {
  jsonrpc: typeof JSONRPC_VERSION;
  method: M;
  params?: P;
  id?: RpcId;
}

export interface RpcNotification<M extends string = string, P = unknown> {
  jsonrpc: typeof JSONRPC_VERSION;
  method: M;
  params?: P;
}

export interface RpcSuccess<R = unknown> {
  jsonrpc: typeof JSONRPC_VERSION;
  result: R;
  id?: RpcId;
}

export interface RpcFailure {
  jsonrpc: typeof JSONRPC_VERSION;
  error: RpcError;
  id?: RpcId | null;
}

export type RpcResponse<R = unknown> = RpcSuccess<R> | RpcFailure;

// ---------------------------------------------------------------- requests (client → server)

/** `_meta` is stressd's extension: W3C trace context; a real cc_executor ignores it. */
export interface TraceMeta {
  traceparent?: string;
  tracestate?: string;
}

export interface ExecuteParams {
  command: string;
  /** Integer seconds. cc_executor: a per-stream silence limit; stressd's executor: a real deadline. */
  timeout?: number;
  /** stressd's extension: variables for the command (the suite's and the test's `env`). */
  env?: Record<string, string>;
  _meta?: TraceMeta;
}

export const ControlType = { pause: 'PAUSE', resume: 'RESUME', cancel: 'CANCEL' } as const;
export type ControlType = (typeof ControlType)[keyof typeof ControlType];

export interface ControlParams {
  type: ControlType;
}

export type ExecuteRequest = RpcRequest<'execute', ExecuteParams>;
export type ControlRequest = RpcRequest<'control', ControlParams>;
export type PongNotification = RpcNotification<'pong'>;

export interface ExecuteResult {
  status: 'started';
  pid: number;
  pgid: number | null;
}

export interface ControlResult {
  status: 'paused' | 'resumed' | 'canceled';
}

// ---------------------------------------------------------------- notifications (server → client)

export interface ConnectedParams {
  session_id: string;
  /** stressd's executor names itself (`stressd-executor`); cc_executor sends no name. */
  name?: string;
  version: string;
  capabilities: string[];
}

export interface PingParams {
  timestamp: number;
}

export interface ProcessStartedParams {
  status: 'started';
  pid: number;
  pgid: number | null;
  exit_code: null;
  error: null;
}

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessOutputParams {
  type: OutputStream;
  data: string;
  /** On a split line: true on every chunk but the last ("continued"). */
  truncated: boolean;
  chunk_index: number | null;
  total_chunks: number | null;
}

export interface ProcessCompletedParams {
  status: 'completed' | 'failed';
  pid: number;
  pgid: number | null;
  exit_code: number | null;
  error: string | null;
  /** Seconds from spawn to exit. */
  execution_time: number;
  early_completion_detected: boolean;
  early_completion_time: number | null;
  time_saved: number | null;
  completion_marker: string | null;
  /** stressd's executor only: the signal that ended the process, if any. */
  signal?: string | null;
  /** stressd's executor only: why the process was ended ("deadline", "cancel", "disconnect"). */
  terminated_by?: 'deadline' | 'cancel' | 'disconnect' | null;
  /** stressd's executor only: processes that left the command's group and were ended at its end. */
  escaped_processes?: { pid: number; command: string }[];
}

export interface ProcessControlParams {
  status: 'paused' | 'resumed' | 'canceled';
  pid: number;
  pgid: number | null;
  /** stressd's executor only, on `process.canceled`: a `process.completed` follows once the group is gone (cc_executor sends none). */
  completed_follows?: boolean;
}

export interface ProcessErrorParams {
  error: string;
}

/** Every notification a server sends, by method. Unknown ones must be tolerated. */
export interface ServerNotificationMap {
  connected: ConnectedParams;
  ping: PingParams;
  'process.started': ProcessStartedParams;
  'process.output': ProcessOutputParams;
  'process.completed': ProcessCompletedParams;
  'process.paused': ProcessControlParams;
  'process.resumed': ProcessControlParams;
  /** cc_executor spells it with one "l"; its docs with two: accept both. */
  'process.canceled': ProcessControlParams;
  'process.cancelled': ProcessControlParams;
  'process.error': ProcessErrorParams;
  'task.early_completion': Record<string, unknown>;
  'error.token_limit_exceeded': Record<string, unknown>;
  'error.rate_limit_exceeded': Record<string, unknown>;
  'hook.warning': Record<string, unknown>;
  'command.validation_warning': Record<string, unknown>;
}
export type ServerNotificationMethod = keyof ServerNotificationMap;

/** cc_executor splits lines longer than this many code points (not bytes). */
export const MAX_LINE_CHARS = 65_536;

/** The server's in-band lines that mean the stream did not end normally. */
export const STREAM_TIMED_OUT_PREFIX = '[Stream timed out after';
export const STREAM_ERROR_PREFIX = '[Stream error:';

export const DEFAULT_PATH = '/ws/mcp';

/** The capability an executor announces in `connected` when it applies `params.env` (a cc_executor drops it). */
export const ENV_CAPABILITY = 'env';
