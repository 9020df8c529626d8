/** How the client fails: typed errors, its own deadline, and garbage from a raw ws server. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { WebSocketServer } from 'ws';
import { execute } from '../../src/client/client.ts';
import { StressdError } from '../../src/errors.ts';
import { ConnectFailedError, ConnectionLostError, ProtocolError, RpcCallError } from '../../src/client/errors.ts';
import { scenarios, startQuirkPeer, type QuirkPeer, type QuirkScenario } from '../fixtures/quirk-peer.ts';
import { freePort } from '../fixtures/ports.ts';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(cleanups.map((fn) => fn()));
});

async function peerFor(scenario: QuirkScenario): Promise<QuirkPeer> {
  const peer = await startQuirkPeer(scenario);
  cleanups.push(() => peer.close());
  return peer;
}

/** A bare ws server whose connections get `frames` (strings are text, Buffers binary) after execute. */
async function rawServer(frames: Array<string | Buffer>): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    ws.once('message', () => {
      for (const frame of frames) ws.send(frame, { binary: Buffer.isBuffer(frame) });
    });
  });
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });
  return `ws://127.0.0.1:${(wss.address() as net.AddressInfo).port}/ws/mcp`;
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(() => assert.fail('expected a rejection'), (error: unknown) => error);

describe('client errors', () => {
  it('throws ConnectFailedError naming the URL when the port refuses', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ws/mcp`;
    const error = await rejection(execute({ url, command: 'x', deadlineSeconds: 1 }));
    assert.ok(error instanceof ConnectFailedError);
    assert.equal(error.code, 'STRESSD_ERR_CONNECT_FAILED');
    assert.match(error.message, new RegExp(`${url.replace(/[/.]/g, '\\$&')}.*ECONNREFUSED`));
  });

  it('throws ConnectFailedError with the status when the upgrade is rejected (401), and connects with the token', async () => {
    const peer = await peerFor({ ...scenarios.echo(['ok\n'], { resultLeadMs: 0 }), token: 's3cret' });
    const error = await rejection(execute({ url: peer.url, command: 'x', deadlineSeconds: 1 }));
    assert.ok(error instanceof ConnectFailedError);
    assert.match(error.reason, /401/);
    const result = await execute({ url: peer.url, command: 'x', deadlineSeconds: 1, token: 's3cret' });
    assert.equal(result.end.kind, 'completed');
  });

  it('throws ConnectFailedError when the upgrade does not finish within connectTimeoutMs', async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => sockets.add(socket)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `ws://127.0.0.1:${(server.address() as net.AddressInfo).port}/ws/mcp`;
    const started = performance.now();
    const error = await rejection(execute({ url, command: 'x', deadlineSeconds: 5, connectTimeoutMs: 200 }));
    assert.ok(error instanceof ConnectFailedError);
    assert.match(error.reason, /timed out after 200 ms/);
    assert.ok(performance.now() - started < 1_500);
  });

  it('throws RpcCallError carrying the JSON-RPC code and message', async () => {
    const peer = await peerFor({ steps: [{ do: 'error', code: -32602, message: 'A process is already running' }] });
    const error = await rejection(execute({ url: peer.url, command: 'x', deadlineSeconds: 2 }));
    assert.ok(error instanceof RpcCallError);
    assert.equal(error.rpcCode, -32602);
    assert.equal(error.rpcMessage, 'A process is already running');
    assert.equal(error.code, 'STRESSD_ERR_RPC');
  });

  it('throws ProtocolError when execute is answered without a pid', async () => {
    const url = await rawServer(['{"jsonrpc":"2.0","result":{"status":"started"},"id":1}']);
    const error = await rejection(execute({ url, command: 'x', deadlineSeconds: 2 }));
    assert.ok(error instanceof ProtocolError);
  });

  it('sends CANCEL at its deadline and ends within cancelWaitMs when the peer never answers', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'ignore', intervalMs: 20 }));
    const result = await execute({ url: peer.url, command: 'x', deadlineSeconds: 0.3, cancelWaitMs: 300 });
    assert.deepEqual(result.end, { kind: 'deadline', confirmed: false, completed: null });
    const elapsed = result.endedAt - result.sentAt;
    assert.ok(elapsed >= 590 && elapsed < 1_500, `ended ${elapsed} ms after execute`);
    await peer.waitForEvent((e) => e.type === 'control' && e.control === 'CANCEL');
    await peer.waitForEvent((e) => e.type === 'client-closed');
  });

  it('after process.canceled waits within cancelWaitMs for an announced process.completed, beyond 1 s, and keeps its exit code and signal', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'canceled+completed', completedAfterMs: 1_400 }));
    const result = await execute({ url: peer.url, command: 'x', deadlineSeconds: 0.2, cancelWaitMs: 4_000 });
    assert.equal(result.end.kind, 'deadline');
    assert.equal(result.end.kind === 'deadline' && result.end.confirmed, true);
    const completed = result.end.kind === 'deadline' ? result.end.completed : null;
    assert.equal(completed?.exit_code, -15);
    assert.equal(completed?.signal, 'SIGTERM');
  });

  it('gives an announced completion no more than the rest of cancelWaitMs, and still says confirmed', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'canceled+completed', completedAfterMs: 10_000 }));
    const result = await execute({ url: peer.url, command: 'x', deadlineSeconds: 0.2, cancelWaitMs: 600 });
    assert.deepEqual(result.end, { kind: 'deadline', confirmed: true, completed: null });
    const elapsed = result.endedAt - result.sentAt;
    assert.ok(elapsed >= 790 && elapsed < 1_700, `ended ${elapsed} ms after execute`);
  });

  it('takes an unannounced process.completed that follows process.canceled within 1 s', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'canceled+unannounced-completed', completedAfterMs: 300 }));
    const result = await execute({ url: peer.url, command: 'x', deadlineSeconds: 0.2 });
    assert.equal(result.end.kind === 'deadline' && result.end.completed?.exit_code, -15);
  });

  it('rejects a deadline that is not a positive number with a usage error', async () => {
    const error = await rejection(execute({ url: 'ws://127.0.0.1:1/ws/mcp', command: 'x', deadlineSeconds: 0 }));
    assert.ok(error instanceof StressdError);
    assert.equal(error.code, 'STRESSD_ERR_USAGE');
  });

  it('resolves aborted without connecting when the signal is already aborted', async () => {
    const url = `ws://127.0.0.1:${await freePort()}/ws/mcp`;
    const result = await execute({ url, command: 'x', deadlineSeconds: 1, signal: AbortSignal.abort() });
    assert.deepEqual(result.end, { kind: 'aborted', confirmed: true, completed: null });
  });

  it('rejects with what onLine threw, and closes the connection', async () => {
    const peer = await peerFor(scenarios.endless({ intervalMs: 10 }));
    const boom = new Error('consumer failed');
    const error = await rejection(execute({ url: peer.url, command: 'x', deadlineSeconds: 5, onLine: () => { throw boom; } }));
    assert.equal(error, boom);
    await peer.waitForEvent((e) => e.type === 'client-closed');
  });

  it('skips non-JSON, non-object and binary frames from a raw ws server and still completes', async () => {
    const output = (data: string): string =>
      JSON.stringify({ jsonrpc: '2.0', method: 'process.output', params: { type: 'stdout', data, truncated: false, chunk_index: null, total_chunks: null } });
    const url = await rawServer([
      '{"jsonrpc":"2.0","result":{"status":"started","pid":77,"pgid":77},"id":1}',
      '{not json',
      output('kept\n'),
      'null',
      '"a string"',
      Buffer.from('{"jsonrpc":"2.0","method":"process.output"}'),
      '{"jsonrpc":"2.0","method":"process.completed","params":{"status":"completed","pid":77,"exit_code":0}}',
    ]);
    const lines: string[] = [];
    const result = await execute({ url, command: 'x', deadlineSeconds: 2, onLine: (l) => lines.push(l.data) });
    assert.equal(result.end.kind, 'completed');
    assert.equal(result.malformedFrames, 4);
    assert.equal(result.outputFrames, 1);
    assert.deepEqual(lines, ['kept\n']);
  });

  it('throws ConnectionLostError when the server closes cleanly before completion', async () => {
    const peer = await peerFor({ steps: [{ do: 'result' }, { do: 'line', data: 'a\n' }, { do: 'close', code: 1001, reason: 'going away' }] });
    const error = await rejection(execute({ url: peer.url, command: 'x', deadlineSeconds: 5 }));
    assert.ok(error instanceof ConnectionLostError);
    assert.equal(error.closeCode, 1001);
    assert.equal(error.closeReason, 'going away');
    assert.equal(error.received.outputFrames, 1);
  });
});
