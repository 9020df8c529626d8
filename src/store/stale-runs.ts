/**
 * A run whose process died (SIGKILL, crash, power loss) leaves its journal behind with status
 * `running`. At the next start it becomes what it was: an `aborted` run, "stopped unexpectedly",
 * with the tests it ended, the test it was in (cut short) and the rest `not_run` (DESIGN section 13).
 */
import type { GraduationCriteria } from '../config/types.ts';
import { cutShortTest, notRunTest, type PlannedTest, runSuccessRatio } from '../result/not-run.ts';
import type { RunResult, TestResult } from '../result/types.ts';
import { verdictCriteria } from '../result/verdict-criteria.ts';

export const STOPPED_UNEXPECTEDLY = 'stopped unexpectedly';

/** The suite as the daemon's config has it now; used only for runs of that suite. */
export interface PlannedSuite {
  suite: string;
  tests: readonly PlannedTest[];
  graduation: GraduationCriteria;
}

function latest(times: readonly (string | null | undefined)[]): string | null {
  let best: string | null = null;
  for (const t of times) if (t && !Number.isNaN(Date.parse(t)) && (best === null || Date.parse(t) > Date.parse(best))) best = t;
  return best;
}

/**
 * The journal of a dead run as an aborted RunResult. Its end is the last moment the journal
 * shows it alive (the last test's end or the start of the test in flight): when it really died
 * is unknown, and a later time would invent a duration.
 */
export function abortStale(journal: RunResult, planned: PlannedSuite | null): RunResult {
  const plan = planned !== null && planned.suite === journal.suite ? planned : null;
  const recorded = [...journal.tests];
  const seen = new Set(recorded.map((t) => t.id));
  const current = journal.journal?.current_test ?? null;
  const endedAt = latest([journal.started_at, current?.started_at, ...recorded.map((t) => t.ended_at)]) ?? journal.started_at;
  const refOf = (id: string): PlannedTest =>
    plan?.tests.find((t) => t.id === id) ?? { id, name: id, description: null, category: null, command: '', timeout: 0 };

  const tests: TestResult[] = recorded;
  if (current !== null && !seen.has(current.id)) {
    tests.push(cutShortTest(refOf(current.id), current.started_at, endedAt, `stressd ${STOPPED_UNEXPECTEDLY} while this test ran`));
    seen.add(current.id);
  }
  // Without the suite's config only the recorded tests are known; tests_total then counts those.
  for (const t of plan?.tests ?? []) {
    if (!seen.has(t.id)) tests.push(notRunTest(t, endedAt, `not started: stressd ${STOPPED_UNEXPECTEDLY}`));
  }
  const passed = tests.filter((t) => t.outcome === 'passed').length;
  const duration = (Date.parse(endedAt) - Date.parse(journal.started_at)) / 1000;
  const { journal: _owner, ...rest } = journal;
  return {
    ...rest,
    status: 'aborted',
    abort_cause: STOPPED_UNEXPECTEDLY,
    ended_at: endedAt,
    duration_seconds: Number.isFinite(duration) && duration >= 0 ? duration : null,
    graduated: false,
    verdict: plan === null ? null : {
      pass_rate: runSuccessRatio(tests) ?? 0,
      reasons: [`the run ${STOPPED_UNEXPECTEDLY} before every test ran`],
      criteria: verdictCriteria(plan.graduation),
    },
    tests_total: tests.length,
    tests_passed: passed,
    tests,
  };
}
