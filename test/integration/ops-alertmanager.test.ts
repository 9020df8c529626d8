/**
 * prometheus/alertmanager.yml in a real Alertmanager (Debian's prometheus-alertmanager 0.25):
 * StressdDown of one daemon inhibits only that daemon's alerts, a failing test inhibits only its
 * own duration alert, and the webhook receiver delivers to a real HTTP server. The config is the
 * project's own, with only the webhook URL pointed at the test's server and the group timers
 * shortened from 30 s / 5 min to 1 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../ops/ops-files.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { freePort, startChild, waitFor, type Child } from '../fixtures/ops/processes.ts';

const alertmanagerBin = requireTool('prometheus-alertmanager');
const skip = alertmanagerBin === undefined ? skipReason('prometheus-alertmanager') : false;

interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
}
interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

let dir = '';
let am: Child | null = null;
let base = '';
let webhook: Server | null = null;
const delivered: { path: string; alerts: WebhookAlert[] }[] = [];

async function startWebhook(): Promise<string> {
  webhook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { alerts: WebhookAlert[] };
      delivered.push({ path: req.url ?? '', alerts: parsed.alerts });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => webhook?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(webhook.address() as AddressInfo).port}`;
}

async function writeConfig(webhookUrl: string): Promise<string> {
  const text = await readFile(join(repoRoot, 'prometheus/alertmanager.yml'), 'utf8');
  const url = /url: (http:\/\/alert-webhook:8080)(\/\S*)/.exec(text);
  assert.ok(url, 'alertmanager.yml: no webhook url http://alert-webhook:8080/… to point at the test server');
  const patched = text
    .replace(url[1] ?? '', webhookUrl)
    .replace(/group_wait: \S+/, 'group_wait: 1s')
    .replace(/group_interval: \S+/, 'group_interval: 1s');
  const path = join(dir, 'alertmanager.yml');
  await writeFile(path, patched);
  return path;
}

const alert = (labels: Record<string, string>) => ({ labels: { severity: 'warning', job: 'stressd', ...labels }, annotations: { summary: labels.alertname ?? '' } });
const SENT = [
  alert({ alertname: 'StressdDown', instance: 'a:9464', severity: 'critical' }),
  alert({ alertname: 'StressdTestFailingRepeatedly', instance: 'a:9464', suite: 'demo', test: 't1' }),
  alert({ alertname: 'StressdTestFailingRepeatedly', instance: 'b:9464', suite: 'demo', test: 't1' }),
  alert({ alertname: 'StressdTestRegressed', instance: 'b:9464', suite: 'demo', test: 't1' }),
  alert({ alertname: 'StressdTestRegressed', instance: 'b:9464', suite: 'demo', test: 't2' }),
  // c is restarting: its restart alert mutes its other alerts at once and is itself sent nowhere.
  alert({ alertname: 'StressdRestarting', instance: 'c:9464', severity: 'info' }),
  alert({ alertname: 'StressdTestFailingRepeatedly', instance: 'c:9464', suite: 'demo', test: 't1' }),
];

before(async () => {
  if (alertmanagerBin === undefined) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-am-'));
  const config = await writeConfig(await startWebhook());
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // An empty cluster address turns gossip off: no listener beyond the one loopback port.
  am = startChild(alertmanagerBin, [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], { cwd: dir, env: process.env });
  await waitFor('Alertmanager to be ready', 30_000, async () => {
    if (am?.child.exitCode !== null) throw new Error(`alertmanager exited: ${am?.output() ?? ''}`);
    return (await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined;
  });
  const res = await fetch(`${base}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SENT) });
  assert.equal(res.status, 200, await res.text());
});

after(async () => {
  await am?.stop();
  await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const key = (labels: Record<string, string>): string => `${labels.alertname ?? ''}@${labels.instance ?? ''}/${labels.test ?? ''}`;

test('StressdDown of one instance inhibits only its own alerts; a failing test only its own regression alert; a restart mutes its instance at once', { skip }, async () => {
  // The inhibitor learns of its sources asynchronously: wait until the expected marks are there.
  const states = await waitFor('the inhibitions to settle', 20_000, async () => {
    const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as ApiAlert[];
    const byKey = new Map(alerts.map((a) => [key(a.labels), a.status]));
    return byKey.size === SENT.length && byKey.get('StressdTestFailingRepeatedly@a:9464/t1')?.state === 'suppressed' && byKey.get('StressdTestRegressed@b:9464/t1')?.state === 'suppressed'
      && byKey.get('StressdTestFailingRepeatedly@c:9464/t1')?.state === 'suppressed' ? byKey : undefined;
  });
  const expected: Record<string, string> = {
    'StressdDown@a:9464/': 'active',
    'StressdTestFailingRepeatedly@a:9464/t1': 'suppressed',
    'StressdTestFailingRepeatedly@b:9464/t1': 'active',
    'StressdTestRegressed@b:9464/t1': 'suppressed',
    'StressdTestRegressed@b:9464/t2': 'active',
    'StressdRestarting@c:9464/': 'active',
    'StressdTestFailingRepeatedly@c:9464/t1': 'suppressed',
  };
  for (const [name, state] of Object.entries(expected)) {
    const status = states.get(name);
    assert.equal(status?.state, state, `${name}: ${JSON.stringify(status)}`);
    assert.equal(status.inhibitedBy.length > 0, state === 'suppressed', `${name}: inhibitedBy ${JSON.stringify(status.inhibitedBy)}`);
  }
});

test('the webhook receiver delivers the active alerts, and none of the inhibited ones', { skip }, async () => {
  const want = ['StressdDown@a:9464/', 'StressdTestFailingRepeatedly@b:9464/t1', 'StressdTestRegressed@b:9464/t2'];
  const got = await waitFor('the webhook to receive every active alert', 30_000, async () => {
    const keys = new Set(delivered.flatMap((d) => d.alerts.map((a) => key(a.labels))));
    return want.every((k) => keys.has(k)) ? keys : undefined;
  });
  assert.ok(!got.has('StressdTestFailingRepeatedly@a:9464/t1'), 'an inhibited alert was delivered');
  assert.ok(!got.has('StressdTestRegressed@b:9464/t1'), 'an inhibited alert was delivered');
  assert.ok(!got.has('StressdTestFailingRepeatedly@c:9464/t1'), 'an alert inhibited by a restart was delivered');
  assert.ok(!got.has('StressdRestarting@c:9464/'), 'the restart alert is an inhibition source, not a notification');
  assert.ok(delivered.every((d) => d.path === '/alerts'), `webhook path: ${delivered.map((d) => d.path).join(', ')}`);
  assert.ok(delivered.every((d) => d.alerts.every((a) => a.status === 'firing')));
});
