import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CANCEL_ID,
  CANCEL_REQUEST,
  ControlType,
  EXECUTE_ID,
  PONG,
  RpcErrorCode,
  RpcFault,
  controlRequest,
  controlStatus,
  decodeControlParams,
  decodeExecuteParams,
  decodeRequest,
  errorFrame,
  executeRequest,
  isOutputParams,
  isRpcFailure,
  notificationFrame,
  outputFrame,
  parseFrame,
  pingFrame,
  resultFrame,
} from '../../src/protocol/index.ts';

const text = (s: string) => Buffer.from(s);

describe('client requests, as the executor decodes them', () => {
  it('carries an execute request with its command, whole-second timeout and trace context', () => {
    const frame = executeRequest({ command: 'echo hi', deadlineSeconds: 2.2, traceparent: '00-abc-def-01' });
    const decoded = decodeRequest(text(frame), false);
    assert.equal(decoded.kind, 'message');
    if (decoded.kind !== 'message') return;
    assert.equal(decoded.method, 'execute');
    assert.equal(decoded.id, EXECUTE_ID);
    assert.deepEqual(decodeExecuteParams(decoded.params), { command: 'echo hi', timeout: 3, traceparent: '00-abc-def-01' });
  });

  it('never sends a timeout below one second, nor a _meta without a traceparent', () => {
    const msg = JSON.parse(executeRequest({ command: 'true', deadlineSeconds: 0.01 }));
    assert.deepEqual(msg.params, { command: 'true', timeout: 1 });
  });

  it('carries every control type and maps it to its status', () => {
    for (const type of Object.values(ControlType)) {
      const decoded = decodeRequest(text(controlRequest(type, 7)), false);
      assert.ok(decoded.kind === 'message' && decoded.method === 'control' && decoded.id === 7);
      assert.equal(decodeControlParams(decoded.params), type);
    }
    assert.deepEqual(Object.values(controlStatus), ['paused', 'resumed', 'canceled']);
  });

  it('sends CANCEL with its own id, and pong as an id-less notification', () => {
    assert.deepEqual(JSON.parse(CANCEL_REQUEST), { jsonrpc: '2.0', method: 'control', params: { type: 'CANCEL' }, id: CANCEL_ID });
    const pong = decodeRequest(text(PONG), false);
    assert.ok(pong.kind === 'message' && pong.method === 'pong' && pong.id === undefined && !pong.isResponse);
  });

  it('tells binary, unparsable and non-object frames apart', () => {
    assert.equal(decodeRequest(text('{}'), true).kind, 'binary');
    const bad = decodeRequest(text('{"jsonrpc":'), false);
    assert.ok(bad.kind === 'unparsable' && bad.message.length > 0);
    assert.equal(decodeRequest(text('[1,2]'), false).kind, 'not-object');
    assert.equal(decodeRequest(text('null'), false).kind, 'not-object');
  });

  it('sees a client response as a response, and drops an id that is not a JSON-RPC id', () => {
    const decoded = decodeRequest(text('{"jsonrpc":"2.0","result":{},"id":1.5}'), false);
    assert.ok(decoded.kind === 'message' && decoded.isResponse && decoded.id === undefined);
  });
});

describe('request params the executor refuses, with cc_executor codes', () => {
  const fault = (fn: () => unknown, code: number, pattern: RegExp) =>
    assert.throws(fn, (err: unknown) => err instanceof RpcFault && err.code === code && pattern.test(err.message));

  it('refuses an execute without an object, a string command or a positive integer timeout', () => {
    fault(() => decodeExecuteParams(undefined), RpcErrorCode.internal, /expected an object with "command"/);
    fault(() => decodeExecuteParams({ command: 3 }), RpcErrorCode.internal, /command: expected a string, found 3/);
    fault(() => decodeExecuteParams({ command: 'x', timeout: 1.5 }), RpcErrorCode.internal, /found the non-integer 1.5/);
    fault(() => decodeExecuteParams({ command: 'x', timeout: 0 }), RpcErrorCode.internal, /positive integer/);
  });

  it('refuses a blank command with -32001', () => {
    fault(() => decodeExecuteParams({ command: '  ' }), RpcErrorCode.commandRejected, /^Command cannot be empty$/);
  });

  it('accepts a null timeout as none', () => {
    assert.equal(decodeExecuteParams({ command: 'x', timeout: null }).timeout, undefined);
  });

  it('names the control types it expects', () => {
    fault(() => decodeControlParams({ type: 'STOP' }), RpcErrorCode.internal, /expected PAUSE, RESUME or CANCEL, found "STOP"/);
    fault(() => decodeControlParams(null), RpcErrorCode.internal, /found nothing/);
  });
});

describe('server frames, as the client decodes them', () => {
  it('round-trips an unsplit output line', () => {
    const frame = parseFrame(text(outputFrame('stdout', 'héllo "x"\n', null, null, false)), false);
    assert.ok(frame !== null && frame.method === 'process.output' && isOutputParams(frame.params));
    assert.deepEqual(frame.params, { type: 'stdout', data: 'héllo "x"\n', truncated: false, chunk_index: null, total_chunks: null });
  });

  it('round-trips a chunk of a split line, with and without its total', () => {
    const known = parseFrame(text(outputFrame('stderr', 'ab', 0, 3, true)), false);
    assert.deepEqual(known?.params, { type: 'stderr', data: 'ab', truncated: true, chunk_index: 0, total_chunks: 3 });
    const unknown = parseFrame(text(outputFrame('stdout', 'cd', 5, null, true)), false);
    assert.deepEqual(unknown?.params, { type: 'stdout', data: 'cd', truncated: true, chunk_index: 5, total_chunks: null });
  });

  it('round-trips notifications with their params', () => {
    const completed = {
      status: 'failed', pid: 4, pgid: 4, exit_code: null, error: null, execution_time: 1.25, early_completion_detected: false,
      early_completion_time: null, time_saved: null, completion_marker: null, signal: 'SIGTERM', terminated_by: 'cancel',
    } as const;
    assert.deepEqual(parseFrame(text(notificationFrame('process.completed', completed)), false), {
      jsonrpc: '2.0', method: 'process.completed', params: completed,
    });
    const canceled = parseFrame(text(notificationFrame('process.canceled', { status: 'canceled', pid: 4, pgid: 4, completed_follows: true })), false);
    assert.deepEqual(canceled?.params, { status: 'canceled', pid: 4, pgid: 4, completed_follows: true });
    const ping = parseFrame(text(pingFrame(1_700_000_000_999)), false);
    assert.deepEqual(ping, { jsonrpc: '2.0', method: 'ping', params: { timestamp: 1_700_000_000 } });
  });

  it('echoes the request id on results and errors, and leaves it out when there was none', () => {
    assert.deepEqual(parseFrame(text(resultFrame('a', { status: 'paused' })), false), { jsonrpc: '2.0', result: { status: 'paused' }, id: 'a' });
    assert.equal('id' in (parseFrame(text(resultFrame(undefined, {})), false) ?? {}), false);
    const error = parseFrame(text(errorFrame(2, RpcErrorCode.noProcess, 'No process is running')), false);
    assert.ok(isRpcFailure(error));
    assert.deepEqual(error, { jsonrpc: '2.0', error: { code: -32002, message: 'No process is running', data: null }, id: 2 });
    assert.equal('id' in (parseFrame(text(errorFrame(undefined, -32603, 'x')), false) ?? {}), false);
  });

  it('skips what is not a JSON object in a text frame', () => {
    assert.equal(parseFrame(text('{"a":1}'), true), null);
    assert.equal(parseFrame(text('nope'), false), null);
    assert.equal(parseFrame(text('[]'), false), null);
    assert.equal(parseFrame(text('"s"'), false), null);
  });
});
