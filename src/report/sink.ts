/** The report sink: each finished or aborted run becomes `<suite>/<runId>.md|.json` and `latest.*`. */
import type { Sink } from '../result/sink.ts';
import type { RunResult } from '../result/types.ts';
import { writeErrorLines } from '../result/write-errors.ts';
import { writeReport, type ReportWrite } from './writer.ts';

/** Where the report went and the run as written; `ok` false when any of its files could not be written (`write.errors`). */
export type ReportWritten = { ok: true; write: ReportWrite } | { ok: false; write: ReportWrite | null; error: string };

/**
 * `written` hears where each report went and the run with its write errors (the run the sinks are
 * handed was frozen before); a failed write is also thrown to the sink guard, which logs it once.
 */
export function reportSink(reportsDir: string, written: (run: Readonly<RunResult>, outcome: ReportWritten) => void = () => undefined): Sink {
  return {
    name: 'report',
    async onRunEnd(run) {
      let write: ReportWrite;
      try {
        write = await writeReport(run, reportsDir);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        written(run, { ok: false, write: null, error });
        throw err;
      }
      if (write.errors.length === 0) {
        written(run, { ok: true, write });
        return;
      }
      const error = writeErrorLines({ write_errors: write.errors }).join('; ');
      written(run, { ok: false, write, error });
      throw new Error(error);
    },
  };
}
