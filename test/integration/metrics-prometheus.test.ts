import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { runResult, testResult } from '../telemetry/results.ts';
import { freePort } from '../fixtures/ports.ts';

// Under CI a missing prometheus fails this file with a clear message instead of skipping it.
const PROMETHEUS = requireTool('prometheus');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** Polls `probe` until it returns a value, or fails after `ms` saying what it waited for. */
async function eventually<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = performance.now() + ms;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

interface PromVector {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('metrics scraped by a real Prometheus', { skip: PROMETHEUS === undefined ? skipReason('prometheus') : false }, () => {
  let dir: string;
  let server: Server;
  let prometheus: ChildProcess;
  let promUrl: string;
  const accepts: string[] = [];

  before(async () => {
    const metrics = createMetrics({ logger: { warn: () => {} } });
    const run = runResult({ tests: [testResult({ duration_seconds: 95, trace_id: TRACE_ID })] });
    metrics.onRunStart(run);
    for (const t of run.tests) metrics.onTestEnd(run.suite, t);
    metrics.onRunEnd(run);

    server = createServer((req, res) => {
      accepts.push(req.headers.accept ?? '');
      void metrics.metricsResponse(req.headers.accept).then((r) => res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const target = `127.0.0.1:${(server.address() as AddressInfo).port}`;

    dir = await mkdtemp(join(tmpdir(), 'stressd-prom-'));
    await writeFile(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: stressd\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      PROMETHEUS ?? 'prometheus',
      [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--enable-feature=exemplar-storage'],
      { stdio: 'ignore' },
    );
    await eventually('Prometheus to be ready', 20_000, async () => ((await fetch(`${promUrl}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = once(prometheus, 'exit');
      prometheus.kill('SIGTERM');
      const timer = setTimeout(() => prometheus.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const query = async (q: string): Promise<PromVector['data']['result']> => {
    const body = (await (await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as PromVector;
    return body.data.result;
  };

  it('parses the OpenMetrics exposition, counters and process metrics included, and stores the values', async () => {
    const duration = await eventually('a scrape with stressd metrics', 20_000, async () => {
      const r = await query('stressd_test_last_duration_seconds{suite="complex",test="python_checklist"}');
      return r.length === 1 ? r[0] : undefined;
    });
    assert.equal(duration?.value[1], '95');
    assert.ok(accepts.some((a) => a.startsWith('application/openmetrics-text')), `Prometheus asked for ${accepts[0]}`);
    assert.equal((await query('up{job="stressd"}'))[0]?.value[1], '1');
    assert.equal((await query('stressd_runs_total{suite="complex",result="graduated"}'))[0]?.value[1], '1');
    assert.equal((await query('stressd_test_runs_total{outcome="passed"}'))[0]?.value[1], '1');
    assert.equal((await query('stressd_build_info'))[0]?.value[1], '1');
    assert.ok((await query('process_cpu_user_seconds_total')).length === 1);
    const buckets = await query('stressd_test_duration_seconds_bucket{le="120"}');
    assert.equal(buckets[0]?.value[1], '1');
  });

  it('takes the OpenMetrics UNIT of a family into its metadata', async () => {
    interface Metadata { data: Record<string, { type: string; help: string; unit: string }[]> }
    const meta = await eventually('metadata of the duration histogram', 20_000, async () => {
      const reply = (await (await fetch(`${promUrl}/api/v1/metadata?metric=stressd_test_duration_seconds`)).json()) as Metadata;
      return reply.data.stressd_test_duration_seconds?.[0];
    });
    assert.equal(meta.type, 'histogram');
    assert.equal(meta.unit, 'seconds');
  });

  it('stores the exemplar of the duration histogram, with the test span\'s trace and span id', async () => {
    interface ExemplarReply { data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[] }
    const now = Date.now() / 1000;
    const exemplars = await eventually('an exemplar', 20_000, async () => {
      const url = `${promUrl}/api/v1/query_exemplars?query=${encodeURIComponent('stressd_test_duration_seconds_bucket')}&start=${now - 3600}&end=${now + 3600}`;
      const reply = (await (await fetch(url)).json()) as ExemplarReply;
      return reply.data.length > 0 ? reply.data : undefined;
    });
    assert.equal(exemplars.length, 1);
    assert.equal(exemplars[0]?.seriesLabels.le, '120');
    assert.deepEqual(exemplars[0]?.exemplars[0]?.labels, { trace_id: TRACE_ID, span_id: '00f067aa0ba902b7' });
    assert.equal(exemplars[0]?.exemplars[0]?.value, '95');
  });
});
