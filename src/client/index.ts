export { execute } from './client.ts';
export { ConnectFailedError, ConnectionLostError, ProtocolError, RpcCallError } from './errors.ts';
export type { ReceivedSoFar } from './errors.ts';
export type { ExecuteEnd, ExecuteOptions, ExecuteResult, OutputLine } from './types.ts';
