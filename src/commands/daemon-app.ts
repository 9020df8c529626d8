/** The daemon's HTTP app: what its routes and status page read (runs, history, metrics, schedulers, executor). */
import { fileURLToPath } from 'node:url';
import type { SuiteEntry } from './suite-files.ts';
import type { LiveProgress, RunResult } from '../result/types.ts';
import { ErrorCode, StressdError } from '../errors.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { redactCredentials } from '../result/redact.ts';
import type { StressdMetrics } from '../telemetry/metrics.ts';
import type { LiveStatus } from '../web/live-status.ts';
import { VERSION } from '../version.ts';
import type { ExecutorSupervisor } from '../daemon/executor.ts';
import type { History } from '../store/history.ts';
import { createApp } from '../web/http.ts';
import type { Logger } from '../logger.ts';
import { renderStatusPage } from '../web/page.ts';
import type { SuiteRow } from '../web/suites-section.ts';
import { readinessOf } from '../daemon/readiness.ts';
import type { Scheduler } from '../daemon/scheduler.ts';
import type { SuiteSet } from '../daemon/suites.ts';
import { configStatus, type RunningConfig } from './config-reload.ts';
import { historyRatio } from './review.ts';
import { changeNotes } from './change-notes.ts';

export interface DaemonAppParts {
  /** Read at every request: a SIGHUP reload swaps its suites and schedulers in place. */
  running: RunningConfig;
  runs: SuiteSet;
  history: History;
  live: LiveStatus;
  metrics: StressdMetrics;
  executor: ExecutorSupervisor;
  traceUrl: string | null;
  token: string | undefined;
  isStopping: () => boolean;
  log: Logger;
  listenHost: string;
  allowHosts: readonly string[];
  allowOrigins: readonly string[];
}

/** The first suite and its scheduler, as they are now. */
function firstOf({ entries, schedulers }: RunningConfig): { first: SuiteEntry; firstScheduler: Scheduler } {
  const [first] = entries;
  const firstScheduler = first ? schedulers.get(first.suite.suite) : undefined;
  if (!first || !firstScheduler) throw new StressdError(ErrorCode.config, 'no suite config given');
  return { first, firstScheduler };
}

export function daemonApp(parts: DaemonAppParts): ReturnType<typeof createApp> {
  const { running, runs, history, live, metrics, executor, log } = parts;
  firstOf(running);
  // Runs `stressd run` wrote to the same reports dir: read when the page, the API or a scrape asks,
  // and the ratio gauge recomputed from the history they join (the same rule as every other surface).
  const sync = async (): Promise<void> => {
    try {
      const added = await history.refresh();
      for (const { suite } of running.entries) {
        if (added.some((r) => r.suite === suite.suite)) metrics.setSuccessRatio(suite.suite, historyRatio(history.runs(), suite));
      }
      if (added.length > 0) log.info({ runs: added.map((r) => r.id) }, 'history: read runs written by another process');
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'history: could not look for new runs');
    }
  };
  const changes = changeNotes();
  return createApp({
    metricsResponse: async (accept) => {
      await sync();
      return metrics.metricsResponse(accept);
    },
    readiness: () => {
      const { first, firstScheduler } = firstOf(running);
      return readinessOf({
        suite: first.suite.suite, stopping: parts.isStopping(), scheduler: firstScheduler, executor,
        ...(running.entries.length > 1 ? { suites: [...running.schedulers].map(([suite, scheduler]) => ({ suite, scheduler })) } : {}),
      });
    },
    history: { runs: () => history.runs(), get: (id) => history.get(id), refresh: sync },
    runs,
    renderMarkdown,
    // docs/ sits two levels above both src/commands/ and dist/commands/.
    runbooksPath: fileURLToPath(new URL('../../docs/operations.md', import.meta.url)),
    statusPage: async (csrf) => {
      await sync();
      const { first, firstScheduler } = firstOf(running);
      const suites = running.entries;
      const config = await configStatus(running);
      const now = new Date();
      return renderStatusPage({
        suite: suites.length === 1
          ? { name: first.suite.suite, description: first.suite.description, tests: first.suite.tests.length }
          : { name: suites.map((e) => e.suite.suite).join(', '), description: null, tests: suites.reduce((n, e) => n + e.suite.tests.length, 0) },
        schedule: first.schedule, nextRun: firstScheduler.nextRun(), now,
        executor: { url: redactCredentials(executor.target.url), pid: executor.pid, restarts: executor.restarts },
        current: current(runs, live),
        runs: history.runs(),
        changes: changes(history.runs(), suites.map((e) => ({ suite: e.suite.suite, min_change: e.suite.regression.min_change }))),
        unreadable: history.unreadable(),
        version: VERSION,
        traceUrl: parts.traceUrl,
        ...(suites.length > 1 ? { suites: suiteRows(suites, running.schedulers, runs, history.runs()) } : {}),
        csrf,
        config,
      });
    },
    ...(parts.token ? { token: parts.token } : {}),
    ...(process.env.STRESSD_METRICS_TOKEN ? { metricsToken: process.env.STRESSD_METRICS_TOKEN } : {}),
    listenHost: parts.listenHost,
    allowHosts: parts.allowHosts,
    allowOrigins: parts.allowOrigins,
    log,
  });
}

/** One row per suite for the status page: schedule, next run, the run going or the last result. */
function suiteRows(suites: readonly SuiteEntry[], schedulers: ReadonlyMap<string, Scheduler>, runs: SuiteSet, past: readonly RunResult[]): SuiteRow[] {
  const queued = new Set(runs.queued().map((p) => p.suite));
  return suites.map(({ suite, schedule }) => ({
    name: suite.suite,
    tests: suite.tests.length,
    schedule,
    nextRun: schedulers.get(suite.suite)?.nextRun() ?? null,
    running: runs.currentOf(suite.suite),
    queued: queued.has(suite.suite),
    last: past.find((r) => r.suite === suite.suite) ?? null,
  }));
}

/** The run in flight with its live progress, for the status page. */
function current(runs: SuiteSet, live: LiveStatus): { run: RunResult; live: LiveProgress | null } | null {
  const cur = runs.current();
  return cur ? { run: cur.run, live: live.progress(cur.run.id) } : null;
}

/** STRESSD_TRACE_URL: an http(s) URL with `{trace_id}`, e.g. http://jaeger:16686/trace/{trace_id}; anything else is ignored with a warning. */
export function traceUrlTemplate(value: string | undefined, log: Pick<Logger, 'warn'>): string | null {
  if (!value) return null;
  if (/^https?:\/\/[^\s"'<>]+$/.test(value) && value.includes('{trace_id}')) return value;
  log.warn({ STRESSD_TRACE_URL: value }, 'STRESSD_TRACE_URL ignored: expected an http(s) URL containing {trace_id}');
  return null;
}
