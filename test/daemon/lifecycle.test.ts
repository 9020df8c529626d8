import { test } from 'node:test';
import assert from 'node:assert/strict';
import { handleSignals, Lifecycle } from '../../src/daemon/lifecycle.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';

test('closes what was started in exact reverse order, once', async () => {
  const { log } = memoryLogger();
  const order: string[] = [];
  const lc = new Lifecycle(log);
  for (const name of ['logger', 'tracing', 'metrics', 'executor', 'scheduler', 'http']) lc.add(name, name, (n) => void order.push(n));
  await Promise.all([lc.close(), lc.close()]);
  await lc.close();
  assert.deepEqual(order, ['http', 'scheduler', 'executor', 'metrics', 'tracing', 'logger']);
});

test('a failing or stuck step is logged and does not stop the ones before it', async () => {
  const { log, lines } = memoryLogger();
  const order: string[] = [];
  const lc = new Lifecycle(log, 50);
  lc.add('first', null, () => void order.push('first'));
  lc.add('stuck', null, () => new Promise<void>(() => undefined));
  lc.add('failing', null, () => {
    throw new Error('boom');
  });
  await lc.close();
  assert.deepEqual(order, ['first']);
  assert.deepEqual(lines.filter((l) => l.msg === 'close failed').map((l) => l.step), ['failing', 'stuck']);
});

test('the first signal starts a graceful shutdown, a second one exits at once', async () => {
  const { log } = memoryLogger();
  let shutdowns = 0;
  const events: string[] = [];
  const remove = handleSignals({
    log,
    exit: (code) => events.push(`exit ${code}`),
    beforeForcedExit: () => events.push('children told to go'),
    shutdown: () => ((shutdowns += 1), new Promise<void>(() => undefined)),
  });
  try {
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual([shutdowns, events], [1, []]);
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual([shutdowns, events], [1, ['children told to go', 'exit 1']]);
  } finally {
    remove();
  }
  assert.equal(process.listenerCount('SIGTERM'), 0);
});

test('a shutdown that hangs is ended by the hard timer with exit code 1', async () => {
  const { log, lines } = memoryLogger();
  let exited!: (code: number) => void;
  const exit = new Promise<number>((r) => (exited = r));
  const remove = handleSignals({ log, hardTimeoutMs: 30, exit: (code) => exited(code), shutdown: () => new Promise<void>(() => undefined) });
  // The hard timer is unref'd (it must not keep a cleanly closed daemon alive): hold the loop open here.
  const keepAlive = setTimeout(() => undefined, 5_000);
  try {
    process.emit('SIGTERM', 'SIGTERM');
    assert.equal(await exit, 1);
    assert.ok(lines.some((l) => l.msg === 'shutdown took too long: forcing exit'));
  } finally {
    clearTimeout(keepAlive);
    remove();
  }
});

test('SIGHUP asks for a reload and never ends the process; once a shutdown has begun it is ignored', async () => {
  const { log, lines } = memoryLogger();
  let reloads = 0;
  const events: string[] = [];
  const remove = handleSignals({
    log, exit: (code) => events.push(`exit ${code}`), onHangup: () => void (reloads += 1), shutdown: () => new Promise<void>(() => undefined),
  });
  try {
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGHUP', 'SIGHUP');
    assert.deepEqual([reloads, events], [2, []]);
    process.emit('SIGTERM', 'SIGTERM');
    process.emit('SIGHUP', 'SIGHUP');
    assert.deepEqual([reloads, events], [2, []], 'no reload and no forced exit during the shutdown');
    assert.ok(lines.some((l) => l.msg === 'SIGHUP during shutdown: ignored'));
  } finally {
    remove();
  }
  assert.equal(process.listenerCount('SIGHUP'), 0);
});
