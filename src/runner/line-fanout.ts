/**
 * The one place each output line of a test goes through: it hands the line to the capture (counters,
 * preview, log), the pattern matcher, the stream timer, the Claude reader and the answer preview,
 * and counts the server's stall and error lines; notifications are counted here too. The result
 * assembler (test-result.ts) reads what they gathered once the test is over.
 */
import type { Span } from '@opentelemetry/api';
import type { OutputLine } from '../client/types.ts';
import type { OutputCapture } from './capture.ts';
import { ClaudeStreamParser, isClaudeRateLimitText } from './claude.ts';
import { PatternMatcher } from './patterns.ts';
import { PreviewWindow } from './preview.ts';
import { epochMs, guard } from './spans.ts';
import { StreamTimer } from './timing.ts';

export class LineFanout {
  readonly capture: OutputCapture;
  readonly matcher: PatternMatcher;
  readonly claude = new ClaudeStreamParser();
  readonly timer = new StreamTimer();
  // What a person reads: the assistant's text, or the result text when no text block came.
  readonly #answer = new PreviewWindow();
  readonly #resultAnswer = new PreviewWindow();
  readonly notifications: Record<string, number> = {};
  serverStallLines = 0;
  streamErrorLines = 0;
  #rateLimited: string | null = null;
  tokenLimit: string | null = null;
  readonly #span: Span;
  // Bytes of pieces of a line too long for the client to hold whole (OutputLine.partial), per stream:
  // the timer sees the line once, at its end, and the Claude reader never sees a piece.
  readonly #piecesBytes = { stdout: 0, stderr: 0 };

  /** `t0` is performance.now() at the test's start; `span` gets a `server_stall` event per stall line. */
  constructor(opts: { capture: OutputCapture; patterns: readonly string[]; t0: number; span: Span }) {
    this.capture = opts.capture;
    this.matcher = new PatternMatcher(opts.patterns, opts.t0);
    this.#span = opts.span;
  }

  readonly onLine = (line: OutputLine): void => {
    // Once the output is known to be stream-json only its readable text counts: raw matching is moot.
    if (!this.claude.streamJson) this.matcher.feedRaw(line.stream, line.data, this.capture.bytes, line.receivedAt);
    this.capture.push(line);
    const held = this.#piecesBytes[line.stream];
    this.#piecesBytes[line.stream] = line.partial ? held + line.bytes : 0;
    if (line.partial) return;
    this.timer.onLine(line.receivedAt, held + line.bytes);
    if (line.serverStall) {
      this.serverStallLines++;
      guard(() => this.#span.addEvent('stressd.test.server_stall', { 'stressd.test.stall_line': line.data.trim() }, epochMs(line.receivedAt)));
    }
    if (line.streamError) this.streamErrorLines++;
    if (line.stream !== 'stdout' || held > 0) return;
    for (const piece of this.claude.feedLine(line.data, line.receivedAt)) {
      // The result text repeats the answer as one whole: it must not join the assistant text.
      if (piece.context === 'result') {
        this.matcher.resetContext('result');
        this.#resultAnswer.push(piece.text);
      } else this.#answer.push(piece.text);
      this.matcher.feedText(piece.context, piece.text, this.capture.bytes, line.receivedAt);
    }
  };

  readonly onNotification = (method: string, params: unknown): void => {
    this.notifications[method] = (this.notifications[method] ?? 0) + 1;
    const detail = `${method}${describe(params)}`;
    if (method === 'error.rate_limit_exceeded') this.#rateLimited ??= detail;
    if (method === 'error.token_limit_exceeded') this.tokenLimit ??= detail;
  };

  /** The first rate-limit signal: a cc_executor notification, or Claude's own error result saying so. */
  get rateLimited(): string | null {
    const text = this.claude.resultText;
    if (this.#rateLimited === null && this.claude.info()?.is_error && text !== null && isClaudeRateLimitText(text)) {
      return `Claude: ${text.slice(0, 200)}`;
    }
    return this.#rateLimited;
  }

  /** The answer's preview: the assistant's text, else the result text; null for output that is not stream-json. */
  answerPreview(): { text_preview_head: string | null; text_preview_tail: string | null } {
    const text = this.#answer.empty ? this.#resultAnswer : this.#answer;
    return text.empty ? { text_preview_head: null, text_preview_tail: null } : { text_preview_head: text.head, text_preview_tail: text.tail };
  }
}

function describe(params: unknown): string {
  if (params === undefined || params === null) return '';
  try {
    return `: ${JSON.stringify(params).slice(0, 200)}`;
  } catch {
    return '';
  }
}
