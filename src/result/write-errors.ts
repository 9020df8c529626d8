/**
 * What of a run could not be written (DESIGN section 13): its tests' logs, its markdown, its JSON.
 * The run's record says so itself (`write_errors`), so the API, the page, the metrics and the exit
 * code of `stressd run` all read one list, and nothing says "written" that is not.
 */
import type { RunResult, TestResult, WriteError } from './types.ts';

/** The logs of these tests that are not whole, as write errors. */
export function logWriteErrors(tests: readonly TestResult[]): WriteError[] {
  return tests.flatMap((t) => (t.log_error ? [{ file: 'log' as const, path: t.log_path, test: t.id, error: t.log_error }] : []));
}

/** The run with `more` added to its write errors (the same run when there is nothing to add). */
export function withWriteErrors(run: RunResult, more: readonly WriteError[]): RunResult {
  if (more.length === 0) return run;
  return { ...run, write_errors: [...(run.write_errors ?? []), ...more] };
}

const FILE_WORDS: Record<WriteError['file'], string> = { report: 'report', json: 'JSON record', log: 'log', latest: 'latest.* copies' };

/** One line per error, for a terminal or a log: "report NOT written: ENOSPC: no space left on device, write (/r/s/id.md)". */
export function writeErrorLines(run: Pick<RunResult, 'write_errors'>): string[] {
  return (run.write_errors ?? []).map((w) =>
    w.file === 'log' ? `log of ${w.test ?? '?'} NOT complete: ${w.error}` : `${FILE_WORDS[w.file]} NOT written: ${w.error}${w.path ? ` (${w.path})` : ''}`);
}

/**
 * The report sink's findings per run, for the sinks after it (history): the run they are handed
 * was frozen before the report was written. Taken once, so the map never grows.
 */
export class WriteLedger {
  readonly #byRun = new Map<string, WriteError[]>();

  note(runId: string, errors: readonly WriteError[]): void {
    if (errors.length > 0) this.#byRun.set(runId, [...(this.#byRun.get(runId) ?? []), ...errors]);
  }

  /** The run with what the report sink could not write; forgets the entry. */
  take(run: RunResult): RunResult {
    const errors = this.#byRun.get(run.id) ?? [];
    this.#byRun.delete(run.id);
    return withWriteErrors(run, errors);
  }
}
