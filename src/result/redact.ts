/**
 * Credentials in URLs (`ws://user:password@host/…`, which the WebSocket client sends as Basic
 * auth) are needed to connect and nowhere else. Redaction happens once, where a RunResult is
 * made: the runner redacts what it records, and history redacts what it reads back from disk
 * (results written by older versions). Sinks trust what they are given.
 */
import type { RunResult } from './types.ts';

/** `scheme://userinfo@`: the userinfo ends at the last `@` before the host part. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Replaces the user name and password of every URL in `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** The run without credentials in its executor URL and error details (the same object when clean). */
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
