/**
 * One run of the suite at a time. Triggers (cron, API, start) that find a run going are skipped,
 * logged and counted. Runner events feed the metrics and the live status as each test ends; at run
 * end the sinks run in order: report, metrics, history. A failing sink is logged, never thrown.
 */
import { retainRuns } from './retention.ts';
import type { Suite } from '../config/types.ts';
import type { ExecutorTarget, RunHandle, StartRun } from '../runner/api.ts';
import type { RunResult, RunnerEvents } from '../result/types.ts';
import type { History } from './history.ts';
import type { Logger } from '../logger.ts';

/** What the daemon needs of the metrics (src/telemetry/metrics.ts provides more). */
export interface RunMetrics {
  onRunStart(run: Readonly<RunResult>): void;
  onTestEnd(suite: string, test: RunnerEvents['test:end']['result']): void;
  onRunEnd(run: Readonly<RunResult>): void;
  onRunSkipped(suite: string, cause?: 'overlap' | 'busy_api'): void;
}

export type WriteReport = (result: RunResult, reportsDir: string) => Promise<{ markdownPath: string; jsonPath: string }>;

export interface LiveProgress {
  runId: string;
  /** 1-based position of the test in flight; 0 before the first test starts. */
  index: number;
  total: number;
  test: { id: string; name: string; category: string | null } | null;
  /** Date.now() when the test in flight started. */
  testStartedAt: number | null;
  elapsed_seconds: number;
  output_bytes: number;
  output_lines: number;
}

export type TriggerOutcome =
  | { started: true; id: string }
  | { started: false; reason: 'running'; runningId: string }
  | { started: false; reason: 'closed' | 'failed'; detail: string };

export interface CoordinatorOptions {
  suite: Suite;
  startRun: StartRun;
  /** Read when a run starts; may be a live view whose url follows executor restarts. */
  executor: () => ExecutorTarget;
  reportsDir: string;
  history: History;
  metrics: RunMetrics;
  writeReport: WriteReport;
  log: Logger;
}

interface InFlight {
  handle: RunHandle;
  controller: AbortController;
  live: LiveProgress;
  finished: Promise<void>;
  /** True from the runner's result until report, metrics and history have it. */
  recording: boolean;
  trigger: RunResult['trigger'];
  /** A start run that already stood in for an overlapping schedule tick. */
  stoodIn: boolean;
}

export class RunCoordinator {
  private inFlight: InFlight | null = null;
  private closed = false;

  constructor(private readonly options: CoordinatorOptions) {}

  /**
   * The run in progress, as a snapshot with its live progress. It stays `running` until its sinks
   * are done, so a client that sees `finished` can fetch the report, the metrics and the history.
   */
  current(): { run: RunResult; live: LiveProgress } | null {
    const f = this.inFlight;
    if (!f) return null;
    try {
      const run = f.handle.snapshot();
      return { run: f.recording ? { ...run, status: 'running', ended_at: null } : run, live: { ...f.live } };
    } catch (err) {
      this.options.log.warn({ err, runId: f.handle.id }, 'run snapshot failed');
      return null;
    }
  }

  trigger(trigger: RunResult['trigger']): TriggerOutcome {
    const { suite, log } = this.options;
    if (this.closed) return { started: false, reason: 'closed', detail: 'the daemon is shutting down' };
    if (this.inFlight) {
      const runningId = this.inFlight.handle.id;
      // The start run (--run-on-start) is the run of the first tick it overlaps: nothing was skipped.
      if (trigger === 'schedule' && this.inFlight.trigger === 'start' && !this.inFlight.stoodIn) {
        this.inFlight.stoodIn = true;
        log.info({ trigger, runId: runningId, suite: suite.suite }, 'the start run stands in for this scheduled run');
        return { started: false, reason: 'running', runningId };
      }
      const cause = trigger === 'schedule' ? 'overlap' : 'busy_api';
      log.warn({ trigger, cause, runId: runningId, suite: suite.suite }, 'run skipped: a run of this suite is still going');
      try {
        this.options.metrics.onRunSkipped(suite.suite, cause);
      } catch (err) {
        log.warn({ err }, 'metrics.onRunSkipped failed');
      }
      return { started: false, reason: 'running', runningId };
    }
    const controller = new AbortController();
    let handle: RunHandle;
    try {
      handle = this.options.startRun({
        suite,
        executor: this.options.executor(),
        reportsDir: this.options.reportsDir,
        trigger,
        signal: controller.signal,
      });
    } catch (err) {
      log.error({ err, trigger }, 'run could not start');
      return { started: false, reason: 'failed', detail: err instanceof Error ? err.message : String(err) };
    }
    const live: LiveProgress = {
      runId: handle.id, index: 0, total: suite.tests.length, test: null, testStartedAt: null,
      elapsed_seconds: 0, output_bytes: 0, output_lines: 0,
    };
    const detach = this.subscribe(handle, live);
    const entry: InFlight = { handle, controller, live, finished: Promise.resolve(), recording: false, trigger, stoodIn: false };
    entry.finished = this.finish(entry).finally(() => {
      detach();
      if (this.inFlight === entry) this.inFlight = null;
    }).then(() => retainRuns({ reportsDir: this.options.reportsDir, suite, history: this.options.history, log }));
    this.inFlight = entry;
    log.info({ runId: handle.id, suite: suite.suite, trigger }, 'run started');
    return { started: true, id: handle.id };
  }

  /** Aborts the run in flight (it ends `aborted`, its partial report is written) and waits for its sinks. */
  async close(): Promise<void> {
    this.closed = true;
    const f = this.inFlight;
    if (!f) return;
    this.options.log.info({ runId: f.handle.id }, 'aborting the run in flight');
    f.controller.abort(new Error('stressd is shutting down'));
    await f.finished;
  }

  private subscribe(handle: RunHandle, live: LiveProgress): () => void {
    const { log, metrics, suite } = this.options;
    const runLog = log.child({ runId: handle.id });
    const onRunStart = ({ run }: RunnerEvents['run:start']): void => {
      try {
        metrics.onRunStart(run);
      } catch (err) {
        runLog.warn({ err }, 'metrics.onRunStart failed');
      }
    };
    const onTestStart = (e: RunnerEvents['test:start']): void => {
      Object.assign(live, {
        index: e.index + 1, total: e.total, test: e.test, testStartedAt: Date.now(),
        elapsed_seconds: 0, output_bytes: 0, output_lines: 0,
      });
      runLog.info({ testId: e.test.id, index: e.index + 1, total: e.total }, 'test started');
    };
    const onProgress = (e: RunnerEvents['test:progress']): void => {
      if (live.test?.id !== e.testId) return;
      live.elapsed_seconds = e.elapsed_seconds;
      live.output_bytes = e.output_bytes;
      live.output_lines = e.output_lines;
    };
    const onTestEnd = ({ result }: RunnerEvents['test:end']): void => {
      // Between tests (the pause) nothing is in flight: the page says so instead of a stale test.
      if (live.test?.id === result.id) Object.assign(live, { test: null, testStartedAt: null });
      runLog.info(
        { testId: result.id, outcome: result.outcome, reason: result.reason, duration_seconds: result.duration_seconds, output_bytes: result.output_bytes },
        'test ended',
      );
      try {
        metrics.onTestEnd(suite.suite, result);
      } catch (err) {
        runLog.warn({ err, testId: result.id }, 'metrics.onTestEnd failed');
      }
    };
    handle.events.on('run:start', onRunStart);
    handle.events.on('test:start', onTestStart);
    handle.events.on('test:progress', onProgress);
    handle.events.on('test:end', onTestEnd);
    return () => {
      handle.events.off('run:start', onRunStart);
      handle.events.off('test:start', onTestStart);
      handle.events.off('test:progress', onProgress);
      handle.events.off('test:end', onTestEnd);
    };
  }

  private async finish(entry: InFlight): Promise<void> {
    const { log, metrics, history, reportsDir } = this.options;
    const { handle } = entry;
    const runLog = log.child({ runId: handle.id });
    let result: RunResult;
    try {
      // Every sink (report, history, API) gets the executor URL without its credentials.
      result = await handle.done;
    } catch (err) {
      // The runner promises never to reject; if it does, there is no result to record.
      runLog.error({ err }, 'run failed without a result');
      return;
    }
    entry.recording = true;
    let paths: { markdownPath: string; jsonPath: string } | null = null;
    try {
      paths = await this.options.writeReport(result, reportsDir);
    } catch (err) {
      runLog.error({ err }, 'report could not be written');
    }
    try {
      metrics.onRunEnd(result);
    } catch (err) {
      runLog.warn({ err }, 'metrics.onRunEnd failed');
    }
    history.add({ run: result, jsonPath: paths?.jsonPath ?? null, markdownPath: paths?.markdownPath ?? null });
    runLog.info(
      {
        status: result.status, graduated: result.graduated, tests_total: result.tests_total,
        tests_passed: result.tests_passed, duration_seconds: result.duration_seconds, report: paths?.markdownPath ?? null,
      },
      'run ended',
    );
  }
}
