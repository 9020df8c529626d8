import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PreviewWindow } from '../../src/runner/preview.ts';

test('a text that fits in the head has an empty tail', () => {
  const w = new PreviewWindow(10);
  w.push('abc');
  w.push('def');
  assert.deepEqual([w.head, w.tail, w.empty], ['abcdef', '', false]);
});

test('pieces of any size keep exactly the first and the last N characters', () => {
  const w = new PreviewWindow(5);
  const text = 'The quick brown fox jumps over the lazy dog';
  for (const piece of ['The q', 'u', 'ick brown fox jumps over the lazy', ' d', 'og']) w.push(piece);
  assert.deepEqual([w.head, w.tail], [text.slice(0, 5), text.slice(-5)]);
});

test('a window that saw nothing is empty', () => {
  assert.equal(new PreviewWindow().empty, true);
});

test('the head and the tail never cut a character outside the Basic Multilingual Plane in half', () => {
  const w = new PreviewWindow(4);
  w.push('abc😀def');
  w.push('gh😀ij');
  const wellFormed = (s: string): boolean => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
  assert.ok(wellFormed(w.head), JSON.stringify(w.head));
  assert.ok(wellFormed(w.tail), JSON.stringify(w.tail));
  assert.equal(w.head, 'abc');
  assert.equal(w.tail, '😀ij');
});
