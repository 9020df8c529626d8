import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lifecycle } from '../../src/daemon/lifecycle.ts';
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
