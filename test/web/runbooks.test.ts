import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { renderRunbooks, runbooksRouter, slug } from '../../src/web/runbooks.ts';
import { repoRoot, ruleExpressions } from '../ops/ops-files.ts';

let server: Server;
let base = '';
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-runbooks-'));
  const app = express();
  app.use('/runbooks', runbooksRouter(join(repoRoot, 'docs/operations.md')));
  app.use('/missing', runbooksRouter(join(dir, 'nope.md')));
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

test('GET /runbooks serves docs/operations.md as HTML with an anchor for every alert', async () => {
  const res = await fetch(`${base}/runbooks`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  const alerts = [...new Set(ruleExpressions().filter((r) => r.kind === 'alert').map((r) => r.name))];
  assert.ok(alerts.length >= 10, `only ${alerts.length} alerts`);
  for (const name of alerts) assert.ok(html.includes(`id="${name.toLowerCase()}"`), `no #${name.toLowerCase()} on the page`);
  assert.match(html, /<h1 id="operating-stressd">/);
  assert.equal((await fetch(`${base}/runbooks/`)).status, 200);
});

test('a runbook file that cannot be read answers 503 naming it', async () => {
  const res = await fetch(`${base}/missing`);
  assert.equal(res.status, 503);
  assert.equal(await res.text(), `runbooks are not available: ${join(dir, 'nope.md')}: ENOENT\n`);
});

test('an edit to the file shows on the next request', async () => {
  const path = join(dir, 'ops.md');
  const app = express().use('/runbooks', runbooksRouter(path));
  const local = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => local.once('listening', resolve));
  try {
    const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/runbooks`;
    await writeFile(path, '### StressdDown\nfirst\n');
    assert.match(await (await fetch(url)).text(), /first/);
    await writeFile(path, '### StressdDown\nsecond\n');
    assert.match(await (await fetch(url)).text(), /second/);
  } finally {
    local.closeAllConnections();
    await new Promise<void>((resolve) => local.close(() => resolve()));
  }
});

test('headings get GitHub anchors, repeats numbered; raw HTML and script links are defused', () => {
  assert.equal(slug('Reading the dashboard'), 'reading-the-dashboard');
  assert.equal(slug('Bare (systemd, Debian’s Prometheus)'), 'bare-systemd-debians-prometheus');
  const html = renderRunbooks('## Checks\n## Checks\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) [y](#checks)\n');
  assert.match(html, /<h2 id="checks">/);
  assert.match(html, /<h2 id="checks-1">/);
  assert.doesNotMatch(html, /<script>/);
  assert.match(html, /<a href="#">x<\/a>/);
  assert.match(html, /<a href="#checks">y<\/a>/);
});
