import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { stressdRun } from '../fixtures/stressd-run.ts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import { TestClient } from '../fixtures/executor/ws-client.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const SECRETS = {
  STRESSD_TOKEN: 'daemon-token-5f1c9e',
  STRESSD_EXECUTOR_TOKEN: 'executor-token-77ab2d',
  OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer otel-secret-0c3e',
};

test('a command run by `stressd run` through the embedded executor sees none of stressd\'s variables or tokens', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-env-'));
  dirs.push(dir);
  const dump = join(dir, 'env.txt');
  const cfg = join(dir, 'suite.json');
  await writeFile(cfg, JSON.stringify({
    suite: 'env_suite', timeout: 20, pause_between_tests: 0,
    env: { SUITE_VAR: 'from-suite', SHARED: 'suite' },
    env_passthrough: ['PASSED_ON'],
    tests: [{ id: 'env', command: `env > ${dump}; echo done`, expected_patterns: ['done'], env: { TEST_VAR: 'from-test', SHARED: 'test' } }],
  }));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports')], { env: {
    ...SECRETS,
    STRESSD_EXECUTOR_ALLOW: '',
    OTEL_EXPORTER_OTLP_ENDPOINT: '',
    OTEL_SERVICE_NAME: 'leak-check',
    PASSED_ON: 'visible',
    NOT_PASSED: 'hidden',
    LD_PRELOAD: '',
  } });
  assert.equal(r.code, 0, r.stderr);
  const text = await readFile(dump, 'utf8');
  const names = text.split('\n').filter(Boolean).map((l) => l.slice(0, l.indexOf('=')));
  assert.deepEqual(names.filter((n) => /^(STRESSD_|OTEL_)/.test(n)), []);
  for (const value of Object.values(SECRETS)) assert.ok(!text.includes(value), `the command saw ${value}`);
  assert.ok(!text.includes('otel-secret'));
  assert.match(text, /^SUITE_VAR=from-suite$/m);
  assert.match(text, /^TEST_VAR=from-test$/m);
  assert.match(text, /^SHARED=test$/m, "the test's env overrides the suite's");
  assert.match(text, /^PASSED_ON=visible$/m);
  assert.doesNotMatch(text, /NOT_PASSED/);
  assert.match(text, /^PATH=/m);
  // Beside the base and what the config named, only what the shell sets itself (PWD, SHLVL, _),
  // PYTHONUNBUFFERED, and the executor's run mark (a random value that finds escaped processes).
  const expected = new Set(['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TERM', 'USER', 'SUITE_VAR', 'SHARED', 'TEST_VAR', 'PASSED_ON', 'PYTHONUNBUFFERED', 'PWD', 'SHLVL', '_', 'OLDPWD', 'EXECUTOR_RUN_MARK']);
  assert.deepEqual(names.filter((n) => !expected.has(n)), []);
});

test('behind an allow-list, an execute request cannot set a loader variable or a reserved one', async () => {
  const server = await startExecutor({ port: 0, allow: ['echo'] });
  try {
    for (const [env, why] of [
      [{ LD_PRELOAD: '/tmp/x.so' }, /LD_PRELOAD changes how programs are loaded/],
      [{ NODE_OPTIONS: '--import=data:x' }, /NODE_OPTIONS/],
      [{ STRESSD_TOKEN: 'x' }, /reserved for stressd/],
      [{ 'A B': 'x' }, /not a variable name/],
    ] as const) {
      const client = await TestClient.connect(server.url);
      const reply = await client.reply(client.request('execute', { command: 'echo hi', timeout: 5, env }));
      assert.equal(reply.error?.code, -32001);
      assert.match(reply.error?.message ?? '', why);
      await client.close();
    }
    const client = await TestClient.connect(server.url);
    client.request('execute', { command: 'echo "$GREETING"', timeout: 5, env: { GREETING: 'hello from env' } });
    await client.notification('process.completed');
    assert.equal(client.stdout(), 'hello from env\n');
    await client.close();
  } finally {
    await server.close();
  }
});
