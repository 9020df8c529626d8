import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineAssembler } from '../../src/client/lines.ts';
import type { ProcessOutputParams } from '../../src/protocol/messages.ts';

function frame(data: string, more: Partial<ProcessOutputParams> = {}): ProcessOutputParams {
  return { type: 'stdout', data, truncated: false, chunk_index: null, total_chunks: null, ...more };
}

describe('LineAssembler', () => {
  it('returns an unsplit line at once with its UTF-8 byte count and receive time', () => {
    const line = new LineAssembler().push(frame('héllo\n'), 12.5);
    assert.deepEqual(line, {
      stream: 'stdout', data: 'héllo\n', bytes: 7, chunks: 1, receivedAt: 12.5, serverStall: false, streamError: false, partial: false,
    });
  });

  it('joins indexed chunks and stamps the line with the last chunk time', () => {
    const lines = new LineAssembler();
    assert.equal(lines.push(frame('aa', { truncated: true, chunk_index: 0, total_chunks: 3 }), 1), null);
    assert.equal(lines.push(frame('bb', { truncated: true, chunk_index: 1, total_chunks: 3 }), 2), null);
    const line = lines.push(frame('c\n', { truncated: false, chunk_index: 2, total_chunks: 3 }), 3);
    assert.equal(line?.data, 'aabbc\n');
    assert.equal(line?.chunks, 3);
    assert.equal(line?.receivedAt, 3);
  });

  it('keeps stdout and stderr chunks apart when they interleave', () => {
    const lines = new LineAssembler();
    lines.push(frame('out-', { truncated: true, chunk_index: 0, total_chunks: 2 }), 1);
    const err = lines.push(frame('err\n', { type: 'stderr' }), 2);
    const out = lines.push(frame('end\n', { chunk_index: 1, total_chunks: 2 }), 3);
    assert.equal(err?.data, 'err\n');
    assert.equal(err?.stream, 'stderr');
    assert.equal(out?.data, 'out-end\n');
  });

  it('treats a whole line ending in "...\\n" flagged truncated as one line (cc_executor quirk)', () => {
    const line = new LineAssembler().push(frame('Loading...\n', { truncated: true }), 1);
    assert.equal(line?.data, 'Loading...\n');
    assert.equal(line?.chunks, 1);
  });

  it('joins continued chunks from a server that sends no indices', () => {
    const lines = new LineAssembler();
    assert.equal(lines.push(frame('abc', { truncated: true }), 1), null);
    assert.equal(lines.push(frame('def\n'), 2)?.data, 'abcdef\n');
  });

  it('flags the stall marker whether it comes in one frame or after an empty line', () => {
    const lines = new LineAssembler();
    assert.equal(lines.push(frame('\n[Stream timed out after 5s]\n'), 1)?.serverStall, true);
    assert.equal(lines.push(frame('\n'), 2)?.serverStall, false);
    const marker = lines.push(frame('[Stream timed out after 5s]\n', { type: 'stderr' }), 3);
    assert.equal(marker?.serverStall, true);
    assert.equal(marker?.streamError, false);
  });

  it('flags the stream error marker and nothing that merely looks similar', () => {
    const lines = new LineAssembler();
    const marker = lines.push(frame('\n[Stream error: Separator is not found, and chunk exceed the limit]\n'), 1);
    assert.equal(marker?.streamError, true);
    assert.equal(marker?.serverStall, false);
    const plain = lines.push(frame('[Stream of consciousness]\n'), 2);
    assert.equal(plain?.streamError, false);
    assert.equal(plain?.serverStall, false);
    assert.equal(lines.push(frame('text [Stream error: x]\n'), 3)?.streamError, false);
  });

  it('hands a line longer than it holds over in pieces, so a hostile endless line cannot fill memory', () => {
    const lines = new LineAssembler(10);
    const got = [];
    for (let i = 0; i < 7; i++) {
      const line = lines.push(frame(`[${i}é]`, { truncated: true, chunk_index: i, total_chunks: null }), i);
      if (line !== null) got.push(line);
    }
    const last = lines.push(frame('[7]\n', { chunk_index: 7, total_chunks: 8 }), 7);
    assert.ok(last !== null);
    got.push(last);
    assert.deepEqual(got.map((l) => [l.data, l.partial, l.chunks]), [
      ['[0é][1é][2é]', true, 3],
      ['[3é][4é][5é]', true, 3],
      ['[6é][7]\n', false, 2],
    ]);
    assert.equal(got.reduce((n, l) => n + l.bytes, 0), Buffer.byteLength('[0é][1é][2é][3é][4é][5é][6é][7]\n'));
    assert.deepEqual(lines.flush(8), []);
  });

  it('does not take the middle of a cut line for a server marker', () => {
    const lines = new LineAssembler(4);
    assert.equal(lines.push(frame('abcd', { truncated: true, chunk_index: 0, total_chunks: 2 }), 1)?.partial, true);
    const rest = lines.push(frame('[Stream timed out after 5s]\n', { chunk_index: 1, total_chunks: 2 }), 2);
    assert.equal(rest?.partial, false);
    assert.equal(rest?.serverStall, false);
  });

  it('flushes lines still open when the stream ends', () => {
    const lines = new LineAssembler();
    lines.push(frame('partial', { truncated: true, chunk_index: 0, total_chunks: 2 }), 1);
    const rest = lines.flush(9);
    assert.equal(rest.length, 1);
    assert.equal(rest[0]?.data, 'partial');
    assert.equal(rest[0]?.receivedAt, 9);
    assert.deepEqual(lines.flush(10), []);
  });
});
