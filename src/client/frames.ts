/** The frames the client sends, and the notifications it knows; kept apart from the session logic. */
import type WebSocket from 'ws';
import type { ServerNotificationMethod } from '../protocol/messages.ts';
import type { ExecuteOptions } from './types.ts';

export const PONG = '{"jsonrpc":"2.0","method":"pong"}';
export const EXECUTE_ID = 1;
export const CANCEL_ID = 2;
export const CANCEL_REQUEST = JSON.stringify({ jsonrpc: '2.0', method: 'control', params: { type: 'CANCEL' }, id: CANCEL_ID });

/** Notifications the protocol defines; anything else counts as unknown (still passed on). */
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

export function executeRequest(opts: ExecuteOptions): string {
  const params: Record<string, unknown> = {
    command: opts.command,
    // cc_executor rejects a float and guesses a limit when none is given: always send an integer.
    timeout: Math.max(1, Math.ceil(opts.deadlineSeconds)),
  };
  if (opts.env && Object.keys(opts.env).length > 0) params.env = opts.env;
  if (opts.traceparent) params._meta = { traceparent: opts.traceparent };
  return JSON.stringify({ jsonrpc: '2.0', method: 'execute', params, id: EXECUTE_ID });
}

/** A text frame holding a JSON object, or null for anything else (binary, not JSON, not an object): counted and skipped. */
export function parseFrame(data: WebSocket.RawData, isBinary: boolean): Record<string, unknown> | null {
  if (isBinary) return null;
  let msg: unknown;
  try {
    msg = JSON.parse(data.toString());
  } catch {
    return null;
  }
  return typeof msg === 'object' && msg !== null && !Array.isArray(msg) ? (msg as Record<string, unknown>) : null;
}
