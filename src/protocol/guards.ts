/** Runtime guards for frames read off the wire: a frame is untrusted until one of these says so. */
import type {
  ProcessCompletedParams,
  ProcessOutputParams,
  RpcFailure,
  RpcId,
  RpcNotification,
  RpcRequest,
  RpcSuccess,
  ControlType,
} from './messages.ts';
import { ControlType as Control } from './messages.ts';

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isRpcId(value: unknown): value is RpcId {
  return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
}

/** A request or notification (has a string `method`). */
export function isRpcMessage(value: unknown): value is RpcRequest | RpcNotification {
  return isObject(value) && typeof value.method === 'string';
}

export function isRpcSuccess(value: unknown): value is RpcSuccess {
  return isObject(value) && 'result' in value && !('method' in value);
}

export function isRpcFailure(value: unknown): value is RpcFailure {
  return (
    isObject(value) &&
    isObject(value.error) &&
    typeof value.error.code === 'number' &&
    typeof value.error.message === 'string'
  );
}

export function isControlType(value: unknown): value is ControlType {
  return value === Control.pause || value === Control.resume || value === Control.cancel;
}

export function isOutputParams(value: unknown): value is ProcessOutputParams {
  return (
    isObject(value) &&
    (value.type === 'stdout' || value.type === 'stderr') &&
    typeof value.data === 'string' &&
    (value.chunk_index === undefined || value.chunk_index === null || Number.isInteger(value.chunk_index)) &&
    (value.total_chunks === undefined || value.total_chunks === null || Number.isInteger(value.total_chunks))
  );
}

export function isCompletedParams(value: unknown): value is ProcessCompletedParams {
  return isObject(value) && (value.exit_code === null || typeof value.exit_code === 'number' || value.exit_code === undefined);
}
