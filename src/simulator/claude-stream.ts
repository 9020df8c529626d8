/**
 * A stand-in for `claude -p … --output-format stream-json --verbose`: plans the exact lines
 * Claude prints (shapes of shared/CLAUDE_STREAM_JSON.md) and when each is due, as a pure function
 * so the plan can be tested without waiting. main.ts writes the plan out against a monotonic clock.
 * One simulated token is one word, so a run's tokens/s is the configured rate.
 */
import { chunkText, fakeMessageId, fakeUuid, generateWords, prng } from './text.ts';

export interface SimulatorOptions {
  /** Words of assistant text (default 150); ignored when `durationS` is set. */
  words: number;
  /** Stream this long instead of a fixed word count (seconds), paced by the rate below. */
  durationS: number | null;
  /** Pacing by rate: words per second (default 50). */
  tokensPerSecond: number;
  /** Pacing by a fixed gap between assistant lines (ms); wins over `tokensPerSecond`. */
  intervalMs: number | null;
  /** Delay from the init line to the first assistant line (ms, default 500). */
  firstTokenMs: number;
  /** Words per assistant line (default 5). */
  wordsPerLine: number;
  seed: number;
  topic: string[];
  include: string[];
  model: string;
  /** `claude_code_version` of the init line (newer Claude Code prints it); null: left out, as CLAUDE_STREAM_JSON.md's line has it. */
  claudeVersion: string | null;
  /** Exit status; null = Claude's own (0, or 1 after an error result). */
  exitCode: number | null;
  isError: boolean;
  /** A silence inserted in the middle of the stream (ms). */
  stallMs: number;
  /** Written to stderr right after the init line. */
  stderr: string | null;
  rateLimit: boolean;
}

export const DEFAULT_OPTIONS: SimulatorOptions = {
  words: 150,
  durationS: null,
  tokensPerSecond: 50,
  intervalMs: null,
  firstTokenMs: 500,
  wordsPerLine: 5,
  seed: 1,
  topic: [],
  include: [],
  model: 'claude-sonnet-4-20250514',
  claudeVersion: null,
  exitCode: null,
  isError: false,
  stallMs: 0,
  stderr: null,
  rateLimit: false,
};

export type StreamEvent = Record<string, unknown>;

export interface PlannedLine {
  /** Milliseconds after start at which the line is due. */
  atMs: number;
  stream: 'stdout' | 'stderr';
  /** A stream-json event (written as one compact JSON line) or raw text for stderr. */
  body: StreamEvent | string;
}

export interface StreamPlan {
  lines: PlannedLine[];
  exitCode: number;
  text: string;
}

/** USD per million tokens: [input, output, cache write, cache read], by model family. */
const PRICES: Record<string, readonly [number, number, number, number]> = {
  opus: [15, 75, 18.75, 1.5],
  sonnet: [3, 15, 3.75, 0.3],
  haiku: [0.8, 4, 1, 0.08],
};

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export function costUsd(model: string, u: Usage): number {
  const family = Object.keys(PRICES).find((f) => model.includes(f)) ?? 'sonnet';
  const [inp, out, write, read] = PRICES[family] as readonly [number, number, number, number];
  const usd = (u.input_tokens * inp + u.output_tokens * out + u.cache_creation_input_tokens * write + u.cache_read_input_tokens * read) / 1e6;
  return Math.round(usd * 1e7) / 1e7;
}

/** Seconds → words at the configured pacing, so `--duration-s` streams for about that long. */
function wordCount(o: SimulatorOptions): number {
  if (o.durationS === null) return o.words;
  if (o.intervalMs !== null) return Math.max(1, Math.floor((o.durationS * 1000) / o.intervalMs) + 1) * o.wordsPerLine;
  return Math.max(1, Math.round(o.durationS * o.tokensPerSecond));
}

export function planStream(o: SimulatorOptions): StreamPlan {
  const rand = prng(o.seed ^ 0x5eed);
  const sessionId = fakeUuid(rand);
  const messageId = fakeMessageId(rand);
  const lines: PlannedLine[] = [];
  lines.push({ atMs: 0, stream: 'stdout', body: initEvent(o.model, sessionId, o.claudeVersion) });
  if (o.stderr !== null) lines.push({ atMs: 0, stream: 'stderr', body: o.stderr.endsWith('\n') ? o.stderr : `${o.stderr}\n` });

  const chunks = o.rateLimit
    ? [`Claude AI usage limit reached|${limitResetEpoch(o.seed)}`]
    : chunkText(generateWords({ words: wordCount(o), seed: o.seed, topic: o.topic, include: o.include }), o.wordsPerLine);
  const text = chunks.join('');
  const usage: Usage = o.rateLimit
    ? { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 }
    : {
        input_tokens: 4 + Math.floor(rand() * 20),
        cache_creation_input_tokens: Math.floor(rand() * 3000),
        cache_read_input_tokens: 14_000 + Math.floor(rand() * 2000),
        output_tokens: text.split(/\s+/).filter(Boolean).length,
      };

  const stallAfter = Math.floor((chunks.length - 1) / 2);
  let tokensBefore = 0;
  let at = o.firstTokenMs;
  chunks.forEach((chunk, i) => {
    at = o.intervalMs !== null ? o.firstTokenMs + i * o.intervalMs : o.firstTokenMs + (tokensBefore / o.tokensPerSecond) * 1000;
    if (o.stallMs > 0 && i > stallAfter) at += o.stallMs;
    tokensBefore += chunk.split(/\s+/).filter(Boolean).length;
    lines.push({ atMs: Math.round(at), stream: 'stdout', body: assistantEvent(o.model, messageId, sessionId, chunk, usage) });
  });

  const isError = o.isError || o.rateLimit;
  const endAt = Math.round(at + (o.intervalMs ?? 20));
  lines.push({
    atMs: endAt,
    stream: 'stdout',
    body: {
      type: 'result',
      subtype: o.isError ? 'error_during_execution' : 'success',
      is_error: isError,
      duration_ms: endAt,
      duration_api_ms: Math.max(0, endAt - 40),
      num_turns: 1,
      result: text,
      session_id: sessionId,
      total_cost_usd: costUsd(o.model, usage),
      usage: { ...usage, server_tool_use: { web_search_requests: 0 } },
    },
  });
  // Claude exits 1 after an error result; an explicit --exit-code wins so any mix can be staged.
  return { lines, exitCode: o.exitCode ?? (isError ? 1 : 0), text };
}

function initEvent(model: string, sessionId: string, claudeVersion: string | null): StreamEvent {
  return {
    type: 'system',
    subtype: 'init',
    cwd: process.cwd(),
    session_id: sessionId,
    tools: ['Task', 'Bash', 'Glob', 'Grep', 'LS', 'Read', 'Edit', 'Write', 'WebFetch', 'TodoWrite', 'WebSearch'],
    mcp_servers: [],
    model,
    permissionMode: 'bypassPermissions',
    apiKeySource: 'none',
    ...(claudeVersion === null ? {} : { claude_code_version: claudeVersion }),
  };
}

function assistantEvent(model: string, messageId: string, sessionId: string, text: string, usage: Usage): StreamEvent {
  return {
    type: 'assistant',
    message: {
      id: messageId,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: null,
      stop_sequence: null,
      // Consecutive lines of one message repeat the same usage, as Claude does (consumers must not sum it).
      usage: { ...usage, service_tier: 'standard' },
    },
    parent_tool_use_id: null,
    session_id: sessionId,
  };
}

/** A reset time on the hour, as Claude prints after "usage limit reached|"; fixed per seed for reproducible output. */
function limitResetEpoch(seed: number): number {
  return 1_753_441_200 + (seed % 24) * 3600;
}
