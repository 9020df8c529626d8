/** The executor's heartbeat: what counts as a sign of life, and that a ping stuck behind output is no silence. */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { execute } from '../../src/client/client.ts';
import { startExecutor, type ExecutorLogger } from '../../src/executor/server.ts';
import { TestClient, pidAlive, waitUntil } from '../fixtures/executor/ws-client.ts';

/** A logger that keeps the warnings (the executor says when it drops a session). */
function warnings(): { logger: ExecutorLogger; seen: string[] } {
  const seen: string[] = [];
  const none = (): void => undefined;
  return { seen, logger: { info: none, debug: none, error: none, warn: (_obj, msg) => seen.push(String(msg)) } };
}

test('a client that answers only WebSocket-level pings (no JSON-RPC pong) is alive and kept', async () => {
  const own = await startExecutor({ port: 0, heartbeatIntervalMs: 100 });
  try {
    const client = await TestClient.connect(own.url, { pong: false, wsPong: true });
    client.request('execute', { command: 'sleep 5', timeout: 60 });
    await client.notification('process.started');
    await client.waitFor(() => client.frames.filter((f) => f.method === 'ping').length >= 8, 'eight pings (0.8 s)');
    assert.equal(client.ws.readyState, client.ws.OPEN);
    await client.close();
  } finally {
    await own.close();
  }
});

test('a ponging client that reads a backlog slowly is kept although each ping waits behind it for many intervals', async () => {
  const { logger, seen } = warnings();
  const own = await startExecutor({ port: 0, heartbeatIntervalMs: 200, logger });
  try {
    let lines = 0;
    let firstAt = 0;
    const result = await execute({
      url: own.url,
      // 4 MB of 1,000-byte lines, read at ~2,000 lines/s: the socket buffers hold seconds of output ahead of each ping.
      command: "seq -f '%0999g' 1 4000",
      deadlineSeconds: 60,
      // Client and executor share this process's event loop here: a coalesced read hands its frames
      // over in one synchronous burst, which would also stall the executor's own writes and ticks
      // (never so with the executor in its own process). Reading frame by frame keeps the test
      // about the executor's patience with a slow reader.
      coalesceMs: 0,
      onLine: () => {
        lines++;
        const until = performance.now() + 0.5;
        while (performance.now() < until); // a busy consumer
        firstAt ||= performance.now();
      },
    });
    assert.equal(result.end.kind, 'completed');
    assert.equal(lines, 4000);
    assert.ok(performance.now() - firstAt > 1_000, 'the read took more than five intervals');
    assert.deepEqual(seen, []);
  } finally {
    await own.close();
  }
});

test('a client that stops reading mid-stream is dropped with its process, though it answered every ping before', async () => {
  const { logger, seen } = warnings();
  const own = await startExecutor({ port: 0, heartbeatIntervalMs: 100, killGraceMs: 300, logger });
  try {
    const client = await TestClient.connect(own.url, { keep: false });
    client.request('execute', { command: 'yes "$(printf %0100d 0)"', timeout: 60 });
    const started = await client.notification('process.started');
    await client.waitFor(() => client.outputFrames > 1_000 && client.frames.some((f) => f.method === 'ping'), 'output and a ping');
    // A hung client: its socket is never read again, so the output backs up and no answer comes.
    (client.ws as unknown as { _socket: Socket })._socket.pause();
    await waitUntil(() => seen.some((m) => /dropping the session/.test(m)), 'the executor drops the session', 5_000);
    const pid = started.params?.pid as number;
    await waitUntil(() => !pidAlive(pid), 'the hung client\'s process has ended', 5_000);
    client.ws.terminate();
  } finally {
    await own.close();
  }
});
