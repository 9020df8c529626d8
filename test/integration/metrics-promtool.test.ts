/**
 * `promtool check metrics` (Prometheus' own linter) on a real scrape of stressd's /metrics, with
 * every family present: nothing to say about any stressd_* name. (prom-client's nodejs_* default
 * metrics have findings of their own; they are not stressd's names.)
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { runResult, testResult } from '../telemetry/results.ts';
import { searchLoad } from '../fixtures/capacity/search.ts';
import type { LoadResult } from '../../src/result/types.ts';

const promtool = requireTool('promtool');
const skip = promtool === undefined ? skipReason('promtool') : false;

let server: Server;
let base = '';

before(async () => {
  const metrics = createMetrics({ logger: { warn: () => {} } });
  // A capacity search and an open-model test too: their step gauges and dropped arrivals are in the scrape.
  const open: LoadResult = { ...searchLoad(), mode: 'rate', dropped: 4 };
  delete open.search;
  const run = runResult({ tests: [
    testResult({ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }), testResult({ id: 'other', outcome: 'failed', reason: 'pattern_miss' }),
    testResult({ id: 'cap', load: searchLoad() }), testResult({ id: 'open', load: open }),
  ] });
  metrics.onRunStart(run);
  for (const t of run.tests) metrics.onTestEnd(run.suite, t);
  metrics.onRunEnd(run);
  metrics.setNextRun(run.suite, new Date(Date.now() + 60_000));
  metrics.onRunSkipped(run.suite);
  metrics.onExecutorRestart();
  server = createServer((req, res) => {
    void metrics.metricsResponse(req.headers.accept).then((r) => res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function check(text: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile(promtool ?? 'promtool', ['check', 'metrics'], { timeout: 30_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
    child.stdin?.end(text);
  });
}

test('promtool check metrics finds nothing in any stressd_* name', { skip }, async () => {
  const text = await (await fetch(`${base}/metrics`)).text();
  const families = new Set([...text.matchAll(/^# TYPE (stressd_\w+)/gm)].map((m) => m[1]));
  assert.ok(families.size >= 25, `only ${families.size} stressd families in the scrape`);
  const findings = (await check(text)).split('\n').filter((l) => l.trim() !== '');
  assert.deepEqual(findings.filter((l) => l.includes('stressd_')), []);
  for (const name of ['stressd_test_capacity_step_first_output_p95_seconds', 'stressd_test_capacity_step_error_ratio', 'stressd_test_capacity_step_held', 'stressd_load_dropped_total']) {
    assert.match(text, new RegExp(`^${name}\\{[^}]*\\} `, 'm'), `no sample of ${name} in the checked scrape`);
  }
  // The linter works: it does speak up about prom-client's own gauges named *_total.
  assert.ok(findings.some((l) => l.startsWith('nodejs_')), `promtool said nothing at all: ${findings.join('\n')}`);
});

test('the OpenMetrics scrape names a unit for every stressd family whose name ends in one', { skip }, async () => {
  const text = await (await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0' } })).text();
  const types = [...text.matchAll(/^# TYPE (stressd_\w+) \w+$/gm)].map((m) => m[1] ?? '');
  const withUnit = types.filter((name) => /_(seconds|bytes|ratio|usd)$/.test(name));
  assert.ok(withUnit.length >= 15, `only ${withUnit.length} families with a unit`);
  for (const name of withUnit) assert.match(text, new RegExp(`^# UNIT ${name} (seconds|bytes|ratio|usd)$`, 'm'), `no UNIT for ${name}`);
  const info = types.filter((name) => name.endsWith('_info'));
  assert.deepEqual(info.sort(), ['stressd_build_info', 'stressd_sut_info']);
});
