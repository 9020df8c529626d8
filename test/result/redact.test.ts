import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactCredentials, redactRun } from '../../src/result/redact.ts';
import { runResult } from '../report/run-result.ts';

describe('redactCredentials', () => {
  it('hides the user and password of every URL in a text and keeps the rest', () => {
    assert.equal(redactCredentials('ws://bench:s3cret@10.0.0.1:8003/ws/mcp'), 'ws://***@10.0.0.1:8003/ws/mcp');
    assert.equal(
      redactCredentials('could not connect to wss://token@host/ws/mcp: ECONNREFUSED'),
      'could not connect to wss://***@host/ws/mcp: ECONNREFUSED',
    );
  });

  it('hides a password that itself holds an @ (the URL parser takes the last one as the end)', () => {
    assert.equal(redactCredentials('ws://u:p@ss@host/ws/mcp'), 'ws://***@host/ws/mcp');
  });

  it('leaves a URL without credentials, and an @ in its query, alone', () => {
    assert.equal(redactCredentials('ws://127.0.0.1:8003/ws/mcp?who=a@b'), 'ws://127.0.0.1:8003/ws/mcp?who=a@b');
  });
});

describe('redactRun', () => {
  it('removes the password from the executor field and from an error detail quoting the URL, and keeps the address', () => {
    const base = runResult({ id: '20261124T101500Z-cccc' });
    const url = 'ws://bench:s3cret@127.0.0.1:9/ws/mcp';
    const tests = base.tests.map((t) => ({ ...t, reason_detail: `could not connect to ${url}: ECONNREFUSED` }));
    const text = JSON.stringify(redactRun({ ...base, executor: url, tests }));
    assert.ok(!text.includes('s3cret'), 'the password is still there');
    assert.ok(text.includes('127.0.0.1:9/ws/mcp'), 'the address was lost');
  });

  it('returns the same object when nothing needs redacting', () => {
    const run = runResult({ id: '20261124T101500Z-cccd' });
    assert.equal(redactRun(run), run);
  });
});
