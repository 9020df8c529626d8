/**
 * Incremental reader of Claude's `--output-format stream-json` lines (the design contract's CLAUDE_STREAM_JSON.md).
 * Only lines that start with `{` are parsed; anything else (or broken JSON) is ignored. Totals
 * (cost, turns, usage, durations) come from the RESULT line only: consecutive assistant lines
 * repeat the same usage, so summing them would overcount.
 */
import type { ClaudeStreamInfo } from '../result/types.ts';

export interface ClaudeLineText {
  /** Which readable text this is: `assistant` (text blocks, one continuing text) or `result`. */
  context: 'assistant' | 'result';
  text: string;
}

type Json = Record<string, unknown>;

/** The `type`s of Claude's stream-json lines; other JSON with a `type` is just JSON output. */
const CLAUDE_EVENT_TYPES: ReadonlySet<string> = new Set(['system', 'assistant', 'user', 'result']);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export class ClaudeStreamParser {
  #seen = false;
  #claudeEvents = false;
  #model: string | null = null;
  #sessionId: string | null = null;
  #version: string | null = null;
  #result: Json | null = null;
  #firstTextAt: number | null = null;
  #resultText: string | null = null;

  /** Feeds one complete line; returns the readable text it carries (empty for most lines). */
  feedLine(line: string, at: number): ClaudeLineText[] {
    const trimmed = line.trimStart();
    if (!trimmed.startsWith('{')) return [];
    let event: unknown;
    try {
      event = JSON.parse(trimmed);
    } catch {
      return [];
    }
    if (!isObject(event) || typeof event.type !== 'string') return [];
    this.#seen = true;
    this.#sessionId ??= str(event.session_id);
    this.#version ??= str(event.claude_code_version) ?? str(event.version);
    if (CLAUDE_EVENT_TYPES.has(event.type)) this.#claudeEvents = true;
    switch (event.type) {
      case 'system':
        this.#model ??= str(event.model);
        return [];
      case 'assistant':
        return this.#assistant(event, at);
      case 'result': {
        this.#result = event;
        const text = str(event.result);
        this.#resultText = text;
        return text ? [{ context: 'result', text }] : [];
      }
      default:
        return [];
    }
  }

  #assistant(event: Json, at: number): ClaudeLineText[] {
    const message = event.message;
    if (!isObject(message)) return [];
    this.#model ??= str(message.model);
    const content = Array.isArray(message.content) ? message.content : [];
    const out: ClaudeLineText[] = [];
    for (const block of content) {
      if (!isObject(block) || block.type !== 'text') continue;
      const text = str(block.text);
      if (!text) continue;
      this.#firstTextAt ??= at;
      out.push({ context: 'assistant', text });
    }
    return out;
  }

  /**
   * The output is Claude stream-json: at least one line was one of Claude's event types. Then
   * patterns are matched against the readable text only (CLAUDE_STREAM_JSON.md).
   */
  get streamJson(): boolean {
    return this.#claudeEvents;
  }

  /** performance.now() of the first assistant text block, null when none came. */
  get firstTextAt(): number | null {
    return this.#firstTextAt;
  }

  /** The result line's `result` text, when a result line came. */
  get resultText(): string | null {
    return this.#resultText;
  }

  /** null when the output held no stream-json line at all (the command is not Claude). */
  info(): ClaudeStreamInfo | null {
    if (!this.#seen) return null;
    const r = this.#result;
    const usage = r && isObject(r.usage) ? r.usage : null;
    return {
      model: this.#model,
      session_id: this.#sessionId,
      claude_version: this.#version,
      total_cost_usd: r ? num(r.total_cost_usd) : null,
      num_turns: r ? num(r.num_turns) : null,
      duration_ms: r ? num(r.duration_ms) : null,
      duration_api_ms: r ? num(r.duration_api_ms) : null,
      is_error: r && typeof r.is_error === 'boolean' ? r.is_error : null,
      subtype: r ? str(r.subtype) : null,
      usage: usage
        ? {
            input_tokens: num(usage.input_tokens),
            output_tokens: num(usage.output_tokens),
            cache_read_input_tokens: num(usage.cache_read_input_tokens),
            cache_creation_input_tokens: num(usage.cache_creation_input_tokens),
          }
        : null,
    };
  }
}

/**
 * Claude's own words when it is rate limited (e.g. "Claude AI usage limit reached|1753…"). Only
 * trusted on an error result, where Claude reports its own failure, never in ordinary text.
 */
export function isClaudeRateLimitText(text: string): boolean {
  return /usage limit reached|rate[ _-]?limit|\b429\b|overloaded/i.test(text);
}
