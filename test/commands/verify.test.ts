import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { describeSuite, estimateRuntime } from '../../src/commands/verify.ts';
import { parseSuite } from '../../src/config/load.ts';

const REPO = resolve(import.meta.dirname, '../..');
const FIX = resolve(REPO, 'test/fixtures/configs');

function verify(config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'verify', '--config', config], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, STRESSD_CONFIG: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`stressd verify ${config} did not exit within 20 s`));
    }, 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(deadline);
      done({ code, stdout, stderr });
    });
  });
}

describe('stressd verify', () => {
  it('prints the suite, its tests and the estimated runtime, nothing on stderr, and exits 0', async () => {
    const { code, stdout, stderr } = await verify(`${FIX}/valid-small.json`);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^suite: +small$/m);
    assert.match(stdout, new RegExp(`^source: +${FIX}/valid-small\\.json$`, 'm'));
    assert.match(stdout, /^executor: +embedded$/m);
    assert.match(stdout, /^schedule: +\*\/5 \* \* \* \*$/m);
    assert.match(stdout, /^ID +CATEGORY +TIMEOUT +PATTERNS$/m);
    assert.match(stdout, /^one +- +10 s +1$/m);
    assert.match(stdout, /^two +- +20 s +2$/m);
    assert.match(stdout, /at most 32\.0 s: sum of timeouts 30 s \+ 1 pause of 2 s/);
    assert.match(stdout, /about 17\.0 s, assuming each test takes 50% of its timeout/);
    assert.equal(stderr, '');
  });

  it('verifies the demo suite', async () => {
    const { code, stdout, stderr } = await verify('configs/demo.json');
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^suite: +demo$/m);
    assert.equal(stderr, '');
  });

  it('prints each problem on stderr, nothing on stdout, and exits 2', async () => {
    const { code, stdout, stderr } = await verify(`${FIX}/bad-timeout.json`);
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.equal(stderr, `stressd: config error in ${FIX}/bad-timeout.json (1 problem):\n  ${FIX}/bad-timeout.json:8:80: $.tests[3].timeout: expected a positive integer (seconds), found "90s"\n`);
  });

  it('exits 2 on invalid JSON and on a missing file', async () => {
    const bad = await verify(`${FIX}/invalid-json.json`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /invalid-json\.json:3:39: \$: expected valid JSON, found /);
    const missing = await verify(`${FIX}/nope.json`);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `stressd: config error in ${FIX}/nope.json (1 problem):\n  ${FIX}/nope.json: $: no such file\n`);
  });
});

describe('estimateRuntime', () => {
  it('sums timeouts and the pauses between tests, and halves the timeouts for the typical case', () => {
    const { suite } = parseSuite({ pause_between_tests: 5, tests: [{ id: 'a', command: 'x', timeout: 100 }, { id: 'b', command: 'y', timeout: 300 }, { id: 'c', command: 'z' }] }, 'e.json');
    assert.deepEqual(estimateRuntime(suite), { timeoutSum: 700, loadSeconds: 0, pauses: 2, upperSeconds: 710, typicalSeconds: 360 });
    assert.match(describeSuite(suite), /at most 11m 50s \(710\.0 s\): sum of timeouts/);
  });

  it('adds how long each load goes on: a search\'s time budget, a rate\'s duration, a ramp\'s stages', () => {
    const { suite } = parseSuite({ pause_between_tests: 0, tests: [
      { id: 's', command: 'x', timeout: 20, load: { search: { max_seconds: 110 } } },
      { id: 'r', command: 'x', timeout: 20, load: { rate: 5, duration_s: 30 } },
      { id: 'g', command: 'x', timeout: 20, load: { stages: [{ duration_s: 10, sessions: 4 }, { duration_s: 5, sessions: 0 }] } },
      { id: 'n', command: 'x', timeout: 20, load: { sessions: 8 } },
    ] }, 'e.json');
    assert.deepEqual(estimateRuntime(suite), { timeoutSum: 80, loadSeconds: 155, pauses: 3, upperSeconds: 235, typicalSeconds: 195 });
    assert.match(describeSuite(suite), /sum of timeouts 80 s \+ 155 s of load \(search budgets, rates, ramps\)/);
  });
});
