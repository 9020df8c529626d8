/**
 * At the daemon's start: runs left `running` by a process that died become aborted runs
 * ("stopped unexpectedly"), their JSON and markdown rewritten, before the gauges are restored.
 * History finds them; stale-runs.ts says what they become; the report writer writes them.
 */
import type { Suite } from '../config/types.ts';
import type { History } from '../store/history.ts';
import { abortStale } from '../store/stale-runs.ts';
import type { Logger } from '../logger.ts';
import { writeReport } from '../report/writer.ts';
import type { RunResult } from '../result/types.ts';

export async function settleStaleRuns(history: History, suites: readonly Suite[], reportsDir: string, log: Logger): Promise<RunResult[]> {
  return history.settleStale(async (journal) => {
    const run = abortStale(journal, suites.find((s) => s.suite === journal.suite) ?? null);
    let written = run;
    try {
      const write = await writeReport(run, reportsDir);
      written = write.run;
      // The API still serves it from memory; the next start tries again, the journal being still there.
      if (write.errors.length > 0) log.error({ write_errors: write.errors, runId: run.id }, 'a run that stopped unexpectedly could not be rewritten');
    } catch (err) {
      log.error({ err, runId: run.id }, 'a run that stopped unexpectedly could not be rewritten');
    }
    log.warn({ runId: run.id, suite: run.suite, tests_total: run.tests_total, tests_ended: journal.tests.length }, 'a run stopped unexpectedly: recorded as aborted');
    return written;
  });
}
