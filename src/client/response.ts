/**
 * What an `execute` session makes of a JSON-RPC response: the execute's own answer (the pid), an
 * error that ends the session, or something to ignore. Pure, so each rule is one line to test.
 */
import { CANCEL_ID, EXECUTE_ID, isObject, isRpcFailure } from '../protocol/index.ts';
import { ProtocolError, RpcCallError } from './errors.ts';

export type ResponseMeaning =
  | { kind: 'ignore' }
  | { kind: 'fail'; error: Error }
  | { kind: 'started'; pid: number; pgid: unknown };

/** `pidKnown`: process.started (or the execute answer) was seen already. */
export function readResponse(frame: Record<string, unknown>, pidKnown: boolean): ResponseMeaning {
  const id = frame.id;
  if (isRpcFailure(frame)) {
    // A CANCEL that raced the process's end fails with -32002/-32603: the end still comes.
    if (id === CANCEL_ID) return { kind: 'ignore' };
    // An id-less error after the process started answers something else (e.g. a server that
    // does not know `pong`): not a reason to fail the run.
    if (id === EXECUTE_ID || (!pidKnown && (id === undefined || id === null))) {
      const { code, message, data } = frame.error;
      return { kind: 'fail', error: new RpcCallError('execute', code, message, data ?? null) };
    }
    return { kind: 'ignore' };
  }
  if (id !== EXECUTE_ID) return { kind: 'ignore' };
  const result = frame.result;
  if (!isObject(result) || !Number.isInteger(result.pid)) {
    return { kind: 'fail', error: new ProtocolError(`execute answered without a pid: ${JSON.stringify(result)}`) };
  }
  return { kind: 'started', pid: result.pid as number, pgid: result.pgid };
}
