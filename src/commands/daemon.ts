/**
 * `stressd daemon`: loads the suite, then starts in order — logger, tracing, metrics, history,
 * executor, runs, scheduler, HTTP — and closes in exact reverse order on SIGTERM/SIGINT.
 */
import { exitWithNpmWrapper } from '../daemon/wrapper.ts';
import { retainRuns } from '../daemon/retention.ts';
import { ConfigError, formatProblem } from '../config/errors.ts';
import { loadSuite } from '../config/load.ts';
import type { Suite } from '../config/types.ts';
import { assertSafeBind, StressdError } from '../errors.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { redactCredentials } from '../result/redact.ts';
import { writeReport } from '../report/writer.ts';
import { startRun } from '../runner/runner.ts';
import { createMetrics } from '../telemetry/metrics.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { VERSION } from '../version.ts';
import { RunCoordinator } from '../daemon/coordinator.ts';
import { startExecutor } from './daemon-executor.ts';
import { History } from '../daemon/history.ts';
import { createApp, listen } from '../web/http.ts';
import { handleSignals, Lifecycle, LifecycleClosedError } from '../daemon/lifecycle.ts';
import { createLogger, type Logger } from '../logger.ts';
import { renderStatusPage } from '../web/page.ts';
import { readinessOf } from '../daemon/readiness.ts';
import { assertCronExpression, startScheduler } from '../daemon/scheduler.ts';

export interface DaemonOptions {
  config: string;
  /** Cron expression; overrides the config's `schedule`. */
  schedule?: string;
  host: string;
  port: number;
  reportsDir: string;
  /** "embedded" or a ws:// URL; overrides the config's `executor`. */
  executor?: string;
  runOnStart: boolean;
  /** Bearer token for POST /api/runs; default STRESSD_TOKEN (empty = none). Required beyond loopback. */
  token?: string;
}

/** Problems a user can fix: printed on stderr, exit code 2, nothing started. */
async function prepare(opts: DaemonOptions): Promise<{ suite: Suite; warnings: string[]; schedule: string | null; token: string | undefined } | string[]> {
  let loaded;
  try {
    loaded = await loadSuite(opts.config);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  const token = opts.token || process.env.STRESSD_TOKEN || undefined;
  // An empty STRESSD_SCHEDULE means "not set", as for any unset variable.
  const schedule = opts.schedule?.trim() || loaded.suite.schedule || null;
  try {
    if (schedule !== null) assertCronExpression(schedule);
    assertSafeBind(opts.host, token, 'daemon HTTP', 'STRESSD_TOKEN');
  } catch (err) {
    if (err instanceof StressdError) return [err.message];
    throw err;
  }
  return { ...loaded, schedule, token };
}

export async function daemonCommand(opts: DaemonOptions): Promise<number> {
  const prepared = await prepare(opts);
  if (Array.isArray(prepared)) {
    for (const line of prepared) process.stderr.write(`stressd: ${line}\n`);
    return 2;
  }
  const { suite, schedule, token } = prepared;
  const log = createLogger();
  for (const warning of prepared.warnings) log.warn({ config: opts.config }, warning);
  const lc = new Lifecycle(log);
  lc.add('logger', log, (l) => l.flush());
  let stopping = false;
  let stopped: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (stopped = resolve));
  // Set once the executor child exists: a forced exit (second signal, hard timer) SIGTERMs it so its commands end too.
  let killChildren: () => void = () => undefined;
  const stopWatchingWrapper = exitWithNpmWrapper();
  const removeSignals = handleSignals({
    log,
    beforeForcedExit: () => killChildren(),
    shutdown: async () => {
      stopping = true;
      await lc.close();
      stopped(0);
    },
  });

  try {
    await start(opts, { suite, schedule, token, log, lc, isStopping: () => stopping, onForcedExit: (fn) => (killChildren = fn) });
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
  log.info({ code, resources: process.getActiveResourcesInfo() }, 'stopped');
  lingerWarning(log);
  return code;
}

interface StartContext {
  suite: Suite;
  schedule: string | null;
  token: string | undefined;
  log: Logger;
  lc: Lifecycle;
  isStopping: () => boolean;
  onForcedExit: (cleanup: () => void) => void;
}

async function start(opts: DaemonOptions, ctx: StartContext): Promise<void> {
  const { suite, schedule, log, lc } = ctx;
  const tracing = lc.add('tracing', await startTracing({ logger: log }), (t) => t.shutdown());
  log.info({ enabled: tracing.enabled }, 'tracing');

  const metrics = lc.add('metrics', createMetrics({ logger: log }), (m) => m.registry.clear());

  const history = new History({ reportsDir: opts.reportsDir, warn: (path, why) => log.warn({ path, why }, 'history: skipped a file') });
  await retainRuns({ reportsDir: opts.reportsDir, suite, log });
  const total = await history.load();
  // The reports dir may hold runs of suites and tests this config no longer has: restoring their
  // gauges would export (and alert on) series that nothing will ever update again.
  const testIds = new Set(suite.tests.map((t) => t.id));
  metrics.hydrateFromHistory(
    history.runs().filter((r) => r.suite === suite.suite).map((r) => ({ ...r, tests: r.tests.filter((t) => testIds.has(t.id)) })),
  );
  log.info({ reportsDir: opts.reportsDir, runs: total, inMemory: history.runs().length }, 'history loaded');

  const executor = lc.add(
    'executor',
    await startExecutor(opts.executor ?? suite.executor, { log, onRestart: () => metrics.onExecutorRestart() }),
    (e) => e.close(),
  );
  ctx.onForcedExit(() => executor.killNow());

  const runs = lc.add(
    'runs',
    new RunCoordinator({ suite, startRun, executor: () => executor.target, reportsDir: opts.reportsDir, history, metrics, writeReport, log }),
    (r) => r.close(),
  );

  const scheduler = lc.add(
    'scheduler',
    await startScheduler({
      expression: schedule, name: `stressd:${suite.suite}`, log,
      onFire: () => void runs.trigger('schedule'),
      onNextRun: (at) => metrics.setNextRun(suite.suite, at),
    }),
    (s) => s.close(),
  );

  const app = createApp({
    metricsResponse: (accept) => metrics.metricsResponse(accept),
    readiness: () => readinessOf({ suite: suite.suite, stopping: ctx.isStopping(), scheduler, executor }),
    history,
    runs,
    renderMarkdown,
    statusPage: () =>
      renderStatusPage({
        suite: { name: suite.suite, description: suite.description, tests: suite.tests.length },
        schedule, nextRun: scheduler.nextRun(), now: new Date(),
        executor: { url: redactCredentials(executor.target.url), pid: executor.pid, restarts: executor.restarts },
        current: runs.current(),
        runs: history.runs(),
        version: VERSION,
      }),
    ...(ctx.token ? { token: ctx.token } : {}),
    log,
  });
  const http = lc.add('http', await listen(app, opts.host, opts.port), (h) => h.close());
  log.info({ url: http.url, suite: suite.suite, schedule, tests: suite.tests.length }, 'listening');

  if (opts.runOnStart) runs.trigger('start');
}

/** After a clean close nothing should keep the process alive; if something does, name it. */
function lingerWarning(log: Logger): void {
  setTimeout(() => {
    log.warn({ resources: process.getActiveResourcesInfo() }, 'still alive after close: something was left open');
  }, 3_000).unref();
}
