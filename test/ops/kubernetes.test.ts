/**
 * deploy/kubernetes, offline: every manifest parses, validates against the Kubernetes API schemas
 * (and the PodMonitor against the prometheus-operator CRD's), has no unknown key, and the pieces
 * fit together (selectors, names, ports, flags, security settings). See test/ops/k8s-schemas.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadSuite } from '../../src/config/load.ts';
import { repoRoot } from './ops-files.ts';
import { KINDS, strictKeyProblems, type Manifest } from './k8s-schemas.ts';

const DIR = join(repoRoot, 'deploy', 'kubernetes');
/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are walked as parsed YAML; the schema checks above type them */
type Any = any;

function loadManifests(): { manifests: Manifest[]; kustomization: Any } {
  const manifests: Manifest[] = [];
  let kustomization: Any = null;
  for (const file of readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
    docs.forEach((d, i) => {
      assert.deepEqual(d.errors.map(String), [], `${file}: YAML errors`);
      const doc = d.toJS() as Any;
      if (doc?.kind === 'Kustomization') kustomization = { file, ...doc };
      else manifests.push({ where: `${file}#${i}`, doc });
    });
  }
  return { manifests, kustomization };
}

const { manifests, kustomization } = loadManifests();
const exampleTokens = (): string[] =>
  readFileSync(join(DIR, 'tokens.env.example'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.slice(0, l.indexOf('=')));
const byKind = (kind: string): Any[] => manifests.filter((m) => m.doc.kind === kind).map((m) => m.doc);
const one = (kind: string): Any => {
  const all = byKind(kind);
  assert.equal(all.length, 1, `expected one ${kind}, found ${all.length}`);
  return all[0];
};
const deployment = one('Deployment');
const cronjob = one('CronJob');
const workloads: [string, Any][] = [['Deployment', deployment.spec.template], ['CronJob', cronjob.spec.jobTemplate.spec.template]];

describe('deploy/kubernetes manifests', () => {
  it('are each a kind whose schema is vendored, and valid against it', () => {
    for (const m of manifests) {
      const k = KINDS[`${m.doc.apiVersion}/${m.doc.kind}`];
      assert.ok(k, `${m.where}: ${m.doc.apiVersion} ${m.doc.kind} has no schema here (add it to test/ops/k8s-schemas.ts)`);
      assert.doesNotThrow(() => k.validate(m.doc), (e: unknown) => `${m.where}: ${String(e)}`);
    }
  });

  it('have no unknown or misplaced keys', () => {
    assert.deepEqual(strictKeyProblems(manifests), []);
  });

  it('strict checks catch what they are for: a misspelt key, a wrong type, a missing required field', () => {
    const bad = structuredClone(deployment);
    bad.spec.template.spec.containers[0].readinesProbe = { httpGet: { path: '/readyz', port: 'http' } };
    assert.match(strictKeyProblems([{ where: 'bad', doc: bad }]).join('\n'), /bad: .*readinesProbe/);
    const wrongType = structuredClone(deployment);
    wrongType.spec.replicas = 'one';
    assert.throws(() => KINDS['apps/v1/Deployment']?.validate(wrongType), /replicas/);
    const monitor = structuredClone(one('PodMonitor'));
    delete monitor.spec.selector;
    assert.throws(() => KINDS['monitoring.coreos.com/v1/PodMonitor']?.validate(monitor), /selector/);
  });

  it('are all listed in kustomization.yaml, and it lists nothing else', () => {
    assert.ok(kustomization, 'kustomization.yaml is missing');
    const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f) && f !== kustomization.file).sort();
    assert.deepEqual([...kustomization.resources].sort(), files);
  });
});

describe('deploy/kubernetes cross-references', () => {
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const containsLabels = (labels: Record<string, string>, selector: Record<string, string>): boolean =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);

  it('the daemon is one replica, replaced by Recreate', () => {
    assert.equal(deployment.spec.replicas, 1);
    assert.equal(deployment.spec.strategy.type, 'Recreate');
  });

  it('the Deployment, Service and PodMonitor selectors select the daemon pods (and not the CronJob\'s)', () => {
    const cronLabels = cronjob.spec.jobTemplate.spec.template.metadata.labels;
    for (const [what, selector] of [
      ['Deployment', deployment.spec.selector.matchLabels],
      ['Service', one('Service').spec.selector],
      ['PodMonitor', one('PodMonitor').spec.selector.matchLabels],
    ] as const) {
      assert.ok(containsLabels(pod.metadata.labels, selector), `${what} selector ${JSON.stringify(selector)} does not match the pod labels`);
      assert.ok(!containsLabels(cronLabels, selector), `${what} selector also matches the CronJob's pods`);
    }
  });

  it('ports agree: container, Service, probes, scrape annotations, PodMonitor and --port', () => {
    const http = container.ports.find((p: Any) => p.name === 'http');
    assert.ok(http, 'the container has no port named http');
    const service = one('Service').spec.ports[0];
    assert.ok(service.targetPort === 'http' || service.targetPort === http.containerPort);
    assert.equal(pod.metadata.annotations['prometheus.io/port'], String(http.containerPort));
    assert.equal(pod.metadata.annotations['prometheus.io/scrape'], 'true');
    assert.equal(pod.metadata.annotations['prometheus.io/path'], '/metrics');
    const endpoint = one('PodMonitor').spec.podMetricsEndpoints[0];
    assert.equal(endpoint.port, 'http');
    assert.equal(endpoint.path, '/metrics');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe]) assert.ok([http.name, http.containerPort].includes(probe.httpGet.port));
    const args: string[] = container.args;
    assert.equal(args[args.indexOf('--port') + 1], String(http.containerPort));
    assert.equal(args[args.indexOf('--host') + 1], '0.0.0.0');
  });

  it('the PodMonitor scrapes as job "stressd" with an instance that survives a restart', () => {
    const monitor = one('PodMonitor');
    // prometheus-operator's job is the value of the pod label named by jobLabel.
    assert.equal(pod.metadata.labels[monitor.spec.jobLabel], 'stressd', 'up{job="stressd"} is what StressdDown and the rules read');
    const relabel = monitor.spec.podMetricsEndpoints[0].relabelings.find((r: Any) => r.targetLabel === 'instance');
    assert.ok(relabel, 'no relabeling of instance: a pod address changes with each restart');
    for (const source of relabel.sourceLabels as string[]) {
      const label = /^__meta_kubernetes_pod_label_(.+)$/.exec(source)?.[1];
      if (label === undefined) continue;
      const present = Object.keys(pod.metadata.labels).some((k) => k.replace(/[^a-zA-Z0-9_]/g, '_') === label);
      assert.ok(present, `the instance is made from pod label ${label}, which the pods do not have`);
    }
  });

  it('every ConfigMap, Secret and PVC a workload uses exists, with the keys it uses', () => {
    const names = (kind: string): Map<string, Any> => new Map(byKind(kind).map((d) => [d.metadata.name, d]));
    const configMaps = names('ConfigMap');
    // The Secret is generated from tokens.env (not in the repository); its keys are the example's.
    const generated = (kustomization.secretGenerator ?? []).map((g: Any) => [g.name, { stringData: Object.fromEntries(exampleTokens().map((k) => [k, ''])) }]);
    const secrets = new Map<string, Any>([...names('Secret'), ...generated]);
    const claims = names('PersistentVolumeClaim');
    for (const [what, template] of workloads) {
      for (const v of template.spec.volumes) {
        if (v.configMap) assert.ok(configMaps.has(v.configMap.name), `${what} volume ${v.name}: no ConfigMap ${v.configMap.name}`);
        if (v.persistentVolumeClaim) assert.ok(claims.has(v.persistentVolumeClaim.claimName), `${what} volume ${v.name}: no PVC ${v.persistentVolumeClaim.claimName}`);
      }
      for (const c of template.spec.containers) {
        const mounted = new Set(template.spec.volumes.map((v: Any) => v.name));
        for (const m of c.volumeMounts) assert.ok(mounted.has(m.name), `${what}: mount ${m.name} has no volume`);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (!ref) continue;
          const secret = secrets.get(ref.name);
          assert.ok(secret, `${what} env ${e.name}: no Secret ${ref.name}`);
          assert.ok(ref.key in secret.stringData, `${what} env ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
        }
        // --config names a file of the suites ConfigMap where it is mounted.
        const args: string[] = c.args;
        const config = args[args.indexOf('--config') + 1] ?? '';
        const mount = c.volumeMounts.find((m: Any) => config.startsWith(`${m.mountPath}/`));
        assert.ok(mount, `${what}: --config ${config} is on no mounted volume`);
        const volume = template.spec.volumes.find((v: Any) => v.name === mount.name);
        assert.ok(volume.configMap, `${what}: --config ${config} is not on the suites ConfigMap`);
        assert.ok(config.slice(mount.mountPath.length + 1) in configMaps.get(volume.configMap.name).data, `${what}: the ConfigMap has no key for ${config}`);
        const reports = args[args.indexOf('--reports-dir') + 1];
        assert.ok(c.volumeMounts.some((m: Any) => m.mountPath === reports), `${what}: --reports-dir ${reports} is not a mounted volume (the root filesystem is read-only)`);
      }
    }
    assert.ok(deployment.spec.template.spec.containers[0].env.some((e: Any) => e.name === 'STRESSD_TOKEN' && e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional), 'a daemon beyond loopback needs STRESSD_TOKEN');
  });

  it('no Secret with placeholder values is applied: the tokens come from a file the operator writes', () => {
    assert.deepEqual(byKind('Secret'), [], 'a Secret in the manifests would be applied as it is');
    const [generator, ...more] = kustomization.secretGenerator ?? [];
    assert.equal(more.length, 0);
    assert.equal(generator?.name, 'stressd-tokens');
    assert.deepEqual(generator.envs, ['tokens.env']);
    assert.ok(!existsSync(join(DIR, 'tokens.env')), 'tokens.env must not be in the repository');
    assert.match(readFileSync(join(repoRoot, '.gitignore'), 'utf8'), /^\/deploy\/kubernetes\/tokens\.env$/m);
    // The example holds no value at all: copied unfilled, the daemon refuses to listen without a token.
    const lines = readFileSync(join(DIR, 'tokens.env.example'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    for (const line of lines) assert.match(line, /^[A-Z_]+=$/, `tokens.env.example: ${line}`);
    assert.ok(exampleTokens().includes('STRESSD_TOKEN'));
  });

  it('containers run as non-root, read-only, without capabilities, with requests and limits', () => {
    for (const [what, template] of workloads) {
      assert.equal(template.spec.securityContext.runAsNonRoot, true, what);
      assert.equal(template.spec.automountServiceAccountToken, false, what);
      for (const c of template.spec.containers) {
        assert.equal(c.securityContext.readOnlyRootFilesystem, true, what);
        assert.equal(c.securityContext.allowPrivilegeEscalation, false, what);
        assert.deepEqual(c.securityContext.capabilities.drop, ['ALL'], what);
        for (const r of ['cpu', 'memory']) {
          assert.ok(c.resources.requests[r] && c.resources.limits[r], `${what}: ${r} request and limit`);
        }
        assert.ok(c.volumeMounts.some((m: Any) => m.mountPath === '/tmp'), `${what}: a writable /tmp (the tests' temporary files)`);
      }
    }
  });

  it('the CronJob pushes, never overlaps, never retries a verdict, and leaves time to push on SIGTERM', () => {
    const args: string[] = cronjob.spec.jobTemplate.spec.template.spec.containers[0].args;
    assert.match(args[args.indexOf('--push-gateway') + 1] ?? '', /^https?:\/\//);
    assert.equal(cronjob.spec.concurrencyPolicy, 'Forbid');
    assert.equal(cronjob.spec.jobTemplate.spec.backoffLimit, 0);
    assert.ok(cronjob.spec.jobTemplate.spec.template.spec.terminationGracePeriodSeconds >= 30);
  });
});

describe('deploy/kubernetes against stressd itself', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stressd-k8s-'));
  });

  it('every suite in the ConfigMap loads with stressd\'s config loader', async (t) => {
    t.after(() => rm(dir, { recursive: true, force: true }));
    for (const cm of byKind('ConfigMap')) {
      for (const [key, text] of Object.entries(cm.data as Record<string, string>)) {
        if (!key.endsWith('.json')) continue;
        const path = join(dir, key);
        await writeFile(path, text);
        const loaded = await loadSuite(path);
        assert.ok(loaded.suite.tests.length > 0);
      }
    }
  });

  it('container args run the compiled app the image holds (no src/, no tsx), as its CMD does', () => {
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
    assert.ok(cmd, 'the Dockerfile has no exec-form CMD');
    const image = JSON.parse(cmd[1] ?? '[]') as string[];
    for (const [what, template] of workloads) {
      const args: string[] = template.spec.containers[0].args;
      assert.deepEqual(args.slice(0, 2), image.slice(0, 2), `${what}: runs what the image's CMD runs`);
      assert.ok(!args.some((a) => /tsx|src\//.test(a)), `${what}: ${args.join(' ')}`);
    }
    // The suites' commands run in the image's working directory: compiled files only.
    for (const cm of byKind('ConfigMap')) {
      for (const [key, text] of Object.entries(cm.data as Record<string, string>)) {
        if (!key.endsWith('.json')) continue;
        for (const t of (JSON.parse(text) as { tests: { command: string }[] }).tests) {
          assert.ok(!/--import tsx|\bsrc\/|\.ts\b/.test(t.command), `${cm.metadata.name}/${key}: ${t.command} needs the sources`);
          for (const m of t.command.matchAll(/\bdist\/(\S+)\.js\b/g)) {
            assert.ok(existsSync(join(repoRoot, 'src', `${m[1] ?? ''}.ts`)), `${key}: dist/${m[1] ?? ''}.js is built from no src/${m[1] ?? ''}.ts`);
          }
        }
      }
    }
  });

  it('container args are a stressd command with flags it accepts', () => {
    const help = new Map<string, string>();
    for (const [what, template] of workloads) {
      const args: string[] = template.spec.containers[0].args;
      // dist/cli.js is src/cli.ts compiled (tsconfig.build.json): ask the sources for the flags.
      assert.deepEqual(args.slice(0, 2), ['node', 'dist/cli.js'], what);
      const command = args[2] ?? '';
      if (!help.has(command)) {
        help.set(command, execFileSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', command, '--help'], { cwd: repoRoot, encoding: 'utf8' }));
      }
      const known = new Set([...(help.get(command) ?? '').matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]));
      for (const flag of args.slice(3).filter((a) => a.startsWith('--'))) {
        assert.ok(known.has(flag), `${what}: stressd ${command} has no flag ${flag}`);
      }
    }
  });
});
