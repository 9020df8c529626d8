/** Daemon start-up: the run history read back, runs that died settled, and the gauges restored from it. */
import type { SuiteEntry } from './suite-files.ts';
import { settleStaleRuns } from './settle-stale.ts';
import { historyRatio } from './review.ts';
import { History } from '../store/history.ts';
import { retainRuns } from '../store/retention.ts';
import type { Logger } from '../logger.ts';
import type { StressdMetrics } from '../telemetry/metrics.ts';

export async function restoreHistory(reportsDir: string, suites: readonly SuiteEntry[], metrics: StressdMetrics, log: Logger): Promise<History> {
  const history = new History({ reportsDir, warn: (path: string, why: string) => log.warn({ path, why }, 'history: skipped a file') });
  for (const { suite } of suites) await retainRuns({ reportsDir, suite, log });
  for (const { suite } of suites) metrics.declareSuite(suite.suite, suite.tests);
  const total = await history.load();
  // Before the gauges are restored: a run that died must not pass for one still going.
  for (const run of await settleStaleRuns(history, suites.map((e) => e.suite), reportsDir, log)) metrics.onRunEnd(run);
  // The reports dir may hold runs of suites and tests these configs no longer have: restoring their
  // gauges would export (and alert on) series that nothing will ever update again.
  const testIds = new Map(suites.map((e) => [e.suite.suite, new Set(e.suite.tests.map((t) => t.id))]));
  metrics.hydrateFromHistory(
    history.runs().flatMap((r) => {
      const ids = testIds.get(r.suite);
      return ids ? [{ ...r, tests: r.tests.filter((t) => ids.has(t.id)) }] : [];
    }),
  );
  for (const { suite } of suites) metrics.setSuccessRatio(suite.suite, historyRatio(history.runs(), suite));
  // A file history cannot read is kept, and named: the page lists it and the gauge counts it.
  metrics.setUnreadableFiles(history.unreadable());
  log.info({ reportsDir, runs: total, inMemory: history.runs().length, unreadable: history.unreadable().length }, 'history loaded');
  return history;
}
