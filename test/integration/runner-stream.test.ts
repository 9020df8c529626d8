import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import type { ExecutorServer } from '../../src/executor/types.ts';
import { startRun } from '../../src/runner/runner.ts';
import type { RunResult } from '../../src/result/types.ts';
import { makeSuite, nodeCommand, type TestSpec } from '../fixtures/runner/suite.ts';

let executor: ExecutorServer;
let reportsDir: string;
before(async () => {
  executor = await startExecutor({ port: 0 });
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-runner-stream-'));
});
after(async () => {
  await executor.close();
  await rm(reportsDir, { recursive: true, force: true });
});

const simulator = (flags: string): string => `${process.execPath} --import tsx src/simulator/main.ts ${flags}`;
const runOne = (spec: TestSpec, sampleMs = 200): Promise<RunResult> =>
  startRun({ suite: makeSuite([spec], { sample_interval_ms: sampleMs }), executor: { url: executor.url, localPid: process.pid }, reportsDir, trigger: 'cli' }).done;

test('patterns hidden by JSON escaping are found in the text Claude wrote', async () => {
  const run = await runOne({
    id: 'escaped',
    command: simulator(`--words 30 --interval-ms 10 --first-token-ms 0 --seed 7 --include 'say "hi",résumé'`),
    expected_patterns: ['say "hi"', 'RÉSUMÉ', 'not there at all'],
    timeout: 30,
  });
  const [t] = run.tests;
  assert.deepEqual(t?.patterns_found, ['say "hi"', 'RÉSUMÉ']);
  assert.deepEqual(t?.patterns_missing, ['not there at all']);
  const raw = await readFile(t?.log_path ?? '', 'utf8');
  assert.ok(!raw.includes('say "hi"'), 'the raw stream escapes the quotes');
  assert.deepEqual([t?.outcome, t?.reason], ['failed', 'pattern_miss']);
});

test('a pattern found only in the JSON envelope of stream-json is not found, and the test fails', async () => {
  const run = await runOne({
    id: 'envelope',
    command: simulator('--words 20 --interval-ms 5 --first-token-ms 0 --seed 11'),
    expected_patterns: ['apiKeySource', 'session_id'],
    timeout: 30,
  });
  const [t] = run.tests;
  const raw = await readFile(t?.log_path ?? '', 'utf8');
  assert.ok(raw.includes('apiKeySource') && raw.includes('session_id'), 'the raw stream carries both keys');
  assert.deepEqual(t?.patterns_found, []);
  assert.deepEqual([t?.outcome, t?.reason], ['failed', 'pattern_miss']);
});

test('first text, gaps and cost come out as the simulator paced and reported them', async () => {
  const run = await runOne({
    id: 'paced',
    command: simulator('--words 40 --words-per-line 1 --interval-ms 50 --first-token-ms 300 --seed 3'),
    timeout: 30,
  });
  const [t] = run.tests;
  assert.equal(t?.outcome, 'passed');
  const s = t?.stream;
  // The init line comes at once, the first text 300 ms later, then a line every 50 ms. A timer
  // never fires early, so each gap is about what the simulator paced or more; a reader held up on
  // a busy core can shorten one gap as it lengthens the one before, hence the lower bounds' slack.
  // Above them only the median is held: one late line moves the p95 and the max, not the median.
  const textAfterFirstOutput = (s?.first_text_seconds ?? NaN) - (s?.first_output_seconds ?? NaN);
  assert.ok(textAfterFirstOutput >= 0.25, `first text after first output: ${textAfterFirstOutput}`);
  const [p50, p95, max] = [s?.gap_p50_seconds ?? NaN, s?.gap_p95_seconds ?? NaN, s?.gap_max_seconds ?? NaN];
  assert.ok(p50 >= 0.04 && p50 <= 0.1, `p50 ${p50}`);
  assert.ok(p95 >= p50 && max >= p95, `p50 ${p50} ≤ p95 ${p95} ≤ max ${max}`);
  assert.ok(max >= 0.25, `max ${max}: the wait for the first text is the longest gap`);
  // Every gap after the first output is in the histogram: one fewer than the lines received.
  const h = s?.gap_histogram;
  assert.ok(h && t, 'the gap histogram is reported');
  assert.equal(h.count, t.output_lines - 1);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), h.count);
  const aboveTenthOfASecond = h.counts.filter((_, i) => (h.bounds[i] ?? Infinity) > 0.1).reduce((a, b) => a + b, 0);
  assert.ok(aboveTenthOfASecond >= 1, 'the 300 ms wait for the first text is one of the gaps');
  assert.ok(h.sum / h.count >= (0.25 + 0.04 * (h.count - 1)) / h.count, `mean gap ${h.sum / h.count}`);

  const lines = (await readFile(t?.log_path ?? '', 'utf8')).trim().split('\n');
  const result = JSON.parse(lines.at(-1) ?? '{}') as { total_cost_usd: number; num_turns: number; usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number } };
  assert.equal(t?.claude?.total_cost_usd, result.total_cost_usd);
  assert.equal(t?.claude?.num_turns, result.num_turns);
  assert.deepEqual(t?.claude?.usage, {
    input_tokens: result.usage.input_tokens,
    output_tokens: result.usage.output_tokens,
    cache_read_input_tokens: result.usage.cache_read_input_tokens,
    cache_creation_input_tokens: result.usage.cache_creation_input_tokens,
  });
  assert.equal(t?.claude?.model, 'claude-sonnet-4-20250514');
  assert.ok((s?.output_tokens_per_second ?? 0) > 0);
});

test('the answer preview is the text Claude wrote, unescaped: its first and last 2,000 characters', async () => {
  const run = await runOne({
    id: 'answer',
    command: simulator(`--words 1500 --words-per-line 20 --interval-ms 0 --first-token-ms 0 --seed 5 --include 'say "hi",résumé'`),
    timeout: 30,
  });
  const [t] = run.tests;
  const lines = (await readFile(t?.log_path ?? '', 'utf8')).trim().split('\n');
  const answer = (JSON.parse(lines.at(-1) ?? '{}') as { result: string }).result;
  assert.ok(answer.length > 4000, `answer length ${answer.length}`);
  assert.equal(t?.text_preview_head, answer.slice(0, 2000));
  assert.equal(t?.text_preview_tail, answer.slice(-2000));
  assert.ok(t?.preview_head.startsWith('{"type":"system"'), 'the raw preview stays the raw stream');

  const plain = await runOne({ id: 'plain', command: 'echo not stream-json' });
  assert.deepEqual([plain.tests[0]?.text_preview_head, plain.tests[0]?.text_preview_tail], [null, null]);
});

test("Claude's own usage-limit error is rate_limited; an error result is sut_error", async () => {
  const limited = await runOne({ id: 'limited', command: simulator('--rate-limit --first-token-ms 0 --seed 1'), timeout: 30 });
  assert.deepEqual([limited.tests[0]?.outcome, limited.tests[0]?.reason], ['failed', 'rate_limited']);
  const failed = await runOne({ id: 'sut', command: simulator('--is-error --words 5 --interval-ms 5 --first-token-ms 0 --seed 1'), timeout: 30 });
  assert.deepEqual([failed.tests[0]?.reason, failed.tests[0]?.claude?.subtype], ['sut_error', 'error_during_execution']);
});

test('a command burning one core for 2 s has a CPU peak at least its average rate (on a loaded machine it gets less than a core)', async () => {
  const run = await runOne({ id: 'cpu', command: nodeCommand('const e=Date.now()+2000;while(Date.now()<e);') }, 250);
  const r = run.tests[0]?.resources;
  assert.equal(r?.measured, true);
  const average = r?.measured ? (r.cpu_seconds ?? 0) / (run.tests[0]?.duration_seconds ?? 1) : 0;
  assert.ok(r?.measured && average > 0.02 && (r.peak_cpu_ratio ?? 0) >= average * 0.9, `${JSON.stringify(r)}, average ${average}`);
});

test('a command holding 200 MB peaks above 200 MB of RSS', async () => {
  const run = await runOne({ id: 'rss', command: nodeCommand('const b=Buffer.alloc(200*1024*1024,1);setTimeout(()=>{},2500)') }, 250);
  const r = run.tests[0]?.resources;
  assert.ok(r?.measured && r.peak_memory_bytes > 200 * 1024 * 1024, JSON.stringify(r));
  assert.ok(r?.measured && (r.executor_peak_memory_bytes ?? 0) > 0);
});

test('a line longer than the client holds whole (4 Mi characters) is still one line, counted and logged in full', async () => {
  const long = 5 * 1024 * 1024;
  const run = await runOne({ id: 'long-line', command: `head -c ${long} /dev/zero | tr '\\0' x; echo; echo done`, expected_patterns: ['done'], timeout: 30 });
  const [t] = run.tests;
  assert.deepEqual([t?.outcome, t?.output_lines, t?.output_bytes], ['passed', 2, long + 1 + 5]);
  assert.equal(t?.stream.gap_histogram?.count, 1, 'one gap: between the two lines');
  const log = await readFile(t?.log_path ?? '', 'utf8');
  assert.equal(log.length, long + 6);
  assert.ok(log.endsWith('x\ndone\n'));
});

test('a run records what it measured: the executor of the connected frame, Claude model and version, the command hash, stressd', async () => {
  const command = simulator('--words 10 --interval-ms 5 --first-token-ms 0 --seed 5 --model claude-opus-4-1-20250805 --claude-version 2.0.31');
  const run = await runOne({ id: 'versions', command, timeout: 30 });
  const [t] = run.tests;
  const { createHash } = await import('node:crypto');
  const { VERSION } = await import('../../src/version.ts');
  assert.deepEqual(t?.versions, {
    executor: { name: 'stressd-executor', version: VERSION },
    model: 'claude-opus-4-1-20250805',
    claude_code_version: '2.0.31',
    command_hash: createHash('sha256').update(command).digest('hex').slice(0, 12),
  });
  assert.deepEqual(run.sut, { executor: { name: 'stressd-executor', version: VERSION }, stressd_version: VERSION });
});
