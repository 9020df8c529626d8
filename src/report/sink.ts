/** The report sink: each finished or aborted run becomes `<suite>/<runId>.md|.json` and `latest.*`. */
import type { Sink } from '../result/sink.ts';
import type { RunResult } from '../result/types.ts';
import { writeReport } from './writer.ts';

export type ReportWritten = { ok: true; markdownPath: string; jsonPath: string } | { ok: false; error: string };

/** `written` hears where each report went, or why it could not be written (the error is also thrown to the sink guard). */
export function reportSink(reportsDir: string, written: (run: Readonly<RunResult>, outcome: ReportWritten) => void = () => undefined): Sink {
  return {
    name: 'report',
    async onRunEnd(run) {
      try {
        const paths = await writeReport(run, reportsDir);
        written(run, { ok: true, ...paths });
      } catch (err) {
        written(run, { ok: false, error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    },
  };
}
