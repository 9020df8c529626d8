import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSuite } from '../../src/config/load.ts';
import { selectTests } from '../../src/config/select.ts';

const { suite } = parseSuite(
  {
    suite: 'all',
    categories: {
      simple: { timeout: 60, tests: [{ id: 'echo_test', command: 'echo hi' }, { id: 'math', command: 'echo 4' }] },
      complex: { timeout: 300, tests: [{ id: 'essay', command: 'echo essay' }] },
    },
  },
  'all.json',
);

test('--only keeps the named tests in config order', () => {
  const picked = selectTests(suite, ['essay', 'echo_test']);
  assert.ok(typeof picked !== 'string');
  assert.deepEqual(picked.tests.map((t) => t.id), ['echo_test', 'essay']);
  assert.ok(Object.isFrozen(picked) && Object.isFrozen(picked.tests));
});

test('--only takes a category, as the original runner did', () => {
  const picked = selectTests(suite, ['simple']);
  assert.ok(typeof picked !== 'string');
  assert.deepEqual(picked.tests.map((t) => t.id), ['echo_test', 'math']);
});

test('--only with an unknown name says which and lists what exists', () => {
  const picked = selectTests(suite, ['math', 'nope']);
  assert.equal(typeof picked, 'string');
  assert.match(String(picked), /"nope"/);
  assert.match(String(picked), /echo_test, math, essay, simple \(category\), complex \(category\)/);
  assert.doesNotMatch(String(picked), /"math"/);
});
