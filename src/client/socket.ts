/** The WebSocket of one `execute` (session.ts): how it is opened and how it is closed. */
import WebSocket from 'ws';
import type { CoalescingReader } from './coalesce.ts';
import type { ExecuteOptions } from './types.ts';

/** Opens the connection: bearer token when given, no compression, no redirects, reads through `reader`. */
export function openSocket(opts: ExecuteOptions, reader: CoalescingReader): WebSocket {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  // No compression: loopback throughput matters more than bytes, and it costs CPU per frame.
  const ws = new WebSocket(opts.url, {
    headers,
    perMessageDeflate: false,
    followRedirects: false,
    createConnection: reader.createConnection as NonNullable<WebSocket.ClientOptions['createConnection']>,
    // Frames are handed over inside the read that carried them, so the read's stamp is theirs.
    allowSynchronousEvents: true,
  });
  reader.attach(ws);
  return ws;
}

/** Starts closing: a close frame on an open socket, termination of one still connecting. False when it is closed already. */
export function startClose(ws: WebSocket): boolean {
  const state = ws.readyState;
  if (state === WebSocket.CLOSED) return false;
  if (state === WebSocket.OPEN) ws.close(1000, 'done');
  else if (state === WebSocket.CONNECTING) ws.terminate();
  return true;
}

export function ignore(): void {}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
