/**
 * Live progress of `stressd run`: on a TTY one updating line per test (rewritten with \r); off a
 * TTY a plain line at least every 10 s while a test runs, and one line per test end.
 */
import type { Sink } from '../result/sink.ts';
import { formatBytes, formatDuration } from '../result/format.ts';
import { envNote } from '../result/env-note.ts';
import type { RunnerEvents } from '../result/types.ts';

export interface ProgressOut {
  write(text: string): unknown;
  isTTY?: boolean;
}

const PLAIN_EVERY_MS = 10_000;

/** The terminal sink of `stressd run`; it closes its open TTY line when the run ends. */
export function progressSink(out: ProgressOut, now: () => number = Date.now): Sink {
  const tty = out.isTTY === true;
  let current: { index: number; total: number; id: string } | null = null;
  let lastPlain = 0;
  let lineOpen = false;
  let envWarned = false;

  const onStart = (e: RunnerEvents['test:start']): void => {
    current = { index: e.index, total: e.total, id: e.test.id };
    lastPlain = now();
    const text = `[${e.index + 1}/${e.total}] ${e.test.id} started`;
    if (tty) {
      out.write(`\r\x1b[2K${text}`);
      lineOpen = true;
    } else out.write(`${text}\n`);
  };
  const onProgress = (e: RunnerEvents['test:progress']): void => {
    if (current === null) return;
    const rate = e.elapsed_seconds > 0 ? e.output_bytes / e.elapsed_seconds : 0;
    const text = `[${current.index + 1}/${current.total}] ${current.id} ${formatDuration(e.elapsed_seconds)}, ${formatBytes(e.output_bytes)}, ${e.output_lines} lines, ${formatBytes(rate)}/s`;
    if (tty) {
      out.write(`\r\x1b[2K${text}`);
      lineOpen = true;
    } else if (now() - lastPlain >= PLAIN_EVERY_MS) {
      lastPlain = now();
      out.write(`${text}\n`);
    }
  };
  const onEnd = (e: RunnerEvents['test:end']): void => {
    const r = e.result;
    const where = current ? `[${current.index + 1}/${current.total}] ` : '';
    const why = r.reason ? ` (${r.reason}${r.reason_detail ? `: ${r.reason_detail}` : ''})` : '';
    const text = `${where}${r.id} ${r.outcome.toUpperCase()}${why} in ${formatDuration(r.duration_seconds)}, ${formatBytes(r.output_bytes)}, ${r.output_lines} lines, patterns ${r.patterns_found.length}/${r.patterns_expected}`;
    out.write(tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    const env = envNote(r);
    // Once a run: every later test with env has the same executor, and its report row says so.
    if (env !== null && !envWarned) out.write(`warning: ${r.id}: ${env}\n`);
    envWarned ||= env !== null;
    lineOpen = false;
    current = null;
  };
  return {
    name: 'terminal progress',
    onTestStart: onStart,
    onTestProgress: onProgress,
    onTestEnd: onEnd,
    onRunEnd: () => {
      if (tty && lineOpen) out.write('\n');
      lineOpen = false;
    },
  };
}
