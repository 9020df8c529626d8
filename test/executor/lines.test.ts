import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, countCodePoints } from '../../src/executor/lines.ts';

interface Frame { data: string; chunkIndex: number | null; totalChunks: number | null; truncated: boolean }

function collect(options?: ConstructorParameters<typeof LineSplitter>[1]): { splitter: LineSplitter; frames: Frame[] } {
  const frames: Frame[] = [];
  const splitter = new LineSplitter((data, chunkIndex, totalChunks, truncated) => frames.push({ data, chunkIndex, totalChunks, truncated }), options);
  return { splitter, frames };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('splits on newlines, keeps each "\\n", and sends a last unterminated line at EOF', () => {
  const { splitter, frames } = collect();
  splitter.push(enc('one\ntw'));
  splitter.push(enc('o\nthree'));
  assert.deepEqual(frames.map((f) => f.data), ['one\n', 'two\n']);
  splitter.end();
  assert.deepEqual(frames.map((f) => f.data), ['one\n', 'two\n', 'three']);
  assert.ok(frames.every((f) => f.chunkIndex === null && f.totalChunks === null && !f.truncated));
});

test('joins a multi-byte character split across reads', () => {
  const { splitter, frames } = collect();
  const bytes = enc('é€😀\n');
  for (const b of bytes) splitter.push(Uint8Array.of(b));
  splitter.end();
  assert.deepEqual(frames.map((f) => f.data), ['é€😀\n']);
});

test('turns invalid UTF-8 into U+FFFD, including a truncated sequence at EOF', () => {
  const { splitter, frames } = collect();
  splitter.push(Uint8Array.of(0x61, 0xff, 0x62, 0x0a, 0xe2, 0x82));
  splitter.end();
  assert.deepEqual(frames.map((f) => f.data), ['a\uFFFDb\n', '\uFFFD']);
});

test('a line of exactly the limit is one frame; one code point more makes two chunks', () => {
  const { splitter, frames } = collect({ chunkChars: 8 });
  splitter.push(enc('1234567\n'));
  splitter.push(enc('12345678\n'));
  splitter.end();
  assert.deepEqual(frames, [
    { data: '1234567\n', chunkIndex: null, totalChunks: null, truncated: false },
    { data: '12345678', chunkIndex: 0, totalChunks: 2, truncated: true },
    { data: '\n', chunkIndex: 1, totalChunks: 2, truncated: false },
  ]);
});

test('a 200,000-character line becomes ceil(len/65536) chunks that join back to the line', () => {
  const { splitter, frames } = collect();
  const line = 'x'.repeat(199_999) + '\n';
  const bytes = enc(line);
  for (let i = 0; i < bytes.length; i += 65_536) splitter.push(bytes.subarray(i, i + 65_536));
  splitter.end();
  assert.equal(frames.length, 4);
  assert.deepEqual(frames.map((f) => f.chunkIndex), [0, 1, 2, 3]);
  assert.deepEqual(frames.map((f) => f.totalChunks), [4, 4, 4, 4]);
  assert.deepEqual(frames.map((f) => f.truncated), [true, true, true, false]);
  assert.deepEqual(frames.slice(0, 3).map((f) => f.data.length), [65_536, 65_536, 65_536]);
  assert.equal(frames.map((f) => f.data).join(''), line);
});

test('chunks are cut at code points, not UTF-16 units: an astral character is never split', () => {
  const { splitter, frames } = collect({ chunkChars: 4 });
  const line = '😀😀😀😀😀a\n';
  splitter.push(enc(line));
  splitter.end();
  assert.deepEqual(frames.map((f) => f.data), ['😀😀😀😀', '😀a\n']);
  assert.deepEqual(frames.map((f) => countCodePoints(f.data)), [4, 3]);
});

test('the real limit counts 65,536 code points even when they are 131,072 UTF-16 units', () => {
  const { splitter, frames } = collect();
  splitter.push(enc('😀'.repeat(65_536) + 'é\n'));
  splitter.end();
  assert.equal(frames.length, 2);
  assert.equal(countCodePoints(frames[0]?.data ?? ''), 65_536);
  assert.equal(frames[1]?.data, 'é\n');
});

test('an endless line is streamed chunk by chunk with bounded memory; the last chunk carries the total', () => {
  const { splitter, frames } = collect({ chunkChars: 4, maxHeldChunks: 2 });
  splitter.push(enc('aaaabbbbc'));
  assert.equal(frames.length, 0, 'two chunks are held back while the total may still be learnt');
  splitter.push(enc('cccdddde'));
  assert.deepEqual(frames.map((f) => f.data), ['aaaa', 'bbbb', 'cccc', 'dddd'], 'past the hold limit chunks go out as they fill');
  assert.ok(frames.every((f) => f.truncated && f.totalChunks === null));
  splitter.push(enc('\nnxt\n'));
  splitter.end();
  assert.deepEqual(frames.map((f) => f.chunkIndex).slice(0, 4), [0, 1, 2, 3]);
  assert.deepEqual(frames.slice(4), [
    { data: 'e\n', chunkIndex: 4, totalChunks: 5, truncated: false },
    { data: 'nxt\n', chunkIndex: null, totalChunks: null, truncated: false },
  ]);
});

test('counts bytes and lines for telemetry', () => {
  const { splitter } = collect();
  splitter.push(enc('a\nbb\nc'));
  splitter.end();
  assert.equal(splitter.bytes, 6);
  assert.equal(splitter.lines, 3);
});
