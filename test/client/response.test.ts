import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcCallError, ProtocolError } from '../../src/client/errors.ts';
import { readResponse } from '../../src/client/response.ts';
import { CANCEL_ID, EXECUTE_ID } from '../../src/protocol/index.ts';

const failure = (id: unknown) => ({ jsonrpc: '2.0', id, error: { code: -32002, message: 'no process' } });

test('the execute answer with a pid starts the session', () => {
  assert.deepEqual(readResponse({ jsonrpc: '2.0', id: EXECUTE_ID, result: { pid: 42, pgid: 42 } }, false), { kind: 'started', pid: 42, pgid: 42 });
});

test('an execute answer without a pid is a protocol error', () => {
  const r = readResponse({ jsonrpc: '2.0', id: EXECUTE_ID, result: { status: 'ok' } }, false);
  assert.equal(r.kind, 'fail');
  assert.ok(r.kind === 'fail' && r.error instanceof ProtocolError);
});

test('an error to execute fails the session; one to a CANCEL that raced the end is ignored', () => {
  const r = readResponse(failure(EXECUTE_ID), false);
  assert.ok(r.kind === 'fail' && r.error instanceof RpcCallError);
  assert.deepEqual(readResponse(failure(CANCEL_ID), true), { kind: 'ignore' });
});

test('an id-less error fails the session only before the process started', () => {
  assert.equal(readResponse(failure(null), false).kind, 'fail');
  assert.deepEqual(readResponse(failure(null), true), { kind: 'ignore' });
});
