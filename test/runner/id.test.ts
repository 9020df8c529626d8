import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeRunId, RUN_ID_PATTERN } from '../../src/result/id.ts';

test('a run id is the UTC time to the second plus four hex digits', () => {
  const id = makeRunId(new Date(Date.UTC(2026, 10, 24, 10, 15, 0, 987)), () => Buffer.from([0x3f, 0x9a]));
  assert.equal(id, '20261124T101500Z-3f9a');
  assert.match(id, RUN_ID_PATTERN);
});

test('run ids sort by the time they were made', () => {
  const earlier = makeRunId(new Date(Date.UTC(2026, 0, 2, 23, 59, 59)), () => Buffer.from([0xff, 0xff]));
  const later = makeRunId(new Date(Date.UTC(2026, 0, 3, 0, 0, 0)), () => Buffer.from([0x00, 0x00]));
  assert.ok(earlier < later);
});

test('two runs made in the same second get different ids', () => {
  const at = new Date();
  const ids = new Set(Array.from({ length: 50 }, () => makeRunId(at)));
  assert.ok(ids.size > 40);
});
