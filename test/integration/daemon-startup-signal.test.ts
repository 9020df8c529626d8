/** A stop requested while the daemon is still starting ends the start: nothing more is started, exit 0 at once. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDaemon, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';

let daemon: DaemonProcess | undefined;
let reportsDir = '';

after(async () => {
  await daemon?.stop();
  if (reportsDir) await rm(reportsDir, { recursive: true, force: true });
});

test('SIGTERM while the executor is starting: no HTTP server, the executor closed, exit 0 well before the hard timer', async () => {
  reportsDir = await mkdtemp(join(tmpdir(), 'stressd-startup-signal-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/quick.json', '--reports-dir', reportsDir]);
  daemon = d;
  // The log line just before the embedded executor is spawned (which takes a few hundred ms).
  await d.waitLog((l) => l.msg === 'history loaded', 'history loaded');
  const t0 = Date.now();
  d.child.kill('SIGTERM');
  const { code } = await d.exited;
  const msgs = d.logs.map((l) => String(l.msg));
  assert.equal(code, 0, msgs.join(' | '));
  assert.ok(Date.now() - t0 < 8_000, `took ${Date.now() - t0} ms`);
  assert.ok(!msgs.includes('listening'), msgs.join(' | '));
  assert.ok(!msgs.some((m) => m.startsWith('shutdown took too long')), msgs.join(' | '));
});
