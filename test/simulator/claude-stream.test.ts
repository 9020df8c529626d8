import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { DEFAULT_OPTIONS, costUsd, planStream } from '../../src/simulator/claude-stream.ts';

const REPO = resolve(import.meta.dirname, '../..');

interface Line {
  atMs: number;
  event: Record<string, unknown>;
}

interface Run {
  code: number | null;
  lines: Line[];
  stderr: string;
}

/** Runs the simulator as a child process and stamps each stdout line with its arrival time. */
function simulate(args: string[], deadlineMs = 20_000): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/main.ts', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const now = performance.now();
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const p of parts) lines.push({ atMs: now, event: JSON.parse(p) as Record<string, unknown> });
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`simulator ${args.join(' ')} did not exit within ${deadlineMs} ms`));
    }, deadlineMs);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(deadline);
      done({ code, lines, stderr });
    });
  });
}

type Obj = Record<string, unknown>;
const message = (l: Line) => l.event.message as Obj;
const texts = (run: Run) => run.lines.filter((l) => l.event.type === 'assistant').map((l) => ((message(l).content as Obj[])[0] as Obj).text as string);

describe('the simulator (a child process)', () => {
  it('prints system/init first, assistant lines with one text block each, and a success result last', async () => {
    const run = await simulate(['--words', '40', '--interval-ms', '5', '--first-token-ms', '0', '--seed', '3', '--include', 'python,best practice,production']);
    assert.equal(run.code, 0);
    const [init, ...rest] = run.lines;
    const result = rest.pop();
    assert.equal(init?.event.type, 'system');
    assert.equal(init?.event.subtype, 'init');
    for (const k of ['cwd', 'session_id', 'tools', 'mcp_servers', 'model', 'permissionMode', 'apiKeySource']) assert.ok(k in (init?.event ?? {}), k);
    assert.ok(rest.length > 1);
    for (const l of rest) {
      assert.equal(l.event.type, 'assistant');
      const m = message(l);
      assert.equal(m.role, 'assistant');
      assert.equal(m.type, 'message');
      assert.equal((m.content as unknown[]).length, 1);
      assert.equal(((m.content as Obj[])[0] as Obj).type, 'text');
      assert.equal(l.event.session_id, init?.event.session_id);
    }
    assert.equal(result?.event.type, 'result');
    assert.equal(result?.event.subtype, 'success');
    assert.equal(result?.event.is_error, false);
    for (const k of ['duration_ms', 'duration_api_ms', 'num_turns', 'total_cost_usd', 'session_id']) assert.ok(k in (result?.event ?? {}), k);
    const text = texts(run).join('');
    assert.equal(result?.event.result, text);
    for (const p of ['python', 'best practice', 'production']) assert.ok(text.includes(p), p);
    const usage = result?.event.usage as Obj;
    assert.equal(usage.output_tokens, text.split(/\s+/).filter(Boolean).length);
    assert.equal(result?.event.total_cost_usd, costUsd(DEFAULT_OPTIONS.model, usage as never));
  });

  it('paces lines against one start time: first token and fixed interval within tolerance, no drift', async () => {
    const run = await simulate(['--words', '100', '--words-per-line', '5', '--interval-ms', '50', '--first-token-ms', '300']);
    const t0 = run.lines[0]?.atMs ?? 0;
    const assistant = run.lines.filter((l) => l.event.type === 'assistant').map((l) => l.atMs - t0);
    assert.equal(assistant.length, 20);
    assert.ok(Math.abs((assistant[0] ?? 0) - 300) < 60, `first token after ${assistant[0]} ms`);
    // 19 intervals later: cumulative sleeps would drift by the sum of timer lateness; scheduling does not.
    assert.ok(Math.abs((assistant[19] ?? 0) - 1250) < 60, `last line after ${assistant[19]} ms`);
    const gaps = assistant.slice(1).map((t, i) => t - (assistant[i] ?? 0)).sort((a, b) => a - b);
    assert.ok(Math.abs((gaps[9] ?? 0) - 50) < 15, `median gap ${gaps[9]} ms`);
  });

  it('streams at --tokens-per-second, one token per word', async () => {
    const run = await simulate(['--words', '100', '--words-per-line', '10', '--tokens-per-second', '100', '--first-token-ms', '0']);
    const assistant = run.lines.filter((l) => l.event.type === 'assistant');
    const span = (assistant.at(-1)?.atMs ?? 0) - (assistant[0]?.atMs ?? 0);
    // 90 words precede the last line: 0.9 s at 100 words/s.
    assert.ok(Math.abs(span - 900) < 80, `streamed for ${span} ms`);
  });

  it('goes silent for --stall-ms in the middle of the stream', async () => {
    const run = await simulate(['--words', '50', '--interval-ms', '10', '--first-token-ms', '0', '--stall-ms', '600']);
    const at = run.lines.filter((l) => l.event.type === 'assistant').map((l) => l.atMs);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    const longest = Math.max(...gaps);
    assert.ok(longest >= 580 && longest < 800, `longest gap ${longest} ms`);
    const where = gaps.indexOf(longest);
    assert.ok(where > 0 && where < gaps.length - 1, 'the stall is mid-stream');
  });

  it('reports an error result and exits 1 with --is-error, writing --stderr text', async () => {
    const run = await simulate(['--words', '10', '--interval-ms', '1', '--first-token-ms', '0', '--is-error', '--stderr', 'boom: failed']);
    assert.equal(run.code, 1);
    const result = run.lines.at(-1)?.event;
    assert.equal(result?.type, 'result');
    assert.equal(result?.is_error, true);
    assert.equal(result?.subtype, 'error_during_execution');
    assert.equal(run.stderr, 'boom: failed\n');
  });

  it('exits with --exit-code after a normal stream', async () => {
    const run = await simulate(['--words', '5', '--interval-ms', '1', '--first-token-ms', '0', '--exit-code', '3']);
    assert.equal(run.code, 3);
    assert.equal(run.lines.at(-1)?.event.is_error, false);
  });

  it('prints Claude\'s usage-limit message and exits 1 with --rate-limit', async () => {
    const run = await simulate(['--rate-limit', '--first-token-ms', '0']);
    assert.equal(run.code, 1);
    assert.match(texts(run)[0] ?? '', /^Claude AI usage limit reached\|\d{10}$/);
    const result = run.lines.at(-1)?.event;
    assert.equal(result?.is_error, true);
    assert.match(String(result?.result), /usage limit reached/);
  });

  it('rejects an unknown or malformed flag with exit 2 and a message naming it', async () => {
    const bad = await simulate(['--words', 'many']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--words: expected an integer >= 1, found "many"/);
    assert.deepEqual(bad.lines, []);
  });
});

describe('planStream', () => {
  const base = { ...DEFAULT_OPTIONS, firstTokenMs: 0, intervalMs: 10 };

  it('is deterministic for a seed and differs between seeds', () => {
    assert.equal(planStream({ ...base, seed: 9 }).text, planStream({ ...base, seed: 9 }).text);
    assert.notEqual(planStream({ ...base, seed: 9 }).text, planStream({ ...base, seed: 10 }).text);
  });

  it('keeps every --include phrase, in its own case, even in a very short text', () => {
    const plan = planStream({ ...base, words: 2, include: ['Django', 'React', 'Node', 'best practice'] });
    for (const p of ['Django', 'React', 'Node', 'best practice']) assert.ok(plan.text.includes(p), `${p} in ${plan.text}`);
  });

  it('sizes the text from --duration-s at the configured pacing', () => {
    const byRate = planStream({ ...DEFAULT_OPTIONS, durationS: 4, tokensPerSecond: 25, firstTokenMs: 0 });
    assert.equal(byRate.text.split(/\s+/).filter(Boolean).length, 100);
    const byInterval = planStream({ ...base, durationS: 2, intervalMs: 100 });
    const last = byInterval.lines.filter((l) => typeof l.body !== 'string' && l.body.type === 'assistant').at(-1);
    assert.equal(last?.atMs, 2000);
  });
});
