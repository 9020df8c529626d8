import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startScheduler } from '../../src/daemon/scheduler.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';

test('publishes the next fire time at arm and moves it forward after each fire', async () => {
  const { log } = memoryLogger();
  const published: (Date | null)[] = [];
  let fired!: () => void;
  const firedOnce = new Promise<void>((r) => (fired = r));
  const scheduler = await startScheduler({
    expression: '* * * * * *', name: 'demo', log,
    onFire: () => fired(),
    onNextRun: (at) => published.push(at),
  });
  try {
    const atArm = published[0];
    assert.ok(atArm instanceof Date && atArm.getTime() > Date.now() - 1000);
    const deadline = setTimeout(() => assert.fail('no fire within 3 s'), 3000);
    await firedOnce;
    clearTimeout(deadline);
    const afterFire = published.at(-1);
    assert.ok(afterFire instanceof Date && afterFire.getTime() > atArm.getTime(), 'the next run moved forward');
    assert.equal(scheduler.armed, true);
  } finally {
    await scheduler.close();
  }
  assert.equal(published.at(-1), null, 'close clears the next run');
  assert.equal(scheduler.armed, false);
  await scheduler.close();
});

test('without an expression it is armed for manual triggers only, and says so', async () => {
  const { log, lines } = memoryLogger();
  const published: (Date | null)[] = [];
  const scheduler = await startScheduler({ expression: null, name: 'demo', log, onFire: () => assert.fail('fired'), onNextRun: (at) => published.push(at) });
  assert.equal(scheduler.armed, true);
  assert.equal(scheduler.nextRun(), null);
  assert.deepEqual(published, [null]);
  assert.ok(lines.some((l) => typeof l.msg === 'string' && l.msg.includes('manual triggers')));
  await scheduler.close();
});

test('refuses an invalid expression with a config error', async () => {
  const { log } = memoryLogger();
  await assert.rejects(
    startScheduler({ expression: 'every tuesday', name: 'demo', log, onFire: () => undefined, onNextRun: () => undefined }),
    { code: 'STRESSD_ERR_CONFIG' },
  );
});
