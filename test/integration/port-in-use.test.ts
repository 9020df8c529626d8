/** A port already in use is bad input: exit 2 with one line, before tracing or the executor start. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function holdPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // An OTLP endpoint that would be dialled if tracing started: it must not be reached.
    env: { ...process.env, STRESSD_PORT: '', STRESSD_EXECUTOR_PORT: '', OTEL_EXPORTER_OTLP_ENDPOINT: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('`stressd daemon` on a port in use exits 2 naming the address and --port/STRESSD_PORT, having started nothing', async () => {
  const held = await holdPort();
  const dir = await mkdtemp(join(tmpdir(), 'stressd-port-'));
  try {
    const cfg = join(dir, 'suite.json');
    await writeFile(cfg, JSON.stringify({ suite: 'p', tests: [{ id: 'a', command: 'echo a' }] }));
    for (const [args, env] of [
      [['--port', String(held.port)], {}],
      [[], { STRESSD_PORT: String(held.port) }],
    ] as const) {
      const r = await cli(['daemon', '--config', cfg, '--reports-dir', join(dir, 'reports'), ...args], env);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr, `stressd: 127.0.0.1:${held.port} is already in use; choose another with --port or STRESSD_PORT\n`);
      assert.equal(r.stdout, '', 'no log line: nothing was started');
    }
  } finally {
    held.server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('`stressd executor` on a port in use exits 2 naming --port/STRESSD_EXECUTOR_PORT', async () => {
  const held = await holdPort();
  try {
    const r = await cli(['executor', '--port', String(held.port)]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `stressd: 127.0.0.1:${held.port} is already in use; choose another with --port or STRESSD_EXECUTOR_PORT\n`);
    assert.equal(r.stdout, '', 'no ready line');
  } finally {
    held.server.close();
  }
});
