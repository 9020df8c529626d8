/**
 * Resource peaks of a cc_executor-compatible server on the same host that stressd did not start:
 * a real server in its own process spawns the commands and reports their pids, and stressd's
 * figures for a known load are held against the truth the load reads from /proc about itself.
 * CPU is compared as CPU seconds used (a busy machine stretches the wall time, not the CPU time
 * the load asks for) and memory as PSS, which no load on the machine changes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun } from '../../src/runner/runner.ts';
import type { TestResult } from '../../src/result/types.ts';
import { makeSuite, type TestSpec } from '../fixtures/runner/suite.ts';
import { loadCommand, readTruth, rssOf, startSameHostServer, type SameHostServer } from '../fixtures/resources/servers.ts';

const MIB = 1024 * 1024;
let dir = '';
let server: SameHostServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-same-host-'));
  server = await startSameHostServer();
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function runOne(url: string, spec: TestSpec): Promise<TestResult> {
  const suite = makeSuite([{ timeout: 120, ...spec }], { sample_interval_ms: 100 });
  const run = await startRun({ suite, executor: { url, localPid: null }, reportsDir: dir, trigger: 'cli' }).done;
  return run.tests[0] ?? assert.fail('no test result');
}

const within = (actual: number, truth: number, share: number, what: string): void => {
  assert.ok(Math.abs(actual - truth) <= share * truth, `${what}: ${actual} against the truth ${truth} (more than ${share * 100} % apart)`);
};

test('a known load (2 CPU seconds, 200 MiB) run by a server on this host: stressd\'s figures are within 10 % of /proc\'s truth', async (t) => {
  const result = await runOne(server.url, { id: 'load', command: loadCommand('samehost', 2, 200, 1), expected_patterns: ['done'] });
  assert.equal(result.outcome, 'passed', `${result.reason}: ${result.reason_detail}`);
  const truth = await readTruth(result.log_path);
  const r = result.resources;
  assert.ok(r.measured, JSON.stringify(r));
  assert.equal(r.measured_by, 'proc');
  t.diagnostic(`cpu ${r.cpu_seconds} s (truth ${truth.cpu_seconds}), memory ${r.peak_memory_bytes} (truth PSS ${truth.pss_bytes}), server ${r.executor_peak_memory_bytes}`);
  within(r.cpu_seconds ?? 0, truth.cpu_seconds, 0.1, 'CPU seconds');
  within(r.peak_memory_bytes, truth.pss_bytes, 0.1, 'peak memory (PSS)');
  assert.equal(r.memory_method, 'pss');
  assert.ok(truth.pss_bytes > 200 * MIB, `the load holds ${truth.pss_bytes} bytes`);
  // The server's own process, found from the socket listening on the URL's port.
  assert.equal(r.executor_why, undefined);
  assert.ok(r.executor_peak_memory_bytes !== null, 'the server\'s memory was read');
  within(r.executor_peak_memory_bytes, await rssOf(server.pid), 0.25, 'the server\'s RSS');
});

test('a pid that is not the command\'s (here: the server\'s own, started before the request) is not sampled, and the result says why', async () => {
  const liar = await startSameHostServer(['--report-pid', 'self']);
  try {
    const result = await runOne(liar.url, { id: 'liar', command: 'sleep 0.5; echo done', expected_patterns: ['done'] });
    assert.equal(result.outcome, 'passed');
    assert.equal(result.resources.measured, false);
    assert.match(result.resources.measured ? '' : result.resources.why, new RegExp(`^pid ${liar.pid} the executor reported is not the command's: it started .* s before the request`));
  } finally {
    await liar.close();
  }
});

test('env against a server that does not announce the capability: env_applied false; with it: true', async () => {
  const without = await runOne(server.url, { id: 'env', command: 'echo "x=${FIXTURE_ENV_X:-unset}"', env: { FIXTURE_ENV_X: '1' } });
  assert.equal(without.env_applied, false);
  assert.match(without.preview_head, /x=unset/);
  const able = await startSameHostServer(['--capabilities', 'execute,control,stream,env']);
  try {
    const withCap = await runOne(able.url, { id: 'env', command: 'echo hi', env: { A: '1' } });
    assert.equal(withCap.env_applied, true);
    const none = await runOne(able.url, { id: 'plain', command: 'echo hi' });
    assert.equal(none.env_applied, undefined, 'a test without env says nothing');
  } finally {
    await able.close();
  }
});
