/**
 * Server → client frames as strings. `process.output` is the hot path (one frame per line, by
 * protocol), so its envelope is a constant template and only the data goes through JSON.stringify.
 */
import type { OutputStream, RpcId } from '../protocol/messages.ts';

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

export function notificationFrame(method: string, params: unknown): string {
  return JSON.stringify({ jsonrpc: '2.0', method, params });
}

/** Without a request id the reply carries no `id` key (cc_executor does the same). */
export function resultFrame(id: RpcId | undefined, result: unknown): string {
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', result } : { jsonrpc: '2.0', result, id });
}

export function errorFrame(id: RpcId | undefined, code: number, message: string): string {
  const error = { code, message, data: null };
  return JSON.stringify(id === undefined ? { jsonrpc: '2.0', error } : { jsonrpc: '2.0', error, id });
}
