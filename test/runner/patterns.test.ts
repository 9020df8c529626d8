import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatternMatcher } from '../../src/runner/patterns.ts';

test('finds a pattern whatever its case and records when and where its match ended', () => {
  const m = new PatternMatcher(['Python', 'missing'], 1000);
  m.feedRaw('stdout', 'hello\n', 0, 1100);
  m.feedRaw('stdout', 'I like PYTHON a lot\n', 6, 1500);
  const [python, missing] = m.hits();
  assert.deepEqual(python, { pattern: 'Python', found: true, first_seen_seconds: 0.5, first_seen_byte: 6 + 'I like PYTHON'.length });
  assert.deepEqual(missing, { pattern: 'missing', found: false, first_seen_seconds: null, first_seen_byte: null });
  assert.equal(m.coverage(), 0.5);
});

test('a pattern split across two chunks of the same stream still counts', () => {
  const m = new PatternMatcher(['production'], 0);
  m.feedRaw('stdout', 'ready for produ', 0, 10);
  m.feedRaw('stdout', 'ction use\n', 15, 20);
  const [hit] = m.hits();
  assert.equal(hit?.found, true);
  assert.equal(hit?.first_seen_byte, 15 + 'ction'.length);
  assert.equal(hit?.first_seen_seconds, 0.02);
});

test('halves on stdout and stderr do not join into a pattern', () => {
  const m = new PatternMatcher(['production'], 0);
  m.feedRaw('stdout', 'produ', 0, 1);
  m.feedRaw('stderr', 'ction', 5, 2);
  assert.equal(m.hits()[0]?.found, false);
});

test('the byte position counts UTF-8 bytes, not characters', () => {
  const m = new PatternMatcher(['café'], 0);
  m.feedRaw('stdout', 'é café', 100, 1);
  assert.equal(m.hits()[0]?.first_seen_byte, 100 + Buffer.byteLength('é café'));
});

test('readable text finds what JSON escaping hides in the raw stream', () => {
  const m = new PatternMatcher(['résumé', 'say "hi"', 'line one\nline two'], 0);
  const raw = JSON.stringify({ text: 'résumé, say "hi", line one\nline two' }).replace('é', '\\u00e9');
  m.feedRaw('stdout', raw, 0, 1);
  assert.equal(m.foundCount('raw'), 0);
  m.feedText('assistant', 'r\u00e9sum\u00e9, say "hi", line one\nline two', raw.length, 2);
  assert.equal(m.foundCount('text'), 3);
  assert.ok(m.hits(0, 'text').every((h) => h.first_seen_byte === raw.length));
});

test("a pattern split across two assistant lines counts: Claude's text continues from one line to the next", () => {
  const m = new PatternMatcher(['best practice'], 0);
  m.feedText('assistant', 'follow every best prac', 120, 1);
  m.feedText('assistant', 'tice you know', 260, 2);
  assert.deepEqual(m.hits(0, 'text')[0], { pattern: 'best practice', found: true, first_seen_seconds: 0.002, first_seen_byte: 260 });
});

test('a new text context does not join the previous one', () => {
  const m = new PatternMatcher(['abcd'], 0);
  m.feedText('assistant', 'ab', 2, 1);
  m.resetContext('assistant');
  m.feedText('assistant', 'cd', 4, 2);
  assert.equal(m.hits(0, 'text')[0]?.found, false);
});

test('the first occurrence wins and later ones do not move it', () => {
  const m = new PatternMatcher(['x'], 0);
  m.feedRaw('stdout', 'x', 0, 1000);
  m.feedRaw('stdout', 'x', 1, 2000);
  assert.equal(m.hits()[0]?.first_seen_seconds, 1);
});

test('memory stays bounded: the carry never grows past the longest pattern', () => {
  const m = new PatternMatcher(['needle'], 0);
  const big = 'y'.repeat(1 << 20);
  for (let i = 0; i < 50; i++) m.feedRaw('stdout', big, i * big.length, i);
  m.feedRaw('stdout', 'nee', 50 * big.length, 51);
  m.feedRaw('stdout', 'dle', 50 * big.length + 3, 52);
  assert.equal(m.hits()[0]?.first_seen_byte, 50 * big.length + 6);
});

test('coverage is 1 when no pattern is expected', () => {
  assert.equal(new PatternMatcher([], 0).coverage(), 1);
});

test('for stream-json only the readable text counts: a key of the JSON envelope does not satisfy a pattern', () => {
  const init = '{"type":"system","subtype":"init","session_id":"s1","tools":["Bash"],"model":"claude-opus-4-20250514","apiKeySource":"none"}';
  const m = new PatternMatcher(['API', 'model', 'session', 'tools', 'answer'], 0);
  m.feedRaw('stdout', `${init}\n`, 0, 1);
  m.feedText('assistant', 'Here is the answer.', 300, 2);
  assert.deepEqual(m.hits(0, 'text').filter((h) => h.found).map((h) => h.pattern), ['answer']);
  assert.equal(m.coverage('text'), 0.2);
  // The raw view still sees the envelope: that is why stream-json output must be judged on text.
  assert.equal(m.foundCount('raw'), 4);
});
