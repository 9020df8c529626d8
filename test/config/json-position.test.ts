import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonErrorPosition } from '../../src/config/json-position.ts';

function positionOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    const at = jsonErrorPosition(text, err instanceof Error ? err.message : '');
    return `${at.line}:${at.column}`;
  }
  assert.fail('the text parsed');
}

describe('jsonErrorPosition', () => {
  it('finds a trailing comma on a later line', () => {
    assert.equal(positionOf('{\n  "a": [1, 2],\n  "b": 3,\n}'), '4:1');
  });

  it('finds a broken literal, which Node reports without a position', () => {
    assert.equal(positionOf('{"a": tru}'), '1:10');
  });

  it('finds an unterminated document at its end', () => {
    assert.equal(positionOf('{"a": [1,\n'), '2:1');
  });

  it('finds a raw control character inside a string', () => {
    assert.equal(positionOf('{"a": "x\ty"}'), '1:9');
  });

  it('finds text after a complete document', () => {
    assert.equal(positionOf('{} {}'), '1:4');
  });
});
