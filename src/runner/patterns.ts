/**
 * Streaming, case-insensitive matching of a test's expected patterns, over the raw output and,
 * separately, over the text a person reads (Claude stream-json text blocks, where JSON escaping
 * cannot hide a pattern). The caller picks which one counts (`hits(origin, source)`): for
 * stream-json output only the readable text, so a key of the JSON envelope (`apiKeySource`,
 * `model`, `session_id`) never satisfies a pattern; for any other output the raw text. Memory stays bounded: each text stream keeps only a carry of the last
 * (longest pattern - 1) characters, so a pattern split across two lines or chunks still counts.
 */
import type { PatternHit } from '../result/types.ts';

/** Where patterns are looked for: the output as it came, or the text a person reads. */
export type PatternSource = 'raw' | 'text';

interface Found {
  atMs: number;
  byte: number;
}

export class PatternMatcher {
  readonly #patterns: readonly string[];
  readonly #lower: readonly string[];
  readonly #carryLength: number;
  readonly #startedAt: number;
  /** Hits in the raw output and in the readable text, kept apart: which counts is decided at the end. */
  readonly #found = { raw: new Map<number, Found>(), text: new Map<number, Found>() };
  /** Per text stream (raw stdout, raw stderr, readable text…): the tail of what came before. */
  readonly #carries = new Map<string, string>();

  /** `startedAt` is performance.now() when execute was sent; first_seen_seconds count from it. */
  constructor(patterns: readonly string[], startedAt: number) {
    this.#patterns = patterns;
    this.#lower = patterns.map((p) => p.toLowerCase());
    this.#carryLength = Math.max(0, ...this.#lower.map((p) => p.length - 1));
    this.#startedAt = startedAt;
  }

  get expected(): number {
    return this.#patterns.length;
  }

  /** Patterns found so far in `source` (default raw). */
  foundCount(source: PatternSource = 'raw'): number {
    return this.#found[source].size;
  }

  /**
   * Feeds a piece of raw output of one stream. `bytesBefore` is the number of output bytes received
   * before this piece, so a hit records the byte at which its match ended.
   */
  feedRaw(stream: string, text: string, bytesBefore: number, at: number): void {
    this.#feed(this.#found.raw, `raw:${stream}`, text, at, (endInText) => bytesBefore + Buffer.byteLength(text.slice(0, endInText)));
  }

  /**
   * Feeds readable text decoded from a line (e.g. a Claude text block). Its position in the raw
   * stream is not exact, so a hit records `byteAtLineEnd`: the bytes received up to that line's end.
   * `context` names the text stream whose carry continues; a new context starts from nothing.
   */
  feedText(context: string, text: string, byteAtLineEnd: number, at: number): void {
    this.#feed(this.#found.text, `text:${context}`, text, at, () => byteAtLineEnd);
  }

  #feed(found: Map<number, Found>, key: string, text: string, at: number, byteAt: (endInText: number) => number): void {
    // Every pattern already found in this source: no search, and no carry to keep for one.
    if (text.length === 0 || found.size >= this.#patterns.length) return;
    const carry = this.#carries.get(key) ?? '';
    const haystack = (carry + text).toLowerCase();
    // toLowerCase can change the length of a few characters (e.g. U+0130); positions are then approximate.
    const shift = haystack.length - text.length;
    for (let i = 0; i < this.#lower.length; i++) {
      const needle = this.#lower[i];
      if (needle === undefined || needle.length === 0 || found.has(i)) continue;
      const index = haystack.indexOf(needle);
      if (index < 0) continue;
      const endInText = Math.min(text.length, Math.max(0, index + needle.length - shift));
      found.set(i, { atMs: at, byte: byteAt(endInText) });
    }
    if (this.#carryLength > 0) {
      const joined = text.length >= this.#carryLength ? text : carry + text;
      this.#carries.set(key, joined.slice(-this.#carryLength));
    }
  }

  /** Drops the carry of a text stream, so the next text there does not join what came before. */
  resetContext(context: string): void {
    this.#carries.delete(`text:${context}`);
  }

  /**
   * `origin`: performance.now() to count first_seen_seconds from (default: the constructor's).
   * `source`: `text` for stream-json output (the readable text only), `raw` otherwise (default).
   */
  hits(origin: number = this.#startedAt, source: PatternSource = 'raw'): PatternHit[] {
    return this.#patterns.map((pattern, i) => {
      const hit = this.#found[source].get(i);
      return {
        pattern,
        found: hit !== undefined,
        first_seen_seconds: hit ? Math.max(0, (hit.atMs - origin) / 1000) : null,
        first_seen_byte: hit ? hit.byte : null,
      };
    });
  }

  /** found / expected in `source`; 1 when nothing is expected. */
  coverage(source: PatternSource = 'raw'): number {
    return coverageOf(this.#found[source].size, this.#patterns.length);
  }
}

/** The one formula: found / expected, 1 when nothing is expected. */
export function coverageOf(found: number, expected: number): number {
  return expected === 0 ? 1 : found / expected;
}

/** A test's patterns judged once: what the outcome, the TestResult and the report all read. */
export interface PatternSummary {
  hits: PatternHit[];
  found: string[];
  missing: string[];
  coverage: number;
  /** The coverage a pass needs (the suite's `pattern_threshold`). */
  threshold: number;
}

export function summarizePatterns(hits: PatternHit[], threshold: number): PatternSummary {
  const found = hits.filter((h) => h.found).map((h) => h.pattern);
  const missing = hits.filter((h) => !h.found).map((h) => h.pattern);
  return { hits, found, missing, coverage: coverageOf(found.length, hits.length), threshold };
}
