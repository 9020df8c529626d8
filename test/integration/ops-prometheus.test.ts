/**
 * The operations bundle against the real thing: a real daemon runs a short suite once, a real
 * Prometheus (Debian's) scrapes it every second with the project's rule files, and every
 * dashboard query, recording rule and alert rule is evaluated there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { dashboardQueries, loadDashboards, repoRoot, ruleExpressions, ruleFiles, substitute } from '../ops/ops-files.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { freePort, promGet, promQuery, startChild, startOtlpSink, waitFor, type Child, type OtlpSink } from '../fixtures/ops/processes.ts';

const SUITE_CONFIG = join(repoRoot, 'test/fixtures/ops/ops-suite.json');
const SUITE = 'ops_check';
const TESTS = ['simulated_answer', 'system_info', 'missing_pattern', 'capacity_sessions', 'capacity_rate', 'open_drops'];

const prometheusBin = requireTool('prometheus');
const skip = prometheusBin === undefined ? skipReason('prometheus') : false;

let dir = '';
let sink: OtlpSink | null = null;
let daemon: Child | null = null;
let prometheus: Child | null = null;
let prom = '';

interface RunSummary {
  id: string;
  status: string;
}

async function startDaemon(otlp: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The caller's own stressd/OTel settings must not leak into the daemon under test.
  for (const key of Object.keys(env)) if (key.startsWith('STRESSD_') || key.startsWith('OTEL_')) delete env[key];
  env.OTEL_EXPORTER_OTLP_ENDPOINT = otlp;
  const args = ['--import', 'tsx', 'src/cli.ts', 'daemon', '--config', SUITE_CONFIG, '--host', '127.0.0.1', '--port', '0', '--reports-dir', join(dir, 'reports'), '--run-on-start'];
  const proc = startChild(process.execPath, args, { cwd: repoRoot, env });
  daemon = proc;
  // The daemon logs JSON lines; the one saying "listening" carries the URL of port 0.
  return waitFor('the daemon to listen', 30_000, async () => {
    for (const line of proc.lines) {
      try {
        const log = JSON.parse(line) as { msg?: string; url?: string };
        if (log.msg === 'listening' && typeof log.url === 'string') return log.url.replace(/\/$/, '');
      } catch {
        // not a log line
      }
    }
    if (proc.child.exitCode !== null) throw new Error(`daemon exited: ${proc.output()}`);
    return undefined;
  });
}

/** The rule files as Prometheus loads them, but evaluated every second instead of every minute. */
async function writePrometheusConfig(target: string): Promise<string> {
  const rulesDir = join(dir, 'rules');
  await mkdir(rulesDir);
  for (const file of ruleFiles()) {
    const text = await readFile(file, 'utf8');
    await writeFile(join(rulesDir, basename(file)), text.replace(/^(\s+interval:)\s*\S+$/gm, '$1 1s'));
  }
  const config = [
    'global: {scrape_interval: 1s, evaluation_interval: 1s}',
    `rule_files: ['${rulesDir}/*.rules.yml']`,
    'scrape_configs:',
    '  - job_name: stressd',
    `    static_configs: [{targets: ['${target}']}]`,
    '',
  ].join('\n');
  const path = join(dir, 'prometheus.yml');
  await writeFile(path, config);
  return path;
}

before(async () => {
  if (prometheusBin === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-ops-'));
  sink = await startOtlpSink();
  const url = await startDaemon(sink.url);

  await waitFor('the first run to finish', 90_000, async () => {
    const res = await fetch(`${url}/api/runs`, { signal: AbortSignal.timeout(5_000) });
    const runs = (await res.json()) as RunSummary[];
    return runs.some((r) => r.status === 'finished') ? true : undefined;
  });

  const port = await freePort();
  prom = `http://127.0.0.1:${port}`;
  const config = await writePrometheusConfig(new URL(url).host);
  prometheus = startChild(
    prometheusBin,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--enable-feature=exemplar-storage'],
    { cwd: dir, env: process.env },
  );
  await waitFor('Prometheus to be ready', 30_000, async () => {
    if (prometheus?.child.exitCode !== null) throw new Error(`prometheus exited: ${prometheus?.output() ?? ''}`);
    const res = await fetch(`${prom}/-/ready`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? true : undefined;
  });
  // rate() and increase() need two samples in their window; the recording rules need a pass.
  await waitFor('three successful scrapes of the daemon', 30_000, async () => {
    const result = await promQuery(prom, 'sum_over_time(up{job="stressd"}[1m])');
    return Number(result[0]?.value?.[1] ?? 0) >= 3 ? true : undefined;
  });
  await waitFor('the recording rules to have been evaluated', 30_000, async () => {
    const result = await promQuery(prom, `stressd:test_pass_ratio:1d{suite="${SUITE}"}`);
    return result.length === TESTS.length ? true : undefined;
  });
});

after(async () => {
  await prometheus?.stop();
  await daemon?.stop();
  await sink?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

interface RulesData {
  groups: { name: string; rules: { name: string; type: string; health: string; lastError?: string }[] }[];
}

test('Prometheus loads every rule, and every rule evaluates without error', { skip }, async () => {
  const data = await promGet<RulesData>(prom, '/api/v1/rules');
  const loaded = data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, group: g.name })));
  assert.equal(loaded.length, ruleExpressions().length, 'not every rule was loaded');
  for (const rule of loaded) {
    assert.notEqual(rule.health, 'err', `${rule.group} › ${rule.name}: ${rule.lastError ?? ''}`);
  }
  await waitFor('every rule to have been evaluated once', 15_000, async () => {
    const now = await promGet<RulesData>(prom, '/api/v1/rules');
    return now.groups.every((g) => g.rules.every((r) => r.health === 'ok')) ? true : undefined;
  });
});

test('every recording rule produces series from a single run', { skip }, async () => {
  const missing: string[] = [];
  // A clean run skips no run and restarts no executor: those counters have no series yet (their
  // rules are checked by ops-counts.test.ts and the promtool tests).
  const eventless = new Set(['stressd:run_skipped:increase6h', 'stressd:executor_restarts:increase1h']);
  const records = ruleExpressions().filter((r) => r.kind === 'record' && !eventless.has(r.name));
  assert.ok(records.length >= 10, `only ${records.length} recording rules found`);
  for (const rule of records) {
    const result = await promQuery(prom, `${rule.name}{suite="${SUITE}"}`);
    if (result.length === 0) missing.push(rule.name);
  }
  assert.deepEqual(missing, [], 'recording rules without a series');
  const ratio = await promQuery(prom, `stressd:test_pass_ratio:1d{suite="${SUITE}", test="missing_pattern"}`);
  assert.equal(Number(ratio[0]?.value?.[1]), 0, 'the test that failed should have a pass ratio of 0');
});

test("every dashboard panel query returns at least one series for the run's suite and tests", { skip }, async () => {
  const queries = loadDashboards().flatMap(dashboardQueries).filter((q) => q.kind !== 'annotation');
  assert.ok(queries.length >= 30, `only ${queries.length} dashboard queries found`);
  const empty: string[] = [];
  // A baseline needs `regression.min_runs` earlier runs: after a single run its series is absent by design.
  const needsHistory = (expr: string) => /stressd_test_baseline_/.test(expr);
  for (const query of queries) {
    const expr = substitute(query.expr, { suite: SUITE, test: TESTS.join('|') });
    if (needsHistory(expr)) continue;
    const result = await promQuery(prom, expr);
    if (result.length === 0) empty.push(`${query.where}: ${expr}`);
  }
  assert.deepEqual(empty, [], 'queries that returned nothing');
});

test("the test variable lists exactly the run's tests", { skip }, async () => {
  const result = await promQuery(prom, `count by (test) (stressd_test_last_success{suite=~"${SUITE}"})`);
  assert.deepEqual(result.map((r) => r.metric.test).sort(), [...TESTS].sort());
});

test('exemplars on the duration histogram reach Prometheus with the trace and span id of each test', { skip }, async () => {
  const end = Date.now() / 1000;
  const params = new URLSearchParams({ query: `stressd_test_duration_seconds_bucket{suite="${SUITE}"}`, start: String(end - 600), end: String(end + 60) });
  const data = await promGet<{ seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string> }[] }[]>(prom, `/api/v1/query_exemplars?${params}`);
  const byTest = new Map(data.flatMap((s) => s.exemplars.map((e) => [s.seriesLabels.test, e.labels] as const)));
  for (const name of TESTS) {
    assert.match(byTest.get(name)?.trace_id ?? '', /^[0-9a-f]{32}$/, `no exemplar with a trace_id for ${name}`);
    assert.match(byTest.get(name)?.span_id ?? '', /^[0-9a-f]{16}$/, `no exemplar with a span_id for ${name}`);
  }
});
