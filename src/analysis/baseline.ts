/**
 * The comparable history of one test (DESIGN section 10): same suite, same test id, same command
 * text, outcome `passed`, newest first, at most `window_runs` runs. Only the first TestResult with
 * the test's id in a run counts: re-runs of a suspected regression come after it and must not
 * weigh twice.
 */
import type { MeasureName, RunResult, TestResult } from '../result/types.ts';
import { measureDef } from '../result/measures.ts';

export interface BaselineQuery {
  suite: string;
  testId: string;
  command: string;
  window_runs: number;
  /** The run being judged: never part of its own baseline. */
  excludeRunId?: string | null;
}

function newestFirst(a: RunResult, b: RunResult): number {
  const ta = Date.parse(a.started_at);
  const tb = Date.parse(b.started_at);
  if (ta !== tb && !Number.isNaN(ta) && !Number.isNaN(tb)) return tb - ta;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The passed TestResults of the last comparable runs, newest first. */
export function comparableTests(history: readonly RunResult[], q: BaselineQuery): TestResult[] {
  const out: TestResult[] = [];
  for (const run of [...history].sort(newestFirst)) {
    if (out.length >= q.window_runs) break;
    if (run.suite !== q.suite || run.id === q.excludeRunId || run.status === 'running') continue;
    const test = run.tests.find((t) => t.id === q.testId);
    if (test && test.outcome === 'passed' && test.command === q.command) out.push(test);
  }
  return out;
}

/** One measure's values over comparable tests, skipping those that did not measure it. */
export function measureValues(tests: readonly TestResult[], measure: MeasureName): number[] {
  const def = measureDef(measure);
  const out: number[] = [];
  for (const t of tests) {
    const v = def.value(t);
    if (v !== null) out.push(v);
  }
  return out;
}
