/**
 * Every error stressd raises on purpose carries a stable code, made here and nowhere else,
 * so logs, reports and tests can match on `code` rather than on wording.
 */
export const ErrorCode = {
  config: 'STRESSD_ERR_CONFIG',
  connectFailed: 'STRESSD_ERR_CONNECT_FAILED',
  connectionLost: 'STRESSD_ERR_CONNECTION_LOST',
  rpc: 'STRESSD_ERR_RPC',
  protocol: 'STRESSD_ERR_PROTOCOL',
  timeout: 'STRESSD_ERR_TIMEOUT',
  unsafeBind: 'STRESSD_ERR_UNSAFE_BIND',
  usage: 'STRESSD_ERR_USAGE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class StressdError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StressdError';
    this.code = code;
  }
}

/** Refuses to listen beyond loopback without a token: whatever runs commands or triggers runs is protected there. */
export function assertSafeBind(host: string, token: string | undefined, what: string, envName: string): void {
  if (token) return;
  if (isLoopback(host)) return;
  throw new StressdError(
    ErrorCode.unsafeBind,
    `${what}: refusing to listen on ${host} without a token; set ${envName} (or --token) or bind 127.0.0.1`,
  );
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
