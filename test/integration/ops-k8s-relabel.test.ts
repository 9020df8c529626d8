/**
 * The documented relabelling for annotation-based scraping on Kubernetes
 * (prometheus/kubernetes-pods.yml) in a real Prometheus: Debian's build has no Kubernetes service
 * discovery, so the same relabel_configs run on file-discovered targets that carry the labels
 * Kubernetes discovery gives a pod (its annotations, labels and namespace, read from
 * deploy/kubernetes/deployment.yaml). The stressd pod is scraped as job "stressd" with its stable
 * instance name, so up{job="stressd"} exists; another annotated pod keeps the scrape job's name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { repoRoot } from '../ops/ops-files.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { freePort, promQuery, startChild, waitFor, type Child } from '../fixtures/ops/processes.ts';

const prometheusBin = requireTool('prometheus');
const skip = prometheusBin === undefined ? skipReason('prometheus') : false;

interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations: Record<string, string> };
}

let dir = '';
let server: Server | null = null;
let prometheus: Child | null = null;
let prom = '';

/** Kubernetes pod discovery's labels for a pod of this template (label names sanitised as it does). */
function podLabels(template: PodTemplate, namespace: string, port: number): Record<string, string> {
  const out: Record<string, string> = { __meta_kubernetes_namespace: namespace };
  const clean = (k: string): string => k.replace(/[^a-zA-Z0-9_]/g, '_');
  for (const [k, v] of Object.entries(template.metadata.labels)) out[`__meta_kubernetes_pod_label_${clean(k)}`] = v;
  for (const [k, v] of Object.entries(template.metadata.annotations)) out[`__meta_kubernetes_pod_annotation_${clean(k)}`] = k === 'prometheus.io/port' ? String(port) : v;
  return out;
}

before(async () => {
  if (prometheusBin === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-relabel-'));
  const metrics = createMetrics({ logger: { warn: () => {} } });
  server = createServer((req, res) => {
    void metrics.metricsResponse(req.headers.accept).then((r) => res.writeHead(r.status, { 'content-type': r.contentType }).end(r.body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const deployment = parseAllDocuments(await readFile(join(repoRoot, 'deploy/kubernetes/deployment.yaml'), 'utf8'))[0]?.toJS() as { spec: { template: PodTemplate } };
  const template = deployment.spec.template;
  const other: PodTemplate = { metadata: { labels: { 'app.kubernetes.io/name': 'other' }, annotations: { 'prometheus.io/scrape': 'true' } } };
  const unannotated: PodTemplate = { metadata: { labels: { 'app.kubernetes.io/name': 'quiet' }, annotations: {} } };
  // The pod's address is its IP with a container port; the port annotation replaces it.
  const targets = [
    { targets: ['127.0.0.1:1'], labels: podLabels(template, 'perf', port) },
    { targets: [`127.0.0.1:${port}`], labels: podLabels(other, 'perf', port) },
    { targets: [`127.0.0.1:${port}`], labels: podLabels(unannotated, 'perf', port) },
  ];
  await writeFile(join(dir, 'pods.json'), JSON.stringify(targets));

  const shipped = parseYaml(await readFile(join(repoRoot, 'prometheus/kubernetes-pods.yml'), 'utf8')) as { scrape_configs: Record<string, unknown>[] };
  const job = shipped.scrape_configs.find((j) => j.job_name === 'kubernetes-pods');
  assert.ok(job && Array.isArray(job.kubernetes_sd_configs), 'prometheus/kubernetes-pods.yml has no kubernetes-pods job on pod discovery');
  const { kubernetes_sd_configs: _sd, ...rest } = job;
  const config = { global: { scrape_interval: '1s' }, scrape_configs: [{ ...rest, file_sd_configs: [{ files: [join(dir, 'pods.json')] }] }] };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const promPort = await freePort();
  prom = `http://127.0.0.1:${promPort}`;
  prometheus = startChild(prometheusBin, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { cwd: dir, env: process.env });
});

after(async () => {
  await prometheus?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

test('annotation scraping relabelled as documented gives up{job="stressd"} with a stable instance', { skip }, async () => {
  const up = await waitFor('both annotated pods to be scraped', 30_000, async () => {
    if (prometheus?.child.exitCode !== null) throw new Error(`prometheus exited: ${prometheus?.output() ?? ''}`);
    const result = await promQuery(prom, 'up');
    return result.length === 2 && result.every((r) => r.value?.[1] === '1') ? result : undefined;
  });
  const byJob = new Map(up.map((r) => [r.metric.job, r.metric.instance]));
  assert.equal(byJob.get('stressd'), 'perf/stressd', 'the daemon: job stressd, instance <namespace>/<app.kubernetes.io/instance>');
  assert.ok(byJob.has('kubernetes-pods'), 'another annotated pod keeps the scrape job');
  const build = await promQuery(prom, 'stressd_build_info{job="stressd", instance="perf/stressd"}');
  assert.equal(build.length, 1, 'the daemon\'s own series carry the same labels');
});
