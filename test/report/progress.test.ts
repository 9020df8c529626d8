import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { progressSink } from '../../src/report/progress.ts';
import { feedSinks } from '../../src/result/sink.ts';
import type { RunnerEmitter } from '../../src/runner/api.ts';
import type { RunResult } from '../../src/result/types.ts';
import type { TestResult } from '../../src/result/types.ts';

const result = { id: 't1', outcome: 'failed', reason: 'exit_nonzero', reason_detail: 'exit code 2', duration_seconds: 12.34, output_bytes: 2048, output_lines: 10, patterns_found: ['a'], patterns_expected: 2 } as unknown as TestResult;

async function drive(isTTY: boolean, clock: { now: number }): Promise<string[]> {
  const events = new EventEmitter() as RunnerEmitter;
  const written: string[] = [];
  const feed = feedSinks(events, [progressSink({ isTTY, write: (t: string) => written.push(t) }, () => clock.now)], ({ err }) => assert.fail(String(err)));
  events.emit('test:start', { runId: 'r', suite: 's', index: 0, total: 2, test: { id: 't1', name: 'T1', category: null } });
  for (let i = 1; i <= 12; i++) {
    clock.now += 1000;
    events.emit('test:progress', { runId: 'r', testId: 't1', elapsed_seconds: i, output_bytes: i * 1024, output_lines: i });
  }
  events.emit('test:end', { runId: 'r', suite: 's', result });
  await feed.end({ id: 'r' } as RunResult);
  assert.equal(events.listenerCount('test:progress'), 0);
  return written;
}

test('on a TTY the progress line of a test is rewritten in place, then ends with its outcome', async () => {
  const out = await drive(true, { now: 0 });
  assert.equal(out.length, 14);
  assert.ok(out.every((t) => t.startsWith('\r\x1b[2K')));
  assert.match(out[12] ?? '', /\[1\/2\] t1 12\.0 s, 12\.0 KiB, 12 lines, 1\.0 KiB\/s$/);
  assert.match(out[13] ?? '', /t1 FAILED \(exit_nonzero: exit code 2\) in 12\.3 s, 2\.0 KiB, 10 lines, patterns 1\/2\n$/);
});

test('off a TTY a plain line comes every 10 s at most, plus one per test end', async () => {
  const out = await drive(false, { now: 0 });
  assert.deepEqual(out.map((t) => t.endsWith('\n')), [true, true, true]);
  assert.match(out[1] ?? '', /t1 10\.0 s/);
  assert.ok(!out.some((t) => t.includes('\r')));
});
