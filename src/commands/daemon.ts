/**
 * `stressd daemon`: loads the suites (one per config), then starts in order — logger, tracing, metrics, history,
 * executor, runs, scheduler, HTTP — and closes in exact reverse order on SIGTERM/SIGINT; SIGHUP reloads the configs.
 */
import { loadSuites, sharedExecutor, type SuiteEntry } from './suite-files.ts';
import { assertSafeBind, StressdError } from '../errors.ts';
import { exitWithNpmWrapper } from '../daemon/wrapper.ts';
import { retentionSink } from '../store/retention-sink.ts';
import { reportSink } from '../report/sink.ts';
import type { Sink } from '../result/sink.ts';
import { WriteLedger } from '../result/write-errors.ts';
import { startRun } from '../runner/runner.ts';
import { createMetrics, type StressdMetrics } from '../telemetry/metrics.ts';
import { metricsSink } from '../telemetry/metrics-sink.ts';
import { historySink } from '../store/history-sink.ts';
import { logSink } from '../daemon/log-sink.ts';
import { journalSink } from '../store/journal-sink.ts';
import { LiveStatus } from '../web/live-status.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { startMetricsExport } from '../telemetry/otlp-metrics.ts';
import { RunCoordinator } from '../daemon/coordinator.ts';
import { startExecutor } from './daemon-executor.ts';
import type { ExecutorSupervisor } from '../daemon/executor.ts';
import { daemonApp, traceUrlTemplate } from './daemon-app.ts';
import { restoreHistory } from './history-restore.ts';
import { portProblem } from './port-check.ts';
import { createReview } from './review.ts';
import type { History } from '../store/history.ts';
import { listen } from '../web/http.ts';
import { handleSignals, Lifecycle, LifecycleClosedError } from '../daemon/lifecycle.ts';
import { createLogger, logFormat, type Logger } from '../logger.ts';
import { startScheduler, type Scheduler } from '../daemon/scheduler.ts';
import { SuiteSet } from '../daemon/suites.ts';
import { parseHosts, parseOrigins } from '../request-origin.ts';
import { configReloader, digestsOf, type RunningConfig } from './config-reload.ts';

export interface DaemonOptions {
  /** Config files or directories of `*.json`: one suite each (DESIGN section 4). */
  config: string[];
  /** Runs in flight across suites; further triggers wait their turn. */
  maxConcurrentRuns: number;
  /** Cron expression; overrides every config's `schedule`. */
  schedule?: string;
  host: string;
  port: number;
  reportsDir: string;
  /** "embedded" or a ws:// URL; overrides the config's `executor`. */
  executor?: string;
  runOnStart: boolean;
  /** Bearer token for POST /api/runs; default STRESSD_TOKEN (empty = none). Required beyond loopback. */
  token?: string;
  /** Host names beside the listening address and localhost that requests may name (`--allow-host`). */
  allowHost?: string[];
  /** Origins beside the daemon's own whose pages may post (`--allow-origin`: a TLS proxy's public origin). */
  allowOrigin?: string[];
}

/** Problems a user can fix: printed on stderr, exit code 2, nothing started. */
async function prepare(opts: DaemonOptions): Promise<Prepared | string[]> {
  const { entries: suites, problems } = await loadSuites(opts.config, opts.schedule);
  if (problems.length > 0) return problems;
  const executor = sharedExecutor(suites, opts.executor);
  if (typeof executor !== 'string') return [executor.problem];
  if (!Number.isInteger(opts.maxConcurrentRuns) || opts.maxConcurrentRuns < 1) {
    return [`--max-concurrent-runs or STRESSD_MAX_CONCURRENT_RUNS: expected a whole number ≥ 1, found "${opts.maxConcurrentRuns}"`];
  }
  const token = opts.token || process.env.STRESSD_TOKEN || undefined;
  try {
    logFormat();
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
  let allowHosts: string[];
  let allowOrigins: string[];
  try {
    assertSafeBind(opts.host, token, 'daemon HTTP', 'STRESSD_TOKEN');
    allowHosts = parseHosts(opts.allowHost ?? [], '--allow-host or STRESSD_ALLOW_HOST');
    allowOrigins = parseOrigins(opts.allowOrigin ?? [], '--allow-origin or STRESSD_ALLOW_ORIGIN');
  } catch (err) {
    if (err instanceof StressdError) return [err.message];
    throw err;
  }
  const busy = await portProblem(opts.host, opts.port, '--port or STRESSD_PORT');
  if (busy !== null) return [busy];
  return { suites, executor, token, allowHosts, allowOrigins, loadedAt: new Date() };
}

export async function daemonCommand(opts: DaemonOptions): Promise<number> {
  const prepared = await prepare(opts);
  if (Array.isArray(prepared)) {
    for (const line of prepared) process.stderr.write(`stressd: ${line}\n`);
    return 2;
  }
  const log = createLogger();
  const lc = new Lifecycle(log);
  lc.add('logger', log, (l) => l.flush());
  let stopping = false;
  let stopped: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (stopped = resolve));
  // Set once the executor child exists: a forced exit (second signal, hard timer) SIGTERMs it so its commands end too.
  let killChildren: () => void = () => undefined;
  const stopWatchingWrapper = exitWithNpmWrapper();
  // Set once everything is started: a SIGHUP during start-up has nothing whole to reload yet.
  let reload: () => void = () => log.warn({ signal: 'SIGHUP' }, 'SIGHUP before the daemon finished starting: nothing reloaded');
  const removeSignals = handleSignals({
    log,
    beforeForcedExit: () => killChildren(),
    onHangup: () => reload(),
    shutdown: async () => {
      stopping = true;
      await lc.close();
      stopped(0);
    },
  });

  try {
    await start(opts, {
      ...prepared, log, lc, isStopping: () => stopping, onForcedExit: (fn) => (killChildren = fn), onReady: (fn) => (reload = () => void fn()),
    });
  } catch (err) {
    if (err instanceof LifecycleClosedError) {
      // A signal arrived during start-up: the shutdown it began is the outcome, not a failure.
      log.info({ why: err.message }, 'start stopped by the shutdown');
      await lc.close();
      return done;
    }
    log.error({ err }, 'start failed');
    stopping = true;
    await lc.close();
    removeSignals();
    stopWatchingWrapper();
    return err instanceof StressdError ? 2 : 1;
  }
  const code = await done;
  // The handlers stay: the process is ending, a second signal must still exit at once, and the
  // (unref'd) 15 s hard timer must still fire if something left open keeps the process alive.
  // What still holds the event loop is news only when the stop was not clean (or when debugging).
  log.info({ code, ...(code !== 0 || log.isLevelEnabled('debug') ? { resources: process.getActiveResourcesInfo() } : {}) }, 'stopped');
  lingerWarning(log);
  return code;
}

interface Prepared {
  suites: SuiteEntry[];
  /** "embedded" or a ws:// URL, shared by every suite. */
  executor: string;
  token: string | undefined;
  allowHosts: string[];
  allowOrigins: string[];
  loadedAt: Date;
}

interface StartContext extends Prepared {
  log: Logger;
  lc: Lifecycle;
  isStopping: () => boolean;
  onForcedExit: (cleanup: () => void) => void;
  /** Hands over the SIGHUP reload once everything is started. */
  onReady: (reload: () => Promise<boolean>) => void;
}

async function start(opts: DaemonOptions, ctx: StartContext): Promise<void> {
  const { suites, log, lc } = ctx;
  const tracing = lc.add('tracing', await startTracing({ logger: log }), (t) => t.shutdown());
  log.info({ enabled: tracing.enabled }, 'tracing');

  const metrics = lc.add('metrics', createMetrics({ logger: log }), (m) => m.registry.clear());
  // Closed before the registry is cleared (reverse order): its last export reads the final values.
  const otlpMetrics = lc.add('otlp metrics', await startMetricsExport({ registry: metrics.registry, logger: log }), (h) => h.shutdown());
  log.info({ enabled: otlpMetrics.enabled }, 'otlp metrics');
  metrics.onConfigLoad(true);
  const running: RunningConfig = {
    entries: [...suites], suites: suites.map((e) => e.suite), schedulers: new Map(), loadedAt: ctx.loadedAt, digests: await digestsOf(suites), lastReload: null,
  };
  const history = await restoreHistory(opts.reportsDir, suites, metrics, log);

  const envPassthrough = [...new Set(suites.flatMap((e) => e.suite.env_passthrough ?? []))];
  const executor = lc.add(
    'executor',
    await startExecutor(ctx.executor, { log, onRestart: () => metrics.onExecutorRestart(), envPassthrough }),
    (e) => e.close(),
  );
  ctx.onForcedExit(() => executor.killNow());

  const traceUrl = traceUrlTemplate(process.env.STRESSD_TRACE_URL, log);
  const live = new LiveStatus();
  const { runs, coordinators } = startRuns(opts, ctx, { metrics, history, executor, live, running });
  const arm = armer(ctx, runs, metrics);
  lc.add('schedulers', running.schedulers, (all) => Promise.all([...all.values()].map((s) => s.close())).then(() => undefined));
  for (const entry of suites) running.schedulers.set(entry.suite.suite, await arm(entry));

  const app = daemonApp({
    running, runs, history, live, metrics, executor, traceUrl, token: ctx.token, isStopping: ctx.isStopping, log,
    listenHost: opts.host, allowHosts: ctx.allowHosts, allowOrigins: ctx.allowOrigins,
  });
  const http = lc.add('http', await listen(app, opts.host, opts.port), (h) => h.close());
  const [first] = suites;
  log.info({
    url: http.url, suite: first?.suite.suite, schedule: first?.schedule, tests: first?.suite.tests.length,
    suites: suites.map((e) => ({ suite: e.suite.suite, schedule: e.schedule, tests: e.suite.tests.length, config: e.file })),
    max_concurrent_runs: opts.maxConcurrentRuns,
  }, 'listening');

  if (opts.runOnStart) for (const { suite } of suites) runs.trigger('start', suite.suite);
  ctx.onReady(configReloader({
    paths: opts.config, scheduleFlag: opts.schedule, executorFlag: opts.executor, executor: ctx.executor, running, coordinators,
    reviewOf: (suite) => createReview({ suite, history: () => history.runs() }), arm,
    setNextRun: (suite, at) => metrics.setNextRun(suite, at), log,
    onReload: (ok) => {
      metrics.onConfigLoad(ok);
      // A reloaded suite may have new tests: their counters start at 0 too.
      if (ok) for (const { suite } of running.entries) metrics.declareSuite(suite.suite, suite.tests);
    },
  }));
}

interface RunParts {
  metrics: StressdMetrics;
  history: History;
  executor: ExecutorSupervisor;
  live: LiveStatus;
  running: RunningConfig;
}

/** The daemon's sinks and one coordinator per suite, under the SuiteSet that bounds the runs in flight. */
function startRuns(opts: DaemonOptions, ctx: StartContext, { metrics, history, executor, live, running }: RunParts): { runs: SuiteSet; coordinators: Map<string, RunCoordinator> } {
  const { suites, log, lc } = ctx;
  // The daemon's sinks, in the order each run's end reaches them (DESIGN section 1).
  // What the report sink could not write reaches history (the API, the page) through the ledger.
  const ledger = new WriteLedger();
  const reports = reportSink(opts.reportsDir, (run, written) => {
    if (!written.ok) metrics.onReportWriteError(run.suite);
    const final = written.write?.run ?? run;
    if (written.write) ledger.note(run.id, written.write.errors);
    else ledger.note(run.id, [{ file: 'json', path: null, error: written.ok ? '' : written.error }]);
    metrics.setRunWriteErrors(run.suite, (final.write_errors ?? []).length + (written.write ? 0 : 1));
    // Where to read the run: the line an operator greps for after "run ended".
    if (written.write && !final.write_errors?.some((w) => w.file === 'report')) {
      log.info({ runId: run.id, suite: run.suite, report: written.write.markdownPath, json: written.write.jsonPath, ...(run.only ? { partial: true } : {}) }, 'report written');
    }
  });
  const sinks: Sink[] = [logSink(log), journalSink(opts.reportsDir), reports, metricsSink(metrics), historySink(history, ledger),
    retentionSink({ reportsDir: opts.reportsDir, suites: running.suites, history, log }), live];
  const coordinators = new Map<string, RunCoordinator>();
  const runs = lc.add(
    'runs',
    new SuiteSet({
      coordinators, maxConcurrentRuns: opts.maxConcurrentRuns, log,
      onQueued: (name) => metrics.onRunQueued(name),
      onSkipped: (name, trigger) => metrics.onRunSkipped(name, trigger === 'schedule' ? 'overlap' : 'busy_api'),
    }),
    (r) => r.close(),
  );
  // Runs `stressd run` wrote to the same reports dir join the history before a run is judged against it.
  const refreshThenStart: typeof startRun = (options) => {
    history.refresh().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'history: could not look for new runs'));
    return startRun(options);
  };
  for (const { suite } of suites) {
    coordinators.set(suite.suite, new RunCoordinator({
      suite, startRun: refreshThenStart, executor: () => executor.target, reportsDir: opts.reportsDir, sinks, log,
      onSkipped: (name, cause) => metrics.onRunSkipped(name, cause),
      onIdle: () => runs.onIdle(),
      review: createReview({ suite, history: () => history.runs() }),
    }));
  }
  return { runs, coordinators };
}

/** Arms one suite's cron schedule, triggering it through the SuiteSet (at start, and for a reloaded schedule). */
function armer({ log }: StartContext, runs: SuiteSet, metrics: StressdMetrics): (entry: SuiteEntry) => Promise<Scheduler> {
  return ({ suite, schedule }) => {
    const name = suite.suite;
    return startScheduler({
      expression: schedule, name: `stressd:${name}`, log: log.child({ suite: name }),
      onFire: () => void runs.trigger('schedule', name),
      onNextRun: (at) => metrics.setNextRun(name, at),
    });
  };
}

/** After a clean close nothing should keep the process alive; if something does, name it. */
function lingerWarning(log: Logger): void {
  setTimeout(() => {
    log.warn({ resources: process.getActiveResourcesInfo() }, 'still alive after close: something was left open');
  }, 3_000).unref();
}
