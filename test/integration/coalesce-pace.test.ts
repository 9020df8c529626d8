import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { CoalescingReader } from '../../src/client/coalesce.ts';

/** A server that sends `frames` small frames `gapMs` apart (0: all at once) to each client, then closes. */
async function pacedServer(frames: number, gapMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (ws) => {
    let sent = 0;
    const one = (): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (sent === frames) return ws.close();
      ws.send(`{"n":${sent++}}`);
      if (gapMs === 0) setImmediate(one);
      else setTimeout(one, gapMs);
    };
    one();
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => wss.close(() => resolve())),
  };
}

async function readAll(url: string, armed = true): Promise<{ frames: number; reader: CoalescingReader }> {
  const reader = new CoalescingReader(2);
  if (armed) reader.arm();
  const ws = new WebSocket(url, { createConnection: reader.createConnection as NonNullable<WebSocket.ClientOptions['createConnection']> });
  reader.attach(ws);
  let frames = 0;
  ws.on('message', () => frames++);
  const timer = setTimeout(() => ws.terminate(), 15_000);
  await once(ws, 'close');
  clearTimeout(timer);
  reader.stop();
  return { frames, reader };
}

test('a stream slower than the window is read without pauses; a fast one is paused and coalesced', async () => {
  const slow = await pacedServer(20, 30);
  const fast = await pacedServer(3000, 0);
  try {
    const s = await readAll(slow.url);
    assert.equal(s.frames, 20);
    // Frames 30 ms apart: a 2 ms pause would merge nothing, so none is taken (the handshake's reads aside).
    assert.ok(s.reader.pauses <= 2, `slow stream: ${s.reader.pauses} pauses for 20 frames`);
    const f = await readAll(fast.url);
    assert.equal(f.frames, 3000);
    assert.ok(f.reader.pauses > 0, 'fast stream: paused');
    assert.ok(f.reader.reads < f.frames / 2, `fast stream: ${f.reader.reads} reads for ${f.frames} frames`);
  } finally {
    await Promise.all([slow.close(), fast.close()]);
  }
});

test('no pause before the reader is armed (the first output): what comes before it is read at once', async () => {
  const fast = await pacedServer(3000, 0);
  try {
    const f = await readAll(fast.url, false);
    assert.equal(f.frames, 3000);
    assert.equal(f.reader.pauses, 0);
  } finally {
    await fast.close();
  }
});
