/**
 * Credentials in URLs (`ws://user:password@host/…`, which the WebSocket client sends as Basic
 * auth) are needed to connect and nowhere else: every sink that shows an executor URL, or text
 * that may quote one (an error detail), shows it through these.
 */
import { redactCredentials } from '../redact.ts';
import type { RunResult } from '../runner/types.ts';

export { redactCredentials };

/** The run as sinks may show it: its executor URL and error details without credentials. */
export function redactRun(run: RunResult): RunResult {
  const executor = redactCredentials(run.executor);
  let changed = executor !== run.executor;
  const tests = run.tests.map((t) => {
    if (t.reason_detail === null) return t;
    const detail = redactCredentials(t.reason_detail);
    if (detail === t.reason_detail) return t;
    changed = true;
    return { ...t, reason_detail: detail };
  });
  return changed ? { ...run, executor, tests } : run;
}
