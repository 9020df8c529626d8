/**
 * A suite's env against an executor that does not announce the `env` capability is said, not
 * silently lost: `stressd verify` warns before a run, the terminal warns once a run, and the
 * config's `resources` key is checked like every other.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCommand } from '../../src/commands/verify.ts';
import { ConfigError } from '../../src/config/errors.ts';
import { parseSuite } from '../../src/config/load.ts';
import { progressSink } from '../../src/report/progress.ts';
import { writeFile } from 'node:fs/promises';
import { testResult } from '../fixtures/run-result.ts';
import { startSameHostServer, type SameHostServer } from '../fixtures/resources/servers.ts';

let dir = '';
let plain: SameHostServer;
let able: SameHostServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-env-warning-'));
  plain = await startSameHostServer();
  able = await startSameHostServer(['--capabilities', 'execute,control,stream,env']);
});
after(async () => {
  await plain.close();
  await able.close();
  await rm(dir, { recursive: true, force: true });
});

async function verifyAgainst(url: string, env: Record<string, string> | undefined): Promise<{ code: number; err: string }> {
  const path = join(dir, `suite-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, JSON.stringify({ executor: url, tests: [{ id: 'a', command: 'echo hi', ...(env ? { env } : {}) }] }));
  let err = '';
  const code = await verifyCommand({ config: path }, { out: () => undefined, err: (t) => (err += t) });
  return { code, err };
}

test('verify warns when the executor does not announce env, and not when it does or when no test sets env', async () => {
  const lost = await verifyAgainst(plain.url, { A: '1' });
  assert.equal(lost.code, 0);
  assert.match(lost.err, /^warning: 1 test set env \(a\), but the executor at ws:\/\/127\.0\.0\.1:\d+\/ws\/mcp does not announce the `env` capability/m);
  assert.equal((await verifyAgainst(able.url, { A: '1' })).err, '');
  assert.equal((await verifyAgainst(plain.url, undefined)).err, '');
});

test('the terminal warns once a run, beside the first test whose env was not applied', () => {
  let out = '';
  const sink = progressSink({ write: (t: string) => (out += t) });
  for (const id of ['one', 'two']) sink.onTestEnd?.({ runId: 'r', suite: 's', result: testResult({ id, env_applied: false }) });
  assert.equal(out.match(/^warning: /gm)?.length, 1, out);
  assert.match(out, /^warning: one: env NOT applied/m);
});

test('a bad resources setting is a config error naming where and what', () => {
  const bad = (resources: unknown): string => {
    try {
      parseSuite({ resources, tests: [{ id: 'a', command: 'true' }] }, 'x.json');
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
    return '';
  };
  assert.match(bad('remote'), /\$\.resources.*"auto", "local" or \{"prometheus"/);
  assert.match(bad({ prometheus: { url: 'ftp://x', cpu: 'up' } }), /\$\.resources\.prometheus\.url.*http:\/\/ or https:\/\//);
  assert.match(bad({ prometheus: { url: 'http://x:9090' } }), /\$\.resources\.prometheus\.memory.*a "cpu" or a "memory" query/);
  const ok = parseSuite({ resources: 'local', tests: [{ id: 'a', command: 'true', resources: { prometheus: { url: 'http://p:9090', memory: 'm' } } }] }, 'x.json');
  assert.equal(ok.suite.resources, 'local');
  assert.deepEqual(ok.suite.tests[0]?.resources, { prometheus: { url: 'http://p:9090', cpu: null, memory: 'm', scrape_interval_s: 15, labels: {} } });
});
