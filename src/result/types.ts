/**
 * The RunResult contract (DESIGN section 8): what the runner produces and every sink reads. The
 * types are derived from the one schema in schema.ts; this file adds the constants and the
 * events the runner emits while a run goes on.
 */
import type { z } from 'zod';
import {
  FAILURE_REASON_VALUES, OUTCOME_VALUES,
  type ClaudeStreamInfoSchema, type GapHistogramSchema, type GraduationVerdictSchema, type JournalOwnerSchema, type LoadResultSchema, type LoadSessionSchema, type PatternHitSchema,
  type RegressionRecordSchema, type HostPressureSchema, type ResourcePeaksSchema, REGRESSION_VERDICT_VALUES, type RunResultSchema, type StreamTimingSchema, type SuccessRatioSchema, type BudgetStateSchema, type RegressionSettingsSchema, type WriteErrorSchema, type TestResultSchema,
} from './schema.ts';

export const Outcome = { passed: 'passed', failed: 'failed', timeout: 'timeout', error: 'error', not_run: 'not_run' } as const satisfies Record<string, (typeof OUTCOME_VALUES)[number]>;
export type Outcome = (typeof OUTCOME_VALUES)[number];
export const OUTCOMES: readonly Outcome[] = OUTCOME_VALUES;

/** One reason per test that did not pass; `null` on a pass. */
export const FailureReason = Object.fromEntries(FAILURE_REASON_VALUES.map((r) => [r, r])) as { readonly [K in FailureReasonT]: K };
type FailureReasonT = (typeof FAILURE_REASON_VALUES)[number];
export type FailureReason = FailureReasonT;
export const FAILURE_REASONS: readonly FailureReason[] = FAILURE_REASON_VALUES;

export type PatternHit = z.output<typeof PatternHitSchema>;
export type GapHistogram = z.output<typeof GapHistogramSchema>;
export type StreamTiming = z.output<typeof StreamTimingSchema>;
export type ClaudeStreamInfo = z.output<typeof ClaudeStreamInfoSchema>;
export type ResourcePeaks = z.output<typeof ResourcePeaksSchema>;
/** How `peak_memory_bytes` was measured: proportional set size from /proc/PID/smaps_rollup, or summed RSS. */
export type MemoryMethod = 'pss' | 'rss_sum';
export type TestResult = z.output<typeof TestResultSchema>;
export type GraduationVerdict = z.output<typeof GraduationVerdictSchema>;
export type RunResult = z.output<typeof RunResultSchema>;
export type JournalOwner = z.output<typeof JournalOwnerSchema>;
/** A `name` of the measure table (measures.ts). */
export type MeasureName = string;
export type RegressionVerdict = (typeof REGRESSION_VERDICT_VALUES)[number];
export type RegressionRecord = z.output<typeof RegressionRecordSchema>;
export type HostPressure = z.output<typeof HostPressureSchema>;
export type LoadResult = z.output<typeof LoadResultSchema>;
export type LoadSession = z.output<typeof LoadSessionSchema>;
export type RunStatus = RunResult['status'];
export type WriteError = z.output<typeof WriteErrorSchema>;
export type RunSuccessRatio = z.output<typeof SuccessRatioSchema>;
export type BudgetState = z.output<typeof BudgetStateSchema>;
export type RunRegressionSettings = z.output<typeof RegressionSettingsSchema>;
export type RunTrigger = RunResult['trigger'];
export type { ExecutorIdentity, TestVersions, Sut, RecordedVersions } from './versions.ts';

/** The test in flight as the runner announces it. */
export interface TestRef {
  id: string;
  name: string;
  category: string | null;
}

/** Events the runner emits while a run goes on; payloads are frozen pieces of the result. */
export interface RunnerEvents {
  'run:start': { run: Readonly<RunResult> };
  /** `rerun_of` is set on a confirmation re-run (index then counts on past the suite's tests). */
  'test:start': { runId: string; suite: string; index: number; total: number; test: TestRef; rerun_of?: string };
  'test:progress': { runId: string; testId: string; elapsed_seconds: number; output_bytes: number; output_lines: number };
  'test:end': { runId: string; suite: string; result: Readonly<TestResult> };
  'run:end': { run: Readonly<RunResult> };
}

/** What a trigger (cron, API, start) got: a run started, or why not. */
export type TriggerOutcome =
  | { started: true; id: string }
  | { started: false; reason: 'running'; runningId: string }
  /** The daemon's max_concurrent_runs was reached: the trigger waits its turn (DESIGN section 4). */
  | { started: false; reason: 'queued'; position: number }
  | { started: false; reason: 'closed' | 'failed'; detail: string };

/** `/readyz`: can the daemon run tests now, and if not, why. */
export type Readiness = { ready: true; detail: Record<string, unknown> } | { ready: false; why: string };

/** What the live status shows of the run in flight. */
export interface LiveProgress {
  runId: string;
  /** 1-based position of the test in flight; 0 before the first test starts. */
  index: number;
  total: number;
  test: TestRef | null;
  /** Date.now() when the test in flight started. */
  testStartedAt: number | null;
  elapsed_seconds: number;
  output_bytes: number;
  output_lines: number;
}

/** A run as history keeps it: the result and where its files are. */
export interface HistoryEntry {
  run: RunResult;
  /** Where the JSON and markdown live; null when not (yet) written. */
  jsonPath: string | null;
  markdownPath: string | null;
}
