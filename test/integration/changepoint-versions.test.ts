/**
 * Where a change began and what came with it, end to end (issue 21, point 5): a history on disk in
 * which the duration of one test steps up by 25 % at run K, where the Claude model it recorded
 * changed. The real daemon serves the per-test view over HTTP naming run K and the model change;
 * the real `stressd compare` prints the same; /metrics has stressd_sut_info with the new labels.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaudeStreamInfo, RunResult } from '../../src/result/types.ts';
import { seededRandom } from '../../src/seeded-random.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';
import { spawnDaemon, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, samples } from '../fixtures/prom-text.ts';
import { stressdCli } from '../fixtures/stressd-run.ts';

const CONFIG = 'test/fixtures/daemon/quick.json';
const SUITE = 'daemon_quick';
const RUNS = 24;
const K = 14;
const OLD_MODEL = 'claude-sonnet-4-5-20250929';
const NEW_MODEL = 'claude-opus-4-1-20250805';
const EXECUTOR = { name: 'stressd-executor', version: '0.9.0' };

let reportsDir = '';
let daemon: (DaemonProcess & { ready: Promise<void> }) | null = null;

function claude(model: string): ClaudeStreamInfo {
  return {
    model, session_id: 's', claude_version: '2.0.14', total_cost_usd: 0.01, num_turns: 1, duration_ms: 1000, duration_api_ms: 900,
    is_error: false, subtype: 'success', usage: { input_tokens: 10, output_tokens: 100, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
}

/** Run i of the history: ids and start times one hour apart; from run K on, the new model and +25 %. */
function historyRun(i: number, rand: () => number): RunResult {
  const at = new Date(Date.UTC(2026, 11, 1, i)).toISOString();
  const id = `${at.slice(0, 13).replace(/-/g, '')}0000Z-${(0xa000 + i).toString(16)}`;
  const model = i < K ? OLD_MODEL : NEW_MODEL;
  // ±2 % noise around 20 s, then 25 s.
  const duration = (i < K ? 20 : 25) * (1 + (rand() - 0.5) * 0.04);
  return runResult({
    id, suite: SUITE, started_at: at, ended_at: at, stressd_version: '0.1.0',
    sut: { executor: EXECUTOR, stressd_version: '0.1.0' },
    tests: [
      testResult({
        id: 'hello', name: 'Hello', command: 'echo hello stressd world', started_at: at, ended_at: at, duration_seconds: duration,
        claude: claude(model), versions: { executor: EXECUTOR, model, claude_code_version: '2.0.14', command_hash: 'a1b2c3d4e5f6' },
      }),
    ],
  });
}

const runs: RunResult[] = [];

before(async () => {
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-changepoint-'));
  await mkdir(join(reportsDir, SUITE), { recursive: true });
  const rand = seededRandom(21);
  for (let i = 0; i < RUNS; i++) {
    const run = historyRun(i, rand);
    runs.push(run);
    await writeFile(join(reportsDir, SUITE, `${run.id}.json`), JSON.stringify(run));
  }
  daemon = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir]);
  await daemon.ready;
});

after(async () => {
  await daemon?.stop();
  if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
});

function expectedText(): RegExp {
  const k = runs[K]!;
  return new RegExp(`duration \\+2[3-7] % since run ${k.id} at ${k.started_at.replace(/\./g, '\\.')}; Claude model changed there from ${OLD_MODEL} to ${NEW_MODEL}`);
}

test('the per-test view served by the daemon names run K and the model change there', async () => {
  const res = await fetch(`${daemon!.url}/`);
  assert.equal(res.status, 200);
  const html = await res.text();
  const row = /<tr id="test-hello">[\s\S]*?<\/tr>/.exec(html)?.[0] ?? '';
  assert.ok(row !== '', 'the test has a row');
  assert.match(row, expectedText());
  assert.match(row, new RegExp(`<li class="cp" data-measure="duration" data-run="${runs[K]!.id}">`));
  // Only the measure that moved has a change point.
  assert.equal([...row.matchAll(/<li class="cp"/g)].length, 1);
});

test('stressd compare prints the same change point, in text and in JSON', async () => {
  const latest = runs.at(-1)!.id;
  const text = await stressdCli('compare', [latest, '--reports-dir', reportsDir]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`Change points over ${latest}'s history:\\n  hello: `));
  assert.match(text.stdout, expectedText());
  const json = await stressdCli('compare', [latest, '--reports-dir', reportsDir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as { changes: { test: string; measure: string; run_id: string; versions: { field: string; from: string; to: string }[] }[] };
  assert.deepEqual(body.changes.map((c) => [c.test, c.measure, c.run_id]), [['hello', 'duration', runs[K]!.id]]);
  assert.deepEqual(body.changes[0]?.versions.map((v) => [v.field, v.from, v.to]), [['model', OLD_MODEL, NEW_MODEL]]);
});

test('compare of a run before K shows no change point: the history it judges ends there', async () => {
  const early = await stressdCli('compare', [runs[K - 2]!.id, '--reports-dir', reportsDir]);
  assert.equal(early.code, 0, early.stderr);
  assert.doesNotMatch(early.stdout, /Change points/);
});

test('/metrics has stressd_sut_info for the current combination, with the executor and Claude version labels', async () => {
  const expo = parsePromText(await (await fetch(`${daemon!.url}/metrics`)).text());
  const info = samples(expo, 'stressd_sut_info').filter((s) => s.labels.suite === SUITE);
  assert.deepEqual(info.map((s) => s.labels), [{
    suite: SUITE, model: NEW_MODEL, version: '2.0.14', claude_version: '2.0.14', executor: EXECUTOR.name, executor_version: EXECUTOR.version,
  }]);
  assert.equal(info[0]?.value, 1);
});
