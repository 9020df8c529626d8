/**
 * Panels that count events tell the truth, against a real Prometheus (Debian's 2.42): stressd's
 * own metrics registry records N known test runs in bursts, each burst scraped before the next,
 * and the "Test runs by outcome" query summed over its range gives exactly N per outcome, in
 * whole numbers, whatever the step — with the daemon stopped (connection refused, so
 * Prometheus marks its series stale) and restarted with fresh counters between two bursts, as a
 * restarted stressd (every counter child created at 0 at start). The skipped-runs stat shows what StressdRunsSkipped counts,
 * and that alert's runbook link is built from STRESSD_EXTERNAL_URL.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createMetrics, type StressdMetrics } from '../../src/telemetry/metrics.ts';
import type { TestResult } from '../../src/result/types.ts';
import { allPanels, loadDashboards, repoRoot, ruleFiles, substitute } from '../ops/ops-files.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { freePort, promGet, promQuery, startChild, waitFor, type Child } from '../fixtures/ops/processes.ts';
import { testResult } from '../telemetry/results.ts';

const prometheusBin = requireTool('prometheus');
const skip = prometheusBin === undefined ? skipReason('prometheus') : false;
const EXTERNAL_URL = 'http://stressd.test:8080';
const SUITE = 'counts';

/** Bursts of test outcomes; each burst is scraped before the next. The daemon restarts after the second. */
const RESTART_AFTER = 2;
const BURSTS: TestResult['outcome'][][] = [['passed', 'passed'], ['passed', 'failed'], ['failed', 'failed', 'passed'], ['timeout', 'passed']];
const EXPECTED: Record<string, number> = { passed: 5, failed: 3, timeout: 1, error: 0 };

let dir = '';
let server: Server | null = null;
let prometheus: Child | null = null;
let prom = '';
let startedAt = 0;
let metrics: StressdMetrics;
let port = 0;

/** A daemon's metrics as it starts: every counter child of the suite's tests at 0. */
function freshMetrics(): StressdMetrics {
  const m = createMetrics({ logger: { warn: () => {} } });
  m.declareSuite(SUITE, ['t0', 't1', 't2'].map((id) => ({ id })));
  return m;
}

function listen(): Promise<void> {
  server = createServer((req, res) => {
    void metrics.metricsResponse(req.headers.accept).then((r) => res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body));
  });
  return new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));
}

async function stop(): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
}

/**
 * A restart with a gap longer than the widest bar (7 s): the stop and the restart never share a
 * bar, the one case where increase() would extrapolate (docs/operations.md, "Counting events").
 */
async function restart(): Promise<void> {
  await stop();
  await waitFor('8 failed scrapes', 30_000, async () => {
    const down = await promQuery(prom, 'count_over_time(up{job="stressd"}[30s]) - sum_over_time(up{job="stressd"}[30s])');
    return Number(down[0]?.value?.[1]) >= 8 ? true : undefined;
  });
  metrics = freshMetrics();
  await listen();
  await waitFor('a scrape of the restarted daemon', 20_000, async () => {
    const up = await promQuery(prom, 'up{job="stressd"}');
    return up[0]?.value?.[1] === '1' ? true : undefined;
  });
}

function panelExpr(title: string, refId = 'A'): string {
  for (const dash of loadDashboards()) {
    for (const panel of allPanels(dash.json)) {
      if (panel.title !== title || !Array.isArray(panel.targets)) continue;
      const target = panel.targets.find((t) => typeof t === 'object' && t !== null && !Array.isArray(t) && t.refId === refId);
      if (target && typeof target === 'object' && !Array.isArray(target) && typeof target.expr === 'string') return target.expr;
    }
  }
  throw new Error(`no dashboard panel "${title}" with a query ${refId}`);
}

async function writeConfig(target: string): Promise<string> {
  const rulesDir = join(dir, 'rules');
  await mkdir(rulesDir);
  for (const file of ruleFiles()) {
    const text = await readFile(file, 'utf8');
    await writeFile(join(rulesDir, basename(file)), text.replace(/^(\s+interval:)\s*\S+$/gm, '$1 1s'));
  }
  // The project's external label, so the alert's runbook link is built as in production.
  const global = /^ {2}external_labels:\n(?: {4}.*\n)+/m.exec(await readFile(join(repoRoot, 'prometheus/prometheus.yml'), 'utf8'));
  assert.ok(global, 'prometheus/prometheus.yml has no external_labels');
  const config = ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', global[0].trimEnd(), `rule_files: ['${rulesDir}/*.rules.yml']`, 'scrape_configs:', '  - job_name: stressd', `    static_configs: [{targets: ['${target}']}]`, ''];
  const path = join(dir, 'prometheus.yml');
  await writeFile(path, config.join('\n'));
  return path;
}

/** Waits until Prometheus has scraped the counters as they are now. */
async function scraped(total: number): Promise<void> {
  await waitFor(`Prometheus to scrape ${total} test runs`, 20_000, async () => {
    const result = await promQuery(prom, `sum(stressd_test_runs_total{suite="${SUITE}"}) or vector(0)`);
    return Number(result[0]?.value?.[1]) === total ? true : undefined;
  });
}

before(async () => {
  if (prometheusBin === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-counts-'));
  metrics = freshMetrics();
  await listen();
  port = (server?.address() as AddressInfo).port;
  const config = await writeConfig(`127.0.0.1:${port}`);
  const promPort = await freePort();
  prom = `http://127.0.0.1:${promPort}`;
  const env = { ...process.env, STRESSD_EXTERNAL_URL: EXTERNAL_URL };
  prometheus = startChild(prometheusBin, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`, '--enable-feature=expand-external-labels'], { cwd: dir, env });
  await waitFor('a first scrape', 30_000, async () => {
    if (prometheus?.child.exitCode !== null) throw new Error(`prometheus exited: ${prometheus?.output() ?? ''}`);
    const up = await promQuery(prom, 'up{job="stressd"}');
    return up[0]?.value?.[1] === '1' ? true : undefined;
  });
  startedAt = Date.now() / 1000;
  let total = 0;
  for (const [n, burst] of BURSTS.entries()) {
    if (n === RESTART_AFTER) {
      await restart();
      total = 0;
    }
    for (const [i, outcome] of burst.entries()) metrics.onTestEnd(SUITE, testResult({ id: `t${i}`, outcome }));
    total += burst.length;
    await scraped(total);
  }
  metrics.onRunSkipped(SUITE);
});

after(async () => {
  await prometheus?.stop();
  await stop();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

interface Matrix {
  resultType: string;
  result: { metric: Record<string, string>; values: [number, string][] }[];
}

for (const step of [1, 2, 3, 7]) {
  test(`"Test runs by outcome" sums to the true whole counts over its range at a ${step} s step`, { skip }, async () => {
    const expr = substitute(panelExpr('Test runs by outcome'), { suite: SUITE, interval: `${step}s` });
    // Steps past the last scrape repeat its value (5 min lookback), so the end can lie ahead.
    const params = new URLSearchParams({ query: expr, start: String(startedAt - step), end: String(Date.now() / 1000 + 10), step: String(step) });
    const data = await promGet<Matrix>(prom, `/api/v1/query_range?${params}`);
    const totals: Record<string, number> = {};
    for (const series of data.result) {
      const outcome = series.metric.outcome ?? '';
      for (const [, value] of series.values) {
        assert.ok(Number.isInteger(Number(value)), `${outcome}: a bar of ${value} runs`);
        totals[outcome] = (totals[outcome] ?? 0) + Number(value);
      }
    }
    assert.deepEqual(totals, EXPECTED);
  });
}

test('the skipped-runs stat shows the count its alert fires on, with an absolute runbook link', { skip }, async () => {
  const alert = await waitFor('StressdRunsSkipped to fire', 30_000, async () => {
    const data = await promGet<{ alerts: { labels: Record<string, string>; annotations: Record<string, string>; state: string; value: string }[] }>(prom, '/api/v1/alerts');
    return data.alerts.find((a) => a.labels.alertname === 'StressdRunsSkipped' && a.state === 'firing');
  });
  assert.equal(Number(alert.value), 1);
  assert.equal(alert.annotations.runbook_url, `${EXTERNAL_URL}/runbooks#stressdrunsskipped`);
  const stat = await promQuery(prom, substitute(panelExpr('Skipped runs (6 h) and executor restarts (1 h)'), { suite: SUITE }));
  assert.equal(Number(stat[0]?.value?.[1]), 1, 'the stat disagrees with the alert');
});
