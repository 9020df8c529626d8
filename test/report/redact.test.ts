import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { redactCredentials } from '../../src/report/redact.ts';
import { writeReport } from '../../src/report/writer.ts';
import { runResult } from './run-result.ts';

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

describe('writeReport with a credentialed executor URL', () => {
  it('writes neither the password in the executor field nor in an error detail quoting the URL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stressd-redact-'));
    try {
      const base = runResult({ id: '20261124T101500Z-cccc' });
      const url = 'ws://bench:s3cret@127.0.0.1:9/ws/mcp';
      const tests = base.tests.map((t) => ({ ...t, reason_detail: `could not connect to ${url}: ECONNREFUSED` }));
      const paths = await writeReport({ ...base, executor: url, tests }, dir);
      for (const path of [paths.jsonPath, paths.markdownPath]) {
        const text = await readFile(path, 'utf8');
        assert.ok(!text.includes('s3cret'), `${path} holds the password`);
        assert.ok(text.includes('127.0.0.1:9/ws/mcp'), `${path} lost the address`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
