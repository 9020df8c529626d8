/**
 * Frames read off the wire, in both directions: a frame is untrusted until decoded here. The
 * client's per-frame path (parseFrame) parses once and allocates nothing else; the server's
 * request decoders throw an RpcFault carrying the code cc_executor answers with.
 */
import type { RawData } from 'ws';
import { RpcFault } from './fault.ts';
import { isControlType, isObject, isRpcId } from './guards.ts';
import {
  ControlType,
  RpcErrorCode,
  RpcErrorMessage,
  type ControlResult,
  type RpcId,
  type ServerNotificationMethod,
} from './messages.ts';

/** Notifications the protocol defines beyond those the client handles itself; anything else counts as unknown. */
export const KNOWN_NOTIFICATIONS: ReadonlySet<string> = new Set<ServerNotificationMethod>([
  'connected',
  'process.paused',
  'process.resumed',
  'process.error',
  'task.early_completion',
  'error.token_limit_exceeded',
  'error.rate_limit_exceeded',
  'hook.warning',
  'command.validation_warning',
]);

/** A text frame holding a JSON object, or null for anything else (binary, not JSON, not an object). */
export function parseFrame(data: RawData, isBinary: boolean): Record<string, unknown> | null {
  if (isBinary) return null;
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString());
  } catch {
    return null;
  }
  return isObject(msg) ? msg : null;
}

/** What the server makes of one incoming frame; each kind has its own answer (see executor/session.ts). */
export type DecodedRequest =
  | { kind: 'binary' }
  /** Not JSON: cc_executor answers an id-less -32603 with the parser's message. */
  | { kind: 'unparsable'; message: string }
  | { kind: 'not-object' }
  /** A JSON object; `method` is unchecked (a client's response has none). */
  | { kind: 'message'; id: RpcId | undefined; method: unknown; params: unknown; isResponse: boolean };

export function decodeRequest(data: RawData, isBinary: boolean): DecodedRequest {
  if (isBinary) return { kind: 'binary' };
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch (err) {
    return { kind: 'unparsable', message: (err as Error).message };
  }
  if (!isObject(message)) return { kind: 'not-object' };
  return {
    kind: 'message',
    id: isRpcId(message.id) ? message.id : undefined,
    method: message.method,
    params: message.params,
    isResponse: 'result' in message || 'error' in message,
  };
}

export interface DecodedExecute {
  command: string;
  /** Whole seconds, when given. */
  timeout: number | undefined;
  traceparent: unknown;
  /** stressd's extension (the suite's and the test's `env`), checked by the executor; a real cc_executor ignores it. */
  env?: unknown;
}

/** `execute` params as cc_executor validates them (its codes: -32603 for a bad shape, -32001 for a blank command). */
export function decodeExecuteParams(params: unknown): DecodedExecute {
  if (!isObject(params)) throw new RpcFault(RpcErrorCode.internal, 'Invalid params: expected an object with "command"');
  const { command, timeout } = params;
  if (typeof command !== 'string') throw new RpcFault(RpcErrorCode.internal, `Invalid params: command: expected a string, found ${describe(command)}`);
  if (command.trim() === '') throw new RpcFault(RpcErrorCode.commandRejected, RpcErrorMessage.emptyCommand);
  if (timeout !== undefined && timeout !== null && !(typeof timeout === 'number' && Number.isInteger(timeout) && timeout > 0)) {
    throw new RpcFault(RpcErrorCode.internal, `Invalid params: timeout: expected a positive integer (seconds), found ${describe(timeout)}`);
  }
  return {
    command,
    timeout: typeof timeout === 'number' ? timeout : undefined,
    traceparent: isObject(params._meta) ? params._meta.traceparent : undefined,
    ...(params.env !== undefined ? { env: params.env } : {}),
  };
}

const controlTypes = Object.values(ControlType).join(', ').replace(/, (?=[^,]*$)/, ' or ');

export function decodeControlParams(params: unknown): ControlType {
  const type = isObject(params) ? params.type : undefined;
  if (!isControlType(type)) throw new RpcFault(RpcErrorCode.internal, `Invalid params: type: expected ${controlTypes}, found ${describe(type)}`);
  return type;
}

/** The status a control request answers with, and the notification that follows (`process.<status>`). */
export const controlStatus: Readonly<Record<ControlType, ControlResult['status']>> = {
  [ControlType.pause]: 'paused',
  [ControlType.resume]: 'resumed',
  [ControlType.cancel]: 'canceled',
};

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isInteger(value)) return `the non-integer ${value}`;
  return JSON.stringify(value) ?? typeof value;
}
