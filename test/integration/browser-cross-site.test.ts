/**
 * What a web page in a real headless Chromium can do to stressd on the same machine. A page of
 * another origin (its own server on another loopback port, under a foreign name the browser
 * resolves to 127.0.0.1) tries the executor's WebSocket execute, a form POST that would start a
 * run, and a rebinding read: all refused, nothing run. The same page on an allowed origin may use
 * the executor; the status page's own "Run now" works, also after signing in with a token.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { launchChromium, type Browser, type Page } from '../fixtures/web/chromium.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';

const CONFIG = 'test/fixtures/daemon/quick.json';
const FOREIGN = 'evil.example';
const TOKEN = 'browser-token-5e0b3f';
const chromium = requireTool('chromium');

let dir = '';
let pages: Server;
let pagePort = 0;
let executor: ExecutorServer;
let open: DaemonProcess & { ready: Promise<void> };
let guarded: DaemonProcess & { ready: Promise<void> };
let browser: Browser;
let page: Page;

/** Defined in whatever page is loaded: a WebSocket execute, answered "ran", "refused" or "no answer". */
const TRY_WS = `(url, command) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  const timer = setTimeout(() => resolve('no answer'), 30000);
  ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'execute', params: { command, timeout: 5 } }));
  ws.onmessage = (e) => { if (JSON.parse(e.data).method === 'process.completed') { clearTimeout(timer); ws.close(); resolve('ran'); } };
  ws.onerror = () => { clearTimeout(timer); resolve('refused'); };
})`;

/** A top-level form POST from the page, as a hostile page would make one; resolves when the answer has loaded. */
async function submitForm(action: string): Promise<void> {
  const loaded = page.nextLoad();
  await page.evaluate(`(() => { const f = document.createElement('form'); f.method = 'post'; f.action = ${JSON.stringify(action)};
    const i = document.createElement('input'); i.name = 'suite'; i.value = 'daemon_quick'; f.append(i); document.body.append(f); f.submit(); return true; })()`);
  await loaded;
}

async function click(selector: string): Promise<void> {
  const loaded = page.nextLoad();
  await page.evaluate(`(() => { document.querySelector(${JSON.stringify(selector)}).click(); return true; })()`);
  await loaded;
}

const portOf = (url: string): number => Number(new URL(url).port);

before(async () => {
  if (!chromium) return;
  dir = await mkdtemp(join(tmpdir(), 'stressd-browser-'));
  pages = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>a page</title><body><p>a page</p></body>'));
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagePort = (pages.address() as AddressInfo).port;
  executor = await startExecutor({ port: 0, allowOrigins: [`http://127.0.0.1:${pagePort}`] });
  open = spawnDaemon(['--config', CONFIG, '--reports-dir', join(dir, 'open')]);
  guarded = spawnDaemon(['--config', CONFIG, '--reports-dir', join(dir, 'guarded')], { STRESSD_TOKEN: TOKEN });
  await Promise.all([open.ready, guarded.ready]);
  browser = await launchChromium(chromium, [FOREIGN]);
  page = await browser.page();
});

// Every step runs even when one before it throws: a daemon left running keeps the test file alive.
after(async () => {
  const steps = [
    () => browser?.close(),
    () => Promise.all([open?.stop(), guarded?.stop()]),
    () => executor?.close(),
    () => new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined))),
    () => (dir ? rm(dir, { recursive: true, force: true }) : undefined),
  ];
  const failed: unknown[] = [];
  for (const step of steps) await Promise.resolve().then(step).catch((err: unknown) => failed.push(err));
  if (failed.length > 0) throw new AggregateError(failed, 'the browser test did not tear down cleanly');
});

test('a page of another origin cannot execute over the WebSocket, start a run with a form, or read through a rebound name', async (t) => {
  if (!chromium) return t.skip(skipReason('chromium'));
  const marker = join(dir, 'pwned');
  await page.goto(`http://${FOREIGN}:${pagePort}/`);
  assert.equal(await page.evaluate(`(${TRY_WS})(${JSON.stringify(executor.url)}, ${JSON.stringify(`touch ${marker}`)})`), 'refused');

  await submitForm(`${open.url}/api/runs`);
  const answer = await page.evaluate<string>('document.body.innerText');
  assert.equal((JSON.parse(answer) as { code: string }).code, 'cross_site', answer);

  // The rebinding attack: the foreign name now resolves to the daemon, so its page is same-origin with it.
  await page.goto(`http://${FOREIGN}:${portOf(open.url)}/`);
  assert.deepEqual(await page.evaluate(`Promise.all([fetch('/api/runs'), fetch('/api/runs', { method: 'POST' })].map((p) => p.then((r) => r.status)))`), [421, 421]);
  await page.goto(`http://${FOREIGN}:${executor.port}/health`);
  assert.equal(await page.evaluate(`(${TRY_WS})('ws://${FOREIGN}:${executor.port}/ws/mcp', ${JSON.stringify(`touch ${marker}`)})`), 'refused');

  await assert.rejects(access(marker), 'nothing ran');
  assert.deepEqual((await getJson<RunSummary[]>(`${open.url}/api/runs`)).body, [], 'no run started');
  assert.deepEqual(executor.refusedUpgrades(), { origin: 1, host: 1 }, 'the foreign page on its Origin, the rebound one on its Host');
  assert.ok(open.logs.some((l) => l.code === 'cross_site'), 'the refused form is logged');
  assert.ok(open.logs.some((l) => String(l.msg).startsWith(`request refused: Host "${FOREIGN}"`)), 'the rebound read is logged');
});

test('the same page on an allowed origin may execute; the status page\'s own Run now starts a run without a token', async (t) => {
  if (!chromium) return t.skip(skipReason('chromium'));
  const marker = join(dir, 'allowed');
  await page.goto(`http://127.0.0.1:${pagePort}/`);
  assert.equal(await page.evaluate(`(${TRY_WS})(${JSON.stringify(executor.url)}, ${JSON.stringify(`touch ${marker}`)})`), 'ran');
  await access(marker);

  await page.goto(`${open.url}/`);
  await click('form.run-now button');
  assert.equal(await page.url(), `${open.url}/`);
  const runs = await waitFor(async () => (await getJson<RunSummary[]>(`${open.url}/api/runs`)).body.find((r) => r.trigger === 'api'), 'the run Run now started');
  assert.equal(runs.suite, 'daemon_quick');
});

test('with a token set, Run now starts a run after signing in on the page', async (t) => {
  if (!chromium) return t.skip(skipReason('chromium'));
  await page.goto(`${guarded.url}/`);
  assert.equal(await page.evaluate('document.title'), 'stressd: sign in');
  await page.evaluate(`(() => { document.querySelector('#token').value = ${JSON.stringify(TOKEN)}; return true; })()`);
  await click('form[action="/login"] button');
  assert.match(await page.evaluate<string>('document.title'), /^stressd — daemon_quick/);
  await click('form.run-now button');
  const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
  const run = await waitFor(async () => (await getJson<RunSummary[]>(`${guarded.url}/api/runs`, auth)).body.find((r) => r.trigger === 'api'), 'the run Run now started');
  assert.equal(run.suite, 'daemon_quick');
});
