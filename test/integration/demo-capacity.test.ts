/**
 * configs/demo-capacity.json run for real: `stressd run --config` (a copy with its lock files in a
 * directory of the test's own and 2 s steps instead of 5, the bottleneck unchanged: 8 slots held
 * 1 s each) finds capacity 8 in the JSON result and pushes `stressd_test_capacity_sessions` 8 to
 * a Pushgateway (a real HTTP server here that keeps what it is sent).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunResultSchema } from '../../src/result/schema.ts';
import { stressdRun } from '../fixtures/stressd-run.ts';

const KNEE = 8;
let dir = '';
let gateway: Server;
const pushed: string[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-demo-capacity-'));
  gateway = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => {
      pushed.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await new Promise<void>((resolve) => gateway.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test('configs/demo-capacity.json finds the knee of 8 slots (±10 %), in the JSON result and in stressd_test_capacity_sessions', async () => {
  const raw = await readFile(new URL('../../configs/demo-capacity.json', import.meta.url), 'utf8');
  assert.match(raw, /\/tmp\/stressd-demo-capacity\.slot/);
  const config = JSON.parse(raw.replaceAll('/tmp/stressd-demo-capacity.slot', join(dir, 'slot'))) as { tests: { load: { search: { step_s: number } } }[] };
  const search = config.tests[0]?.load.search;
  assert.ok(search);
  search.step_s = 2;
  const file = join(dir, 'demo-capacity.json');
  await writeFile(file, JSON.stringify(config));
  const { port } = gateway.address() as AddressInfo;
  const exit = await stressdRun(['--config', file, '--reports-dir', join(dir, 'reports'), '--json', '--push-gateway', `http://127.0.0.1:${port}`]);
  assert.equal(exit.code, 0, exit.stderr);
  const result = RunResultSchema.parse(JSON.parse(exit.stdout));
  const found = result.tests[0]?.load?.search;
  assert.ok(found, exit.stdout.slice(0, 2000));
  assert.ok(Math.abs(found.held - KNEE) <= KNEE * 0.1, JSON.stringify(found));
  assert.equal(found.broke, KNEE + 1, found.ended);
  assert.equal(found.bound, 'resolution');
  assert.ok(found.steps.length <= 12, String(found.steps.length));
  const line = pushed.join('\n').split('\n').find((l) => l.startsWith('stressd_test_capacity_sessions{'));
  assert.ok(line, `no capacity gauge pushed: ${pushed.join('\n').slice(0, 500)}`);
  assert.match(line, /test="capacity_8_slots"/);
  assert.equal(Number(line.split(' ').pop()), found.held);
});
