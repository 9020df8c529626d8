/** Guarded reads and HTTP hygiene (DESIGN §5) over a real socket. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { History } from '../../src/store/history.ts';
import { createApp, listen, type HttpServer } from '../../src/web/http.ts';
import { tokenEquals } from '../../src/web/guard.ts';
import { renderStatusPage } from '../../src/web/page.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';
import { formSession } from '../fixtures/web/form-session.ts';
import { runResult } from '../fixtures/daemon/results.ts';

const RUN = runResult({ id: '20261124T090000Z-0abc', started_at: '2026-11-24T09:00:00.000Z' });
const TOKEN = 'web-token-9d2f';
const METRICS_TOKEN = 'scrape-token-41aa';

async function withServer(opts: { token?: string; metricsToken?: string }, fn: (url: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-guard-'));
  await mkdir(join(dir, 'demo'));
  await writeFile(join(dir, 'demo', `${RUN.id}.json`), JSON.stringify(RUN));
  const history = new History({ reportsDir: dir });
  await history.load();
  const app = createApp({
    metricsResponse: async () => ({ status: 200, contentType: 'text/plain; version=0.0.4', body: 'stressd_up 1\n' }),
    readiness: () => ({ ready: true, detail: {} }),
    history,
    runs: { current: () => null, active: () => [], suites: () => ['demo'], trigger: () => ({ started: true, id: 'new-run' }) } as never,
    renderMarkdown: (r) => `# Run ${r.id}\n`,
    statusPage: (csrf) =>
      renderStatusPage({ csrf,
        suite: { name: 'demo', description: null, tests: 1 }, schedule: null, nextRun: null, now: new Date(),
        executor: { url: 'ws://127.0.0.1:1/ws/mcp', pid: null, restarts: 0 }, current: null, runs: history.runs(), version: 'test',
      }),
    ...opts,
    log: memoryLogger().log,
  });
  let server: HttpServer | null = null;
  try {
    server = await listen(app, '127.0.0.1', 0);
    await fn(server.url);
  } finally {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const GUARDED = ['/', '/api/runs', `/api/runs/${RUN.id}`, `/api/runs/${RUN.id}/report`, `/api/runs/${RUN.id}/report.html`];

test('with a token, every route that shows runs or output needs it; the probes stay open', async () => {
  await withServer({ token: TOKEN }, async (url) => {
    for (const path of GUARDED) {
      const bare = await fetch(`${url}${path}`, { headers: { accept: 'application/json' } });
      assert.equal(bare.status, 401, path);
      assert.deepEqual(await bare.json(), { code: 'unauthorized', message: `GET ${path} needs Authorization: Bearer <token>` });
      assert.equal((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401, path);
      assert.equal((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, path);
    }
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST' })).status, 401);
    for (const path of ['/metrics', '/healthz', '/readyz']) assert.equal((await fetch(`${url}${path}`)).status, 200, path);
  });
});

test('without a token nothing is guarded (loopback only: the daemon refuses to listen beyond it)', async () => {
  await withServer({}, async (url) => {
    for (const path of GUARDED) assert.equal((await fetch(`${url}${path}`)).status, 200, path);
  });
});

test('the status page offers a login form; the right token sets an HttpOnly SameSite=Strict cookie that opens the pages', async () => {
  await withServer({ token: TOKEN }, async (url) => {
    const page = await formSession(url);
    assert.equal(page.status, 401);
    assert.match(page.html, /<form method="post" action="\/login">/);
    const wrong = await fetch(`${url}/login`, { method: 'POST', headers: { cookie: page.cookie }, body: new URLSearchParams({ token: 'nope', _csrf: page.csrf }), redirect: 'manual' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const noCsrf = await fetch(`${url}/login`, { method: 'POST', headers: { cookie: page.cookie }, body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    assert.equal(noCsrf.status, 403);
    assert.equal(noCsrf.headers.get('set-cookie'), null);
    const right = await fetch(`${url}/login`, { method: 'POST', headers: { cookie: page.cookie }, body: new URLSearchParams({ token: TOKEN, _csrf: page.csrf }), redirect: 'manual' });
    assert.equal(right.status, 303);
    const setCookie = right.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.ok(!setCookie.includes(TOKEN), 'the cookie holds a digest, not the token');
    const cookie = setCookie.split(';')[0] as string;
    const opened = await fetch(`${url}/`, { headers: { cookie } });
    assert.equal(opened.status, 200);
    assert.match(await opened.text(), /demo/);
    assert.equal((await fetch(`${url}/api/runs/${RUN.id}/report`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${url}/`, { headers: { cookie: `${cookie}x` } })).status, 401);
  });
});

test('STRESSD_METRICS_TOKEN guards /metrics, /healthz and /readyz with its own token', async () => {
  await withServer({ token: TOKEN, metricsToken: METRICS_TOKEN }, async (url) => {
    for (const path of ['/metrics', '/healthz', '/readyz']) {
      assert.equal((await fetch(`${url}${path}`)).status, 401, path);
      assert.equal((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 401, path);
      assert.equal((await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200, path);
    }
  });
});

test('every answer carries the security headers; the CSP allows no script and exactly the page\'s own style', async () => {
  await withServer({}, async (url) => {
    for (const path of ['/', `/api/runs/${RUN.id}/report.html`, '/api/runs', '/nope']) {
      const res = await fetch(`${url}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|script-src/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      const body = await res.text();
      assert.doesNotMatch(body, /<script|style="/, path);
      for (const m of body.matchAll(/<style>([\s\S]*?)<\/style>/g)) {
        const hash = createHash('sha256').update(m[1] as string).digest('base64');
        assert.ok(csp.includes(`'sha256-${hash}'`), `${path}: its <style> is hashed in the CSP`);
      }
    }
  });
});

test('a body over 64 KiB gets 413 JSON at once, without the rest being read', async () => {
  await withServer({}, async (url) => {
    const big = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(64 * 1024 + 1) });
    assert.equal(big.status, 413);
    assert.deepEqual(await big.json(), { code: 'payload_too_large', message: 'request bodies are limited to 65536 bytes (64 KiB)' });
    const small = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"suite":"demo"}' });
    assert.equal(small.status, 202);
    const bad = await fetch(`${url}/api/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'bad_json');
    // 300 MB announced, then sent slowly chunk by chunk: the answer comes before 1 MB has gone.
    for (const headers of ['Content-Length: 314572800', 'Transfer-Encoding: chunked']) {
      const { port } = new URL(url);
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      let sent = 0;
      const answered = new Promise<void>((resolve) => {
        socket.on('data', (d) => {
          answer += d.toString();
          if (answer.includes('\r\n\r\n')) resolve();
        });
        socket.on('close', () => resolve());
      });
      socket.on('error', () => undefined);
      socket.write(`POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${headers}\r\n\r\n`);
      const chunk = 'x'.repeat(16 * 1024);
      const chunked = headers.startsWith('Transfer');
      const pump = setInterval(() => {
        if (socket.destroyed || sent > 1024 * 1024) return;
        socket.write(chunked ? `${chunk.length.toString(16)}\r\n${chunk}\r\n` : chunk);
        sent += chunk.length;
      }, 5);
      await answered;
      clearInterval(pump);
      socket.destroy();
      assert.match(answer, /^HTTP\/1\.1 413/, headers);
      assert.ok(sent < 1024 * 1024, `${headers}: answered after ${sent} bytes`);
    }
  });
});

test('token comparison: equal only for the same text, whatever the lengths', () => {
  assert.equal(tokenEquals(TOKEN, TOKEN), true);
  assert.equal(tokenEquals(`${TOKEN}x`, TOKEN), false);
  assert.equal(tokenEquals('', TOKEN), false);
  assert.equal(tokenEquals('a'.repeat(10_000), TOKEN), false);
});
