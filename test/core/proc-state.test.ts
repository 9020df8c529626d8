import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatFields, statFields } from '../../src/proc-state.ts';

// A real line's shape (proc(5)): a command name with a space and a ')' of its own, negative priority.
const LINE = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 1507 0 0 0 120 35 7 3 -20 0 11 0 987654 1234567890 5120 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n';

test('stat fields start after the last ")" and hold the ticks and the start time', () => {
  const f = parseStatFields(LINE);
  assert.ok(f);
  assert.deepEqual([f[0], f[1], f[11], f[12], f[13], f[14], f[15], f[19], f[21]], ['S', '1', '120', '35', '7', '3', '-20', '987654', '5120']);
});

test('a stat text cut short or empty (a process exiting while it is read) is no reading, never NaN ticks', () => {
  for (const text of ['', '4242 (node', '4242 (node) S 1 4242', LINE.slice(0, LINE.indexOf(' 987654')), '4242 (node) S 1 4242 4242 0 -1 x 1507 0 0 0 120 35 7 3 20 0 11 0 987654 1 5120']) {
    assert.equal(parseStatFields(text), null, JSON.stringify(text));
  }
});

test("this process's own stat reads whole", () => {
  const f = statFields(process.pid);
  assert.ok(f && Number.isFinite(Number(f[11]) + Number(f[12])));
});
