/**
 * A remote executor URL may carry credentials (ws://user:password@host/…, sent as Basic auth).
 * The password must reach the executor and nothing else: not the log, reports, API or pages.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { freePort } from '../fixtures/ports.ts';

const CONFIG = 'test/fixtures/daemon/quick.json';
const SECRET = 'pa55-s3cret-word';
let reportsDir = '';
let daemon: DaemonProcess | undefined;

after(async () => {
  await daemon?.stop();
  if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
});

test('the password of a ws:// executor URL appears in no log line, report, API answer or page', async () => {
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-credentials-'));
  const url = `ws://bench:${SECRET}@127.0.0.1:${await freePort()}/ws/mcp`;
  const d = spawnDaemon(['--config', CONFIG, '--reports-dir', reportsDir, '--executor', url, '--run-on-start']);
  daemon = d;
  await d.ready;
  const finished = await waitFor(async () => {
    const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
    return body.find((r) => r.status !== 'running');
  }, 'a finished run', 60_000);

  const seen: Record<string, string> = {};
  for (const path of ['/readyz', '/', '/api/runs', `/api/runs/${finished.id}`, `/api/runs/${finished.id}/report`, `/api/runs/${finished.id}/report.html`]) {
    seen[path] = await (await fetch(`${d.url}${path}`)).text();
  }
  const suiteDir = join(reportsDir, 'daemon_quick');
  for (const name of await readdir(suiteDir)) {
    if (name.endsWith('.md') || name.endsWith('.json')) seen[name] = await readFile(join(suiteDir, name), 'utf8');
  }
  await d.stop();
  seen.log = JSON.stringify(d.logs);
  seen.stderr = d.stderr();

  // The run did reach the executor's address (it failed to connect) and says where, without the password.
  assert.match(seen[`/api/runs/${finished.id}`] ?? '', /127\.0\.0\.1/);
  const leaks = Object.entries(seen).filter(([, text]) => text.includes(SECRET)).map(([where]) => where);
  assert.deepEqual(leaks, []);
});
