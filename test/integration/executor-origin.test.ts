/**
 * The executor's upgrade check against what a web page sends: a foreign Origin or a rebound Host
 * is refused with 403 before anything runs, logged and counted; programs (no Origin) and allowed
 * origins connect. Also the `stressd executor` command's flags and its start-up warning.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { REPO } from '../fixtures/daemon/spawn-daemon.ts';
import { TestClient } from '../fixtures/executor/ws-client.ts';

let server: ExecutorServer;
let dir = '';
const warnings: string[] = [];
const ALLOWED = 'http://127.0.0.1:43117';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-origin-'));
  const logger = { info: () => undefined, debug: () => undefined, error: () => undefined, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') };
  server = await startExecutor({ port: 0, allowOrigins: [ALLOWED], allowHosts: ['executor.internal'], logger });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** The HTTP status of an upgrade with these headers: 101 when it opened. */
function upgradeStatus(headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url, { headers, perMessageDeflate: false });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

test('a foreign Origin and a rebound Host are refused with 403 before the upgrade; both logged and counted', async () => {
  const host = `127.0.0.1:${server.port}`;
  assert.equal(await upgradeStatus({ origin: 'http://evil.example' }), 403);
  assert.equal(await upgradeStatus({ origin: 'null' }), 403);
  assert.equal(await upgradeStatus({ host: `evil.example:${server.port}` }), 403);
  assert.equal(await upgradeStatus({ host: `evil.example:${server.port}`, origin: 'http://evil.example' }), 403);
  assert.deepEqual(server.refusedUpgrades(), { origin: 2, host: 2 });
  const health = (await (await fetch(`http://${host}/health`)).json()) as { refused_upgrades: unknown };
  assert.deepEqual(health.refused_upgrades, { origin: 2, host: 2 });
  assert.ok(warnings.some((w) => w === 'upgrade refused: Origin "http://evil.example" is not in the allow-list (--allow-origin)'), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.startsWith('upgrade refused: Host "evil.example" is not this server\'s address')), warnings.join('\n'));
  assert.equal(server.sessionCount(), 0);
});

test('no Origin (a program), an allowed origin, localhost and an --allow-host name connect and run', async () => {
  assert.equal(await upgradeStatus({}), 101);
  assert.equal(await upgradeStatus({ origin: ALLOWED }), 101);
  assert.equal(await upgradeStatus({ host: `localhost:${server.port}` }), 101);
  assert.equal(await upgradeStatus({ host: `executor.internal:${server.port}` }), 101);
  const marker = join(dir, 'ran');
  const client = await TestClient.connect(server.url);
  client.request('execute', { command: `touch ${marker}`, timeout: 5 });
  await client.notification('process.completed');
  await client.close();
  await access(marker);
});

/** Runs `stressd executor …` until its ready line (or its exit) and returns what it said. */
async function executorStart(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('STRESSD_') || k.startsWith('OTEL_')) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'executor', '--port', '0', ...args], { cwd: REPO, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) resolve();
    });
    void exited.then(() => resolve());
  });
  if (child.exitCode === null) child.kill('SIGTERM');
  return { code: await exited, stdout, stderr };
}

test('`stressd executor` without a token or --allow says at start what it will run and for whom; with a token it does not', async () => {
  const open = await executorStart([]);
  const line = open.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).startsWith('no token and no --allow'));
  assert.ok(line, open.stderr);
  assert.equal(line.as_user, userInfo().username);
  assert.equal(line.runs, 'any shell command line');
  assert.match(String(line.for), /^every process on this machine that can connect to 127\.0\.0\.1:\d+ \(any local user\)$/);
  const guarded = await executorStart([], { STRESSD_EXECUTOR_TOKEN: 'tok-9', STRESSD_EXECUTOR_ALLOW_ORIGIN: 'http://127.0.0.1:9', STRESSD_EXECUTOR_ALLOW_HOST: 'executor.internal' });
  assert.match(guarded.stdout, /"msg":"listening"/);
  assert.doesNotMatch(guarded.stderr, /no token and no --allow/);
});

test('a bad --allow-origin or --allow-host is a usage error naming the flag and the value', async () => {
  const origin = await executorStart(['--allow-origin', 'evil.example']);
  assert.equal(origin.code, 2);
  assert.match(origin.stderr, /--allow-origin or STRESSD_EXECUTOR_ALLOW_ORIGIN: expected an origin such as http:\/\/127\.0\.0\.1:8080 .*found "evil\.example"/);
  const host = await executorStart([], { STRESSD_EXECUTOR_ALLOW_HOST: 'a.example:80' });
  assert.equal(host.code, 2);
  assert.match(host.stderr, /--allow-host or STRESSD_EXECUTOR_ALLOW_HOST: expected a host name without port/);
});
