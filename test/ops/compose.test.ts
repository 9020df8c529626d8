/**
 * docker-compose.yml, checked by docker-compose itself (no engine needed for `config`): it is
 * valid, publishes ports on loopback only, mounts files that exist, and gives the daemon what
 * it needs to bind beyond loopback.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { isObject, repoRoot, type JsonObject } from './ops-files.ts';

const compose = requireTool('docker-compose');
const skip = compose === undefined ? skipReason('docker-compose') : false;

function config(extraEnv: Record<string, string>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(compose ?? 'docker-compose', ['-f', 'docker-compose.yml', 'config', ...args], { cwd: repoRoot, timeout: 60_000, env: { ...process.env, ...extraEnv } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function resolved(): Promise<JsonObject> {
  const result = await config({ STRESSD_TOKEN: 'test-token' }, []);
  assert.equal(result.code, 0, result.stderr);
  const doc: unknown = parseYaml(result.stdout);
  assert.ok(isObject(doc) && isObject(doc.services), 'no services in the resolved compose file');
  return doc;
}

test('docker-compose accepts docker-compose.yml (config -q)', { skip }, async () => {
  const result = await config({}, ['-q']);
  assert.equal(result.code, 0, result.stderr);
});

test('the stack has stressd, Prometheus, Alertmanager, Grafana, a collector and Jaeger', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  assert.deepEqual(Object.keys(services).sort(), ['alertmanager', 'grafana', 'jaeger', 'otel-collector', 'prometheus', 'stressd']);
});

test('every published port is bound to 127.0.0.1', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  let published = 0;
  for (const [name, service] of Object.entries(services)) {
    const ports = isObject(service) && Array.isArray(service.ports) ? service.ports : [];
    published += ports.length;
    for (const port of ports) {
      const hostIp = isObject(port) ? port.host_ip : String(port).split(':')[0];
      assert.equal(hostIp, '127.0.0.1', `${name} publishes ${JSON.stringify(port)} beyond loopback`);
    }
  }
  assert.ok(published >= 5, `only ${published} ports are published`);
});

test('stressd gets its token from the environment, binds 0.0.0.0 and exports traces to the collector', { skip }, async () => {
  const stressd = ((await resolved()).services as JsonObject).stressd as JsonObject;
  const env = stressd.environment as JsonObject;
  assert.equal(env.STRESSD_TOKEN, 'test-token');
  assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://otel-collector:4318');
  assert.ok(Array.isArray(stressd.command) && stressd.command.join(' ').includes('--host 0.0.0.0'));
  assert.ok(isObject(stressd.healthcheck), 'stressd has no healthcheck');
});

test('Prometheus stores exemplars and loads the rules; data and reports live in named volumes', { skip }, async () => {
  const doc = await resolved();
  const services = doc.services as JsonObject;
  const prometheus = services.prometheus as JsonObject;
  assert.ok(Array.isArray(prometheus.command) && prometheus.command.includes('--enable-feature=exemplar-storage'));
  assert.ok(isObject(doc.volumes));
  for (const volume of ['stressd-reports', 'prometheus-data', 'grafana-data', 'alertmanager-data']) {
    assert.ok(volume in doc.volumes, `no named volume ${volume}`);
  }
});

test('every file or folder mounted from the repository exists', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  let binds = 0;
  for (const [name, service] of Object.entries(services)) {
    const volumes = isObject(service) && Array.isArray(service.volumes) ? service.volumes : [];
    for (const volume of volumes) {
      // docker-compose 1.29 prints `source:target:mode` for the 2.x file format, objects for 3.x.
      const source = isObject(volume) ? (volume.type === 'bind' ? String(volume.source) : '') : String(volume).split(':')[0] ?? '';
      if (!source.startsWith('/')) continue;
      binds++;
      assert.ok(source.startsWith(repoRoot.replace(/\/$/, '')), `${name} mounts ${source} from outside the repository`);
      assert.ok(existsSync(source), `${name} mounts ${source}, which does not exist`);
    }
  }
  assert.ok(binds >= 5, `only ${binds} files or folders are mounted from the repository`);
  assert.ok(existsSync(join(repoRoot, 'Dockerfile')));
});
