/**
 * Resource peaks through Prometheus: a real Prometheus (Debian's) scrapes a real process-exporter
 * (Debian's prometheus-process-exporter) every second while a server on this host runs a known
 * load; the suite names that Prometheus and the process-exporter preset's queries, and stressd's
 * figures are held against the load's own /proc truth. CPU is bracketed by the load's truth rather
 * than compared with a fixed core count: on a busy machine the load gets less than a core, and the
 * peak of a 4 s rate lies between the load's mean rate and its own highest 4 s rate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun } from '../../src/runner/runner.ts';
import type { TestResult } from '../../src/result/types.ts';
import { makeSuite, type SuiteSpec, type TestSpec } from '../fixtures/runner/suite.ts';
import { loadCommand, readTruth, startSameHostServer, type LoadTruth, type SameHostServer } from '../fixtures/resources/servers.ts';
import { freePort, promQuery, startChild, waitFor, type Child } from '../fixtures/ops/processes.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';

const prometheusBin = requireTool('prometheus');
const exporterBin = requireTool('prometheus-process-exporter');
const skip = prometheusBin === undefined ? skipReason('prometheus') : exporterBin === undefined ? skipReason('prometheus-process-exporter') : false;

const GROUP = 'promload';
/** The process-exporter preset of docs/config.md. */
const PRESET = {
  cpu: 'sum(rate(namedprocess_namegroup_cpu_seconds_total{groupname="{{group}}"}[{{rate_window}}]))',
  memory: 'sum(namedprocess_namegroup_memory_bytes{groupname="{{group}}",memtype="resident"})',
};

let dir = '';
let server: SameHostServer | null = null;
let exporter: Child | null = null;
let prometheus: Child | null = null;
let prom = '';

before(async () => {
  if (skip) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-prom-resources-'));
  server = await startSameHostServer();
  const exporterPort = await freePort();
  await writeFile(join(dir, 'exporter.yml'), `process_names:\n  - name: ${GROUP}\n    cmdline:\n      - 'load\\.py ${GROUP}'\n`);
  exporter = startChild(exporterBin as string, ['-config.path', join(dir, 'exporter.yml'), '-web.listen-address', `127.0.0.1:${exporterPort}`, '-gather-smaps=false'], { cwd: dir, env: process.env });
  const promPort = await freePort();
  await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: process\n    static_configs:\n      - targets: ['127.0.0.1:${exporterPort}']\n`);
  prometheus = startChild(prometheusBin as string, [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`,
  ], { cwd: dir, env: process.env });
  prom = `http://127.0.0.1:${promPort}`;
  await waitFor('Prometheus to scrape the process-exporter', 60_000, async () => {
    try {
      const up = await promQuery(prom, 'up{job="process"}');
      return up[0]?.value?.[1] === '1' ? true : undefined;
    } catch {
      return undefined;
    }
  });
});

after(async () => {
  await prometheus?.stop();
  await exporter?.stop();
  await server?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

async function runOne(spec: TestSpec, over: SuiteSpec): Promise<TestResult> {
  const suite = makeSuite([{ timeout: 120, ...spec }], { sample_interval_ms: 100, ...over });
  const run = await startRun({ suite, executor: { url: (server as SameHostServer).url, localPid: null }, reportsDir: dir, trigger: 'cli' }).done;
  return run.tests[0] ?? assert.fail('no test result');
}

/** The load's mean rate while busy, and its highest rate over any stretch of at least `windowS`. */
function truthRates(truth: LoadTruth, windowS: number): { mean: number; peak: number } {
  const tl = truth.timeline;
  const first = tl[0] as [number, number];
  const last = tl[tl.length - 1] as [number, number];
  let peak = 0;
  for (let i = 0; i < tl.length; i++) {
    for (let j = i + 1; j < tl.length; j++) {
      const [wi, ci] = tl[i] as [number, number];
      const [wj, cj] = tl[j] as [number, number];
      if (wj - wi >= windowS) {
        peak = Math.max(peak, (cj - ci) / (wj - wi));
        break;
      }
    }
  }
  return { mean: (last[1] - first[1]) / (last[0] - first[0]), peak: peak || (last[1] - first[1]) / (last[0] - first[0]) };
}

test('a real Prometheus scraping a real process-exporter gives the load\'s peaks within 15 %', { skip }, async (t) => {
  const result = await runOne(
    { id: 'promload', command: loadCommand(GROUP, 6, 200, 3), expected_patterns: ['done'] },
    { resources: { prometheus: { url: prom, ...PRESET, scrape_interval_s: 1, labels: { group: GROUP } } } },
  );
  assert.equal(result.outcome, 'passed', `${result.reason}: ${result.reason_detail}`);
  const truth = await readTruth(result.log_path);
  const r = result.resources;
  assert.ok(r.measured, JSON.stringify(r));
  assert.equal(r.measured_by, 'prometheus');
  assert.match(r.queries?.cpu ?? '', /groupname="promload"/);
  assert.match(r.queries?.cpu ?? '', /\[4s\]/);
  const rates = truthRates(truth, 4);
  t.diagnostic(`cpu ${r.peak_cpu_ratio} (truth mean ${rates.mean.toFixed(3)}, 4 s peak ${rates.peak.toFixed(3)}), memory ${r.peak_memory_bytes} (truth RSS ${truth.rss_bytes})`);
  const cpu = r.peak_cpu_ratio ?? assert.fail('no CPU peak');
  assert.ok(cpu >= 0.85 * rates.mean && cpu <= 1.15 * rates.peak, `peak CPU ${cpu} outside [0.85 × ${rates.mean}, 1.15 × ${rates.peak}]`);
  assert.ok(Math.abs(r.peak_memory_bytes - truth.rss_bytes) <= 0.15 * truth.rss_bytes, `memory ${r.peak_memory_bytes} against ${truth.rss_bytes}`);
});

test('a dead Prometheus: not measured, with the reason; the test still passes', { skip }, async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  const result = await runOne(
    { id: 'nobody', command: 'echo done', expected_patterns: ['done'] },
    { resources: { prometheus: { url: dead, ...PRESET, scrape_interval_s: 1, labels: { group: GROUP } } } },
  );
  assert.equal(result.outcome, 'passed');
  const r = result.resources;
  assert.equal(r.measured, false);
  assert.equal(r.measured_by, 'prometheus');
  assert.match(r.measured ? '' : r.why, new RegExp(`Prometheus at ${dead} did not answer \\(.*ECONNREFUSED`));
});

test('a Prometheus with no samples for the query: not measured, with the reason', { skip }, async () => {
  const result = await runOne(
    { id: 'empty', command: 'echo done', expected_patterns: ['done'] },
    { resources: { prometheus: { url: prom, ...PRESET, scrape_interval_s: 1, labels: { group: 'no_such_group' } } } },
  );
  const r = result.resources;
  assert.equal(r.measured, false);
  assert.match(r.measured ? '' : r.why, /has no samples of .*no_such_group/);
});
