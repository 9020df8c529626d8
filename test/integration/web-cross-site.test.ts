/** The daemon's Host check, cross-site refusal and CSRF token, over a real socket with the headers a browser would send. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { History } from '../../src/store/history.ts';
import type { TriggerOutcome } from '../../src/result/types.ts';
import { createApp, listen, type HttpServer } from '../../src/web/http.ts';
import { runNowForm } from '../../src/web/suites-section.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';
import { formSession, mergeCookies } from '../fixtures/web/form-session.ts';

const TOKEN = 'cross-site-token-7c1e';

interface Served {
  url: string;
  port: number;
  triggered: () => number;
  logs: ReturnType<typeof memoryLogger>;
}

async function withServer(opts: { token?: string; allowHosts?: string[]; allowOrigins?: string[] }, fn: (s: Served) => Promise<void>): Promise<void> {
  let triggered = 0;
  const logs = memoryLogger();
  const app = createApp({
    metricsResponse: async () => ({ status: 200, contentType: 'text/plain', body: 'stressd_up 1\n' }),
    readiness: () => ({ ready: true, detail: {} }),
    history: new History({ reportsDir: '/nonexistent-stressd-reports' }),
    runs: { current: () => null, active: () => [], suites: () => ['demo'], trigger: (): TriggerOutcome => (triggered++, { started: true, id: 'x' }) },
    renderMarkdown: () => '',
    statusPage: (csrf) => `<!doctype html><title>t</title>${runNowForm(csrf, null, false)}`,
    ...opts,
    log: logs.log,
  });
  let server: HttpServer | null = null;
  try {
    server = await listen(app, '127.0.0.1', 0);
    await fn({ url: server.url, port: Number(new URL(server.url).port), triggered: () => triggered, logs });
  } finally {
    await server?.close();
  }
}

/** A request with exactly these headers (fetch will not send a Host of one's choosing). */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a Host that is not the listening address, localhost or an allowed name gets 421 on every route', async () => {
  await withServer({ allowHosts: ['stressd.internal'] }, async ({ port, logs }) => {
    for (const path of ['/', '/api/runs', '/api/runs/20261124T090000Z-0abc', '/metrics', '/healthz', '/login', '/nope']) {
      const evil = await raw(port, 'GET', path, { host: `evil.example:${port}` });
      assert.equal(evil.status, 421, path);
      assert.equal((JSON.parse(evil.body) as { code: string }).code, 'misdirected_request', path);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `stressd.internal:${port}`, 'STRESSD.internal']) {
      assert.equal((await raw(port, 'GET', '/healthz', { host })).status, 200, host);
    }
    assert.equal((await raw(port, 'GET', '/healthz', { host: '10.1.2.3' })).status, 421, 'an IP literal that is not the listening address');
    assert.ok(logs.lines.some((l) => String(l.msg).startsWith('request refused: Host "evil.example"')));
  });
});

test('a state change from another site is refused (Origin, Sec-Fetch-Site), and nothing is triggered', async () => {
  await withServer({}, async ({ port, triggered }) => {
    const host = `127.0.0.1:${port}`;
    const form = { host, 'content-type': 'application/x-www-form-urlencoded' };
    for (const headers of [{ ...form, origin: 'http://evil.example' }, { ...form, origin: 'null' }, { ...form, 'sec-fetch-site': 'cross-site' }, { ...form, 'sec-fetch-site': 'same-site' }]) {
      const res = await raw(port, 'POST', '/api/runs', headers, '');
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((JSON.parse(res.body) as { code: string }).code, 'cross_site');
    }
    // A no-cors fetch with a text/plain body reads like JSON to a careless server: still another site.
    assert.equal((await raw(port, 'POST', '/api/runs', { host, origin: 'http://127.0.0.1:1', 'content-type': 'text/plain' }, '{"suite":"demo"}')).status, 403);
    assert.equal(triggered(), 0);
  });
});

test('the status page form works with its CSRF token and not without it; a program without a browser\'s headers needs none', async () => {
  await withServer({}, async ({ url, port, triggered }) => {
    const page = await formSession(url);
    const host = `127.0.0.1:${port}`;
    const post = (body: Record<string, string>, extra: Record<string, string> = {}): Promise<{ status: number }> =>
      raw(port, 'POST', '/api/runs', { host, origin: url, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...extra }, new URLSearchParams(body).toString());
    assert.equal((await post({}, { cookie: page.cookie })).status, 403, 'no token');
    assert.equal((await post({ _csrf: `${page.csrf}x` }, { cookie: page.cookie })).status, 403, 'a wrong token');
    assert.equal((await post({ _csrf: page.csrf })).status, 403, 'the token without the cookie it is bound to');
    const other = await formSession(url);
    assert.equal((await post({ _csrf: other.csrf }, { cookie: page.cookie })).status, 403, 'another browser\'s token');
    assert.equal(triggered(), 0);
    assert.equal((await post({ _csrf: page.csrf }, { cookie: page.cookie })).status, 303);
    // Under the page's Referrer-Policy no-referrer the browser sends Origin: null; Sec-Fetch-Site says same-origin.
    assert.equal((await post({ _csrf: page.csrf }, { cookie: page.cookie, origin: 'null' })).status, 303);
    assert.equal((await post({ _csrf: page.csrf, suite: 'demo' }, { cookie: page.cookie })).status, 303, 'a per-suite form names its suite');
    assert.equal((await post({ _csrf: page.csrf, suite: 'nope' }, { cookie: page.cookie })).status, 404);
    assert.equal((await raw(port, 'POST', '/api/runs', { host })).status, 202, 'curl on loopback, no token set');
    assert.equal(triggered(), 4);
  });
});

test('with a token: Run now works through the signed-in session; a Bearer JSON call needs no CSRF token', async () => {
  await withServer({ token: TOKEN }, async ({ url, port, triggered }) => {
    const login = await formSession(url);
    const signedIn = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { cookie: login.cookie }, body: new URLSearchParams({ token: TOKEN, _csrf: login.csrf }) });
    assert.equal(signedIn.status, 303);
    const page = await formSession(url, '/', mergeCookies(login.cookie, signedIn));
    assert.equal(page.status, 200);
    assert.notEqual(page.csrf, login.csrf, 'the signed-in session has its own token');
    const host = `127.0.0.1:${port}`;
    const form = { host, origin: url, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
    assert.equal((await raw(port, 'POST', '/api/runs', { ...form, cookie: page.cookie }, new URLSearchParams({ _csrf: login.csrf }).toString())).status, 403, 'the pre-sign-in token');
    assert.equal((await raw(port, 'POST', '/api/runs', { ...form, cookie: page.cookie }, new URLSearchParams({ _csrf: page.csrf }).toString())).status, 303);
    assert.equal((await raw(port, 'POST', '/api/runs', { host, authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', origin: 'http://evil.example' }, '{}')).status, 202);
    assert.equal((await raw(port, 'POST', '/api/runs', { host, 'content-type': 'application/json' }, '{}')).status, 401);
    assert.equal(triggered(), 2);
  });
});
