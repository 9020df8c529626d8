/**
 * Scheduling and triggers of one suite: one run at a time. Triggers (cron, API, start) that find
 * a run going are skipped, logged and counted. Each run's events go to the command's list of
 * sinks (report, metrics, history, live status, …); the run counts as in flight until every sink
 * has finished with it, so a client that sees `finished` finds the report, the metrics and the history.
 */
import type { Suite } from '../config/types.ts';
import type { Logger } from '../logger.ts';
import { feedSinks, type Sink } from '../result/sink.ts';
import type { RunResult, RunTrigger, TriggerOutcome } from '../result/types.ts';

export type { TriggerOutcome };
import type { ExecutorTarget, RunHandle, RunReview, StartRun } from '../runner/api.ts';

export interface CoordinatorOptions {
  suite: Suite;
  startRun: StartRun;
  /** Read when a run starts; may be a live view whose url follows executor restarts. */
  executor: () => ExecutorTarget;
  reportsDir: string;
  /** Every run's events go to these, in this order (DESIGN section 1). */
  sinks: readonly Sink[];
  /** A trigger found a run going and was skipped. */
  /** A trigger found this suite's run going: `overlap` for a schedule tick, `busy_api` for the API's 409. */
  onSkipped?: (suite: string, cause: SkipCause) => void;
  /** The run in flight is over (every sink has it): the suite set starts a queued trigger. */
  onIdle?: (suite: string) => void;
  /** Judges each run against history (regressions, budget, graduation over runs); none: nothing judged. */
  review?: RunReview;
  log: Logger;
}

export type SkipCause = 'overlap' | 'busy_api';

interface InFlight {
  handle: RunHandle;
  controller: AbortController;
  finished: Promise<void>;
  trigger: RunTrigger;
  /** A start run that already stood in for an overlapping schedule tick. */
  stoodIn: boolean;
  /** True from the runner's result until every sink has it. */
  recording: boolean;
}

export class RunCoordinator {
  private inFlight: InFlight | null = null;
  private closed = false;
  private suite: Suite;
  private review: RunReview | undefined;

  constructor(private readonly options: CoordinatorOptions) {
    this.suite = options.suite;
    this.review = options.review;
  }

  /**
   * A reloaded config: the next run uses it. The run in flight keeps the suite it started with,
   * so a reload never changes a run halfway through.
   */
  useSuite(suite: Suite, review?: RunReview): void {
    if (suite.suite !== this.suite.suite) throw new RangeError(`useSuite: suite "${suite.suite}" given to the coordinator of "${this.suite.suite}"`);
    this.suite = suite;
    this.review = review;
  }

  /** True from a started trigger until every sink has the run's end. */
  get busy(): boolean {
    return this.inFlight !== null;
  }

  /** The run in progress as a snapshot; `running` until its sinks are done. */
  current(): { run: RunResult } | null {
    const f = this.inFlight;
    if (!f) return null;
    try {
      const run = f.handle.snapshot();
      return { run: f.recording ? { ...run, status: 'running', ended_at: null } : run };
    } catch (err) {
      this.options.log.warn({ err, runId: f.handle.id }, 'run snapshot failed');
      return null;
    }
  }

  trigger(trigger: RunTrigger): TriggerOutcome {
    const { log } = this.options;
    const { suite, review } = this;
    if (this.closed) return { started: false, reason: 'closed', detail: 'the daemon is shutting down' };
    if (this.inFlight) {
      const runningId = this.inFlight.handle.id;
      // The start run (--run-on-start) is the run of the first tick it overlaps: nothing was skipped.
      if (trigger === 'schedule' && this.inFlight.trigger === 'start' && !this.inFlight.stoodIn) {
        this.inFlight.stoodIn = true;
        log.info({ trigger, runId: runningId, suite: suite.suite }, 'the start run stands in for this scheduled run');
        return { started: false, reason: 'running', runningId };
      }
      const cause: SkipCause = trigger === 'schedule' ? 'overlap' : 'busy_api';
      log.warn({ trigger, cause, runId: runningId, suite: suite.suite }, 'run skipped: a run of this suite is still going');
      try {
        this.options.onSkipped?.(suite.suite, cause);
      } catch (err) {
        log.warn({ err }, 'counting a skipped run failed');
      }
      return { started: false, reason: 'running', runningId };
    }
    const controller = new AbortController();
    let handle: RunHandle;
    try {
      handle = this.options.startRun({
        suite, executor: this.options.executor(), reportsDir: this.options.reportsDir, trigger, signal: controller.signal,
        ...(review ? { review } : {}),
      });
    } catch (err) {
      log.error({ err, trigger }, 'run could not start');
      return { started: false, reason: 'failed', detail: err instanceof Error ? err.message : String(err) };
    }
    const entry: InFlight = { handle, controller, finished: Promise.resolve(), recording: false, trigger, stoodIn: false };
    entry.finished = this.finish(entry).finally(() => {
      if (this.inFlight !== entry) return;
      this.inFlight = null;
      try {
        this.options.onIdle?.(this.suite.suite);
      } catch (err) {
        log.warn({ err }, 'starting a queued run failed');
      }
    });
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

  private async finish(entry: InFlight): Promise<void> {
    const { handle } = entry;
    const runLog = this.options.log.child({ runId: handle.id });
    const feed = feedSinks(handle.events, this.options.sinks, ({ sink, hook, err, repeats }) => {
      if (repeats === 0) runLog.warn({ err, sink, hook }, `${sink} sink failed`);
      else runLog.warn({ sink, hook, repeats }, `${sink} sink failed again ${repeats} time(s) in this run`);
    });
    let result: RunResult;
    try {
      result = await handle.done;
    } catch (err) {
      // The runner promises never to reject; if it does, there is no result to record.
      runLog.error({ err }, 'run failed without a result');
      return;
    }
    entry.recording = true;
    await feed.end(result);
    runLog.info(
      {
        status: result.status, graduated: result.graduated, tests_total: result.tests_total,
        tests_passed: result.tests_passed, duration_seconds: result.duration_seconds,
      },
      'run ended',
    );
  }
}
