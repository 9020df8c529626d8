/** The log sink: one line per test start and end, so the daemon's log tells a run's story. */
import type { Logger } from '../logger.ts';
import { envNote } from '../result/env-note.ts';
import type { Sink } from '../result/sink.ts';

export function logSink(log: Logger): Sink {
  const envWarned = new Set<string>();
  return {
    name: 'log',
    onTestStart: (e) => log.info({ runId: e.runId, testId: e.test.id, index: e.index + 1, total: e.total }, 'test started'),
    onTestEnd: ({ runId, result: r }) => {
      log.info(
        { runId, testId: r.id, outcome: r.outcome, reason: r.reason, duration_seconds: r.duration_seconds, output_bytes: r.output_bytes },
        'test ended',
      );
      const env = envNote(r);
      // Once a run, not once a test: the executor is the same for all of them.
      if (env !== null && !envWarned.has(runId)) {
        envWarned.add(runId);
        log.warn({ runId, testId: r.id, env_applied: r.env_applied }, env);
      }
      // Said once, here, with the error's own code; the test, the report and a counter carry it too.
      if (r.log_error) {
        log.warn({ runId, testId: r.id, log_path: r.log_path, log_error: r.log_error, log_dropped_bytes: r.log_dropped_bytes }, 'test log not complete');
      }
    },
    onRunEnd: (run) => {
      envWarned.delete(run.id);
    },
  };
}
