/**
 * requireTool: a tool on PATH gives its absolute path; a missing one fails the check under CI
 * (naming the Debian package to install) and lets it skip elsewhere.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTool } from '../fixtures/tools.ts';

let dir = '';
const saved = { PATH: process.env.PATH, CI: process.env.CI };

function withEnv<T>(env: { PATH?: string; CI?: string }, fn: () => T): T {
  for (const key of ['PATH', 'CI'] as const) {
    if (env[key] === undefined) delete process.env[key];
    else process.env[key] = env[key];
  }
  try {
    return fn();
  } finally {
    for (const key of ['PATH', 'CI'] as const) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-tools-'));
  await writeFile(join(dir, 'promtool'), '#!/bin/sh\n');
  await chmod(join(dir, 'promtool'), 0o755);
  // Present but not executable: not a tool.
  await writeFile(join(dir, 'amtool'), '');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a tool on PATH is found by its absolute path, in CI or not', () => {
  assert.equal(withEnv({ PATH: dir, CI: 'true' }, () => requireTool('promtool')), join(dir, 'promtool'));
  assert.equal(withEnv({ PATH: dir }, () => requireTool('promtool')), join(dir, 'promtool'));
});

test('under CI a missing tool throws, naming the tool and its Debian package', () => {
  assert.throws(() => withEnv({ PATH: dir, CI: 'true' }, () => requireTool('amtool')), /amtool .*apt-get install -y prometheus-alertmanager/);
  assert.throws(() => withEnv({ PATH: dir, CI: '1' }, () => requireTool('docker-compose')), /docker-compose .*apt-get install -y docker-compose/);
});

test('outside CI a missing tool is undefined, so the test can skip', () => {
  assert.equal(withEnv({ PATH: dir }, () => requireTool('amtool')), undefined);
  assert.equal(withEnv({ PATH: dir, CI: 'false' }, () => requireTool('chromium')), undefined);
});
