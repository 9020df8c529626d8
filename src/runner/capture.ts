/**
 * Bounded capture of one test's output: counters, a preview (first and last 2,000 characters), and
 * the FULL output handed to the block log writer (log-writer.ts). Memory stays bounded whatever
 * the output size.
 */
import type { OutputLine } from '../client/types.ts';
import { BlockLogWriter, type LogSummary } from './log-writer.ts';
import { logPathOf, testLogParts } from './log-paths.ts';
import { PreviewWindow } from './preview.ts';

export { PREVIEW_CHARS } from './preview.ts';

export interface CaptureSummary extends LogSummary {
  output_bytes: number;
  output_lines: number;
  output_chunks: number;
  stderr_bytes: number;
  /** The last non-blank stderr line (trimmed, at most 300 characters): why a command failed, usually. */
  last_stderr_line: string | null;
  preview_head: string;
  /** The last characters after the head: empty when the whole output fits in the head. */
  preview_tail: string;
}

/** A test's own log (sessions and re-runs: log-paths.ts). */
export function logPathFor(reportsDir: string, suite: string, runId: string, testId: string): string {
  return logPathOf(reportsDir, suite, runId, testLogParts(testId));
}

export class OutputCapture {
  readonly #log: BlockLogWriter;
  readonly #preview = new PreviewWindow();
  #bytes = 0;
  #lines = 0;
  #chunks = 0;
  #stderrBytes = 0;
  #lastStderr: string | null = null;
  #closed: Promise<CaptureSummary> | null = null;

  /** `logPath` null: counters and preview only. `maxBufferedBytes` (default 8 MiB) bounds the log's memory. */
  constructor(opts: { logPath: string | null; maxBufferedBytes?: number; closeTimeoutMs?: number; flushEveryMs?: number }) {
    this.#log = new BlockLogWriter({
      path: opts.logPath,
      ...(opts.flushEveryMs === undefined ? {} : { flushEveryMs: opts.flushEveryMs }),
      ...(opts.maxBufferedBytes === undefined ? {} : { maxBufferedBytes: opts.maxBufferedBytes }),
      ...(opts.closeTimeoutMs === undefined ? {} : { closeTimeoutMs: opts.closeTimeoutMs }),
    });
  }

  /** Opens the log; a failure is recorded in the summary, never thrown (the test still runs). */
  open(): Promise<void> {
    return this.#log.open();
  }

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#lines;
  }

  push(line: OutputLine): void {
    this.#bytes += line.bytes;
    if (!line.partial) this.#lines++; // a piece of a longer line: its last piece counts it
    this.#chunks += line.chunks;
    if (line.stream === 'stderr') {
      this.#stderrBytes += line.bytes;
      const text = line.data.trim();
      if (text !== '') this.#lastStderr = text.length > 300 ? `${text.slice(0, 300)}…` : text;
    }
    this.#preview.push(line.data);
    this.#log.write(line.data, line.bytes);
  }

  /** Flushes and closes the log; idempotent. */
  close(): Promise<CaptureSummary> {
    this.#closed ??= this.#log.close().then((log) =>
      Object.freeze({
        output_bytes: this.#bytes,
        output_lines: this.#lines,
        output_chunks: this.#chunks,
        stderr_bytes: this.#stderrBytes,
        last_stderr_line: this.#lastStderr,
        preview_head: this.#preview.head,
        preview_tail: this.#preview.tail,
        ...log,
      }),
    );
    return this.#closed;
  }
}
