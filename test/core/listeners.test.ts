// Unit tests for src/listeners.ts (a top-level module: test/ has no top level for node --test's glob).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { listen } from '../../src/listeners.ts';
import { freePort } from '../fixtures/ports.ts';

describe('listen', () => {
  it('adds every handler in order and its remover takes exactly those off', () => {
    const emitter = new EventEmitter();
    const other = (): void => {};
    emitter.on('a', other);
    const seen: string[] = [];
    const remove = listen(emitter, { a: (x: number) => seen.push(`a${x}`), b: () => seen.push('b') });
    assert.deepEqual(emitter.eventNames(), ['a', 'b']);
    emitter.emit('a', 1);
    emitter.emit('b');
    remove();
    emitter.emit('a', 2);
    emitter.emit('b');
    assert.deepEqual(seen, ['a1', 'b']);
    assert.equal(emitter.listenerCount('a'), 1, 'a listener added elsewhere stays');
    assert.equal(emitter.listenerCount('b'), 0);
  });

  it('is safe to call twice, and one handler may serve several events', () => {
    const emitter = new EventEmitter();
    let calls = 0;
    const handler = (): void => {
      calls++;
    };
    const remove = listen(emitter, { SIGINT: handler, SIGTERM: handler });
    emitter.emit('SIGINT');
    emitter.emit('SIGTERM');
    remove();
    remove();
    emitter.emit('SIGINT');
    assert.equal(calls, 2);
    assert.equal(emitter.listenerCount('SIGINT') + emitter.listenerCount('SIGTERM'), 0);
  });

  it('listens on an AbortSignal and removes the listener', () => {
    const first = new AbortController();
    let aborts = 0;
    const remove = listen(first.signal, { abort: () => aborts++ });
    first.abort();
    assert.equal(aborts, 1);
    const second = new AbortController();
    listen(second.signal, { abort: () => aborts++ })();
    second.abort();
    assert.equal(aborts, 1, 'a removed abort listener is not called');
    remove();
  });

  it('uses the emitter side of a ws WebSocket, which hands handlers the raw arguments', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${await freePort()}`);
    const errors: unknown[] = [];
    const closed = new Promise<unknown[]>((resolve) => {
      const remove = listen(ws, {
        error: (err: Error) => errors.push(err),
        close: (code: number) => {
          remove();
          resolve([code]);
        },
      });
    });
    const [code] = await closed;
    assert.equal(code, 1006);
    assert.ok(errors[0] instanceof Error, 'the error handler got the Error itself, not an event object');
    assert.equal(ws.listenerCount('close'), 0);
    assert.equal(ws.listenerCount('error'), 0);
  });
});
