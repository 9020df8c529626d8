/**
 * docker-compose.yml, checked by docker-compose itself (no engine needed for `config`): it is
 * valid, publishes ports on loopback only, mounts files that exist, and gives the daemon what
 * it needs to bind beyond loopback.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { isObject, repoRoot, type JsonObject } from './ops-files.ts';

const compose = requireTool('docker-compose');
const skip = compose === undefined ? skipReason('docker-compose') : false;

/** docker-compose with the caller's environment plus `extraEnv`; `undefined` unsets a variable. */
function config(extraEnv: Record<string, string | undefined>, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [key, value] of Object.entries(extraEnv)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
    execFile(compose ?? 'docker-compose', ['-f', 'docker-compose.yml', 'config', ...args], { cwd: repoRoot, timeout: 60_000, env }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** What compose refuses to start without. */
const SECRETS = { STRESSD_TOKEN: 'test-token', GRAFANA_ADMIN_PASSWORD: 'test-password' };

async function resolved(): Promise<JsonObject> {
  const result = await config(SECRETS, []);
  assert.equal(result.code, 0, result.stderr);
  const doc: unknown = parseYaml(result.stdout);
  assert.ok(isObject(doc) && isObject(doc.services), 'no services in the resolved compose file');
  return doc;
}

test('docker-compose accepts docker-compose.yml (config -q) when STRESSD_TOKEN and GRAFANA_ADMIN_PASSWORD are set', { skip }, async () => {
  const result = await config(SECRETS, ['-q']);
  assert.equal(result.code, 0, result.stderr);
});

test('docker-compose refuses to start the stack without STRESSD_TOKEN, and says so', { skip }, async () => {
  for (const token of [undefined, '']) {
    const result = await config({ ...SECRETS, STRESSD_TOKEN: token }, ['-q']);
    assert.notEqual(result.code, 0, `config passed with STRESSD_TOKEN=${JSON.stringify(token)}`);
    assert.match(result.stderr, /set STRESSD_TOKEN/);
  }
});

test('Grafana has no default admin password and no anonymous access unless asked for', { skip }, async () => {
  for (const password of [undefined, '']) {
    const result = await config({ ...SECRETS, GRAFANA_ADMIN_PASSWORD: password }, ['-q']);
    assert.notEqual(result.code, 0, `config passed with GRAFANA_ADMIN_PASSWORD=${JSON.stringify(password)}`);
    assert.match(result.stderr, /set GRAFANA_ADMIN_PASSWORD/);
  }
  const grafana = ((await resolved()).services as JsonObject).grafana as JsonObject;
  const env = grafana.environment as JsonObject;
  assert.equal(env.GF_SECURITY_ADMIN_PASSWORD, 'test-password');
  assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
  assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Viewer', 'if anonymous access is turned on, it must not be more than a viewer');
});

test('every service runs with an init and a memory limit, on a pinned image version', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  for (const [name, service] of Object.entries(services)) {
    assert.ok(isObject(service));
    assert.equal(service.init, true, `${name}: no init (PID 1 would not reap orphans)`);
    assert.match(String(service.mem_limit ?? ''), /^\d+[mg]$/, `${name}: no memory limit`);
    if (name !== 'stressd') assert.match(String(service.image), /:v?\d+\.\d+\.\d+$|^node:\d+-/, `${name}: image ${String(service.image)} is not pinned`);
  }
});

test('the daemon runs the compiled app, and sets no OTEL_SERVICE_NAME its executor would inherit', { skip }, async () => {
  const stressd = ((await resolved()).services as JsonObject).stressd as JsonObject;
  assert.ok(Array.isArray(stressd.command) && stressd.command.slice(0, 2).join(' ') === 'node dist/cli.js', JSON.stringify(stressd.command));
  assert.equal((stressd.environment as JsonObject).OTEL_SERVICE_NAME, undefined, 'the embedded executor would report as the daemon');
});

test('Alertmanager delivers to a webhook receiver the stack runs', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  const config = readFileSync(join(repoRoot, 'prometheus/alertmanager.yml'), 'utf8');
  const url = /url: http:\/\/([\w-]+):(\d+)\//.exec(config);
  assert.ok(url, 'alertmanager.yml has no webhook url');
  const receiver = services[url[1] ?? ''];
  assert.ok(isObject(receiver), `no service ${String(url[1])} for the webhook`);
  assert.ok(String((receiver.command as string[]).join(' ')).includes(`listen(${String(url[2])})`));
});

test('every long-running service has a health check, except the scratch-based collector', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  for (const [name, service] of Object.entries(services)) {
    if (name === 'otel-collector') continue;
    const healthcheck = isObject(service) ? service.healthcheck : undefined;
    assert.ok(isObject(healthcheck) && Array.isArray(healthcheck.test), `${name} has no healthcheck`);
  }
});

test('Grafana starts once Prometheus and Jaeger are healthy', { skip }, async () => {
  const grafana = ((await resolved()).services as JsonObject).grafana as JsonObject;
  const dependsOn = grafana.depends_on as JsonObject;
  for (const name of ['prometheus', 'jaeger']) {
    assert.deepEqual(dependsOn[name], { condition: 'service_healthy' }, `grafana does not wait for ${name}`);
  }
});

test('the stack has stressd, Prometheus, Alertmanager and its webhook receiver, Grafana, a collector and Jaeger', { skip }, async () => {
  const services = (await resolved()).services as JsonObject;
  assert.deepEqual(Object.keys(services).sort(), ['alert-webhook', 'alertmanager', 'grafana', 'jaeger', 'otel-collector', 'prometheus', 'stressd']);
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

/** The host path behind a container path, through the service's bind mounts (longest match). */
function hostPath(service: JsonObject, containerPath: string): string | undefined {
  const volumes = Array.isArray(service.volumes) ? service.volumes : [];
  let best: { target: string; source: string } | undefined;
  for (const volume of volumes) {
    const [source = '', target = ''] = isObject(volume) ? [String(volume.source), String(volume.target)] : String(volume).split(':');
    if (!source.startsWith('/')) continue;
    if ((containerPath === target || containerPath.startsWith(`${target}/`)) && target.length > (best?.target.length ?? -1)) best = { target, source };
  }
  return best === undefined ? undefined : best.source + containerPath.slice(best.target.length);
}

test('Grafana finds its datasources, the dashboard provider and the home dashboard in the repository on first start', { skip }, async () => {
  const grafana = ((await resolved()).services as JsonObject).grafana as JsonObject;
  const provisioning = hostPath(grafana, '/etc/grafana/provisioning');
  assert.ok(provisioning !== undefined && existsSync(join(provisioning, 'datasources/stressd.yml')), 'datasources are not provisioned');
  const providerFile = join(provisioning, 'dashboards/stressd.yml');
  const provider = parseYaml(readFileSync(providerFile, 'utf8')) as { providers: { options: { path: string } }[] };
  for (const { options } of provider.providers) {
    const dashboards = hostPath(grafana, options.path);
    assert.ok(dashboards !== undefined && existsSync(join(dashboards, 'stressd-overview.json')), `the provider reads ${options.path}, which holds no dashboard`);
  }
  const home = String((grafana.environment as JsonObject).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
  const homeOnHost = hostPath(grafana, home);
  assert.ok(homeOnHost !== undefined && existsSync(homeOnHost), `the home dashboard ${home} is not mounted`);
});
