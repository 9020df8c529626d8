/** The HTTP app over a real socket, with a hand-driven runner behind it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSuite } from '../../src/config/load.ts';
import { RunCoordinator } from '../../src/daemon/coordinator.ts';
import { History } from '../../src/store/history.ts';
import { SuiteSet } from '../../src/daemon/suites.ts';
import { historySink } from '../../src/store/history-sink.ts';
import { createApp, listen, type HttpServer, type Readiness } from '../../src/web/http.ts';
import { fakeRunner } from '../fixtures/daemon/fake-runner.ts';
import { memoryLogger } from '../fixtures/daemon/log.ts';
import { runResult } from '../fixtures/daemon/results.ts';

const { suite } = parseSuite({ suite: 'demo', tests: [{ id: 'a', name: 'A', command: 'echo a' }] }, 'demo.json');
const OLD = runResult({ id: '20261124T090000Z-0abc', started_at: '2026-11-24T09:00:00.000Z' });

async function withServer(
  options: { token?: string; readiness?: () => Readiness; metricsFail?: 'throws' | 'collector' },
  fn: (ctx: { url: string; fake: ReturnType<typeof fakeRunner>; dir: string }) => Promise<void>,
): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-http-'));
  await mkdir(join(dir, 'demo'));
  await writeFile(join(dir, 'demo', `${OLD.id}.json`), JSON.stringify(OLD));
  await writeFile(join(dir, 'demo', `${OLD.id}.md`), '# Report\n\n<script>alert(1)</script>\n');
  const { log } = memoryLogger();
  const history = new History({ reportsDir: dir });
  await history.load();
  const fake = fakeRunner();
  const coordinator = new RunCoordinator({
    suite, startRun: fake.startRun, reportsDir: dir, log, sinks: [historySink(history)],
    executor: () => ({ url: 'ws://127.0.0.1:1/ws/mcp', localPid: null }),
  });
  const runs = new SuiteSet({ coordinators: new Map([[suite.suite, coordinator]]), maxConcurrentRuns: 1, log });
  const app = createApp({
    metricsResponse: async (accept) => {
      if (options.metricsFail === 'throws') throw new Error('registry exploded at /secret/path.ts:12');
      if (options.metricsFail === 'collector') return { status: 500, contentType: 'text/plain; charset=utf-8', body: '# stressd: collecting metrics failed: boom\n' };
      return { status: 200, contentType: 'text/plain; version=0.0.4', body: `# accept ${accept ?? ''}\nstressd_up 1\n` };
    },
    readiness: options.readiness ?? (() => ({ ready: true, detail: {} })),
    history, runs,
    renderMarkdown: (r) => `# Run ${r.id} (rendered)\n`,
    statusPage: () => '<!doctype html><title>ok</title>',
    ...(options.token ? { token: options.token } : {}),
    log,
  });
  let server: HttpServer | null = null;
  try {
    server = await listen(app, '127.0.0.1', 0);
    await fn({ url: server.url, fake, dir });
  } finally {
    for (const r of fake.runs) r.finish();
    await runs.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

test('listens on an ephemeral loopback port and answers /healthz', async () => {
  await withServer({}, async ({ url }) => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
  });
});

test('/readyz is 503 with the reason when not ready', async () => {
  await withServer({ readiness: () => ({ ready: false, why: 'scheduler not armed' }) }, async ({ url }) => {
    const res = await fetch(`${url}/readyz`);
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not ready', why: 'scheduler not armed' });
  });
});

test('/metrics passes the Accept header through and answers with its content type', async () => {
  await withServer({}, async ({ url }) => {
    const res = await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await res.text(), /# accept application\/openmetrics-text/);
  });
});

test('/metrics answers 500 with the reason when a collector failed, so the scrape fails instead of looking healthy', async () => {
  await withServer({ metricsFail: 'collector' }, async ({ url }) => {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await res.text(), '# stressd: collecting metrics failed: boom\n');
  });
});

test('POST /api/runs starts a run (202), a second one is refused with 409, and the list shows it running first', async () => {
  await withServer({}, async ({ url, fake }) => {
    const first = await fetch(`${url}/api/runs`, { method: 'POST' });
    assert.equal(first.status, 202);
    const body = (await first.json()) as { id: string; status: string };
    assert.deepEqual(body, { id: fake.runs[0]?.handle.id, suite: 'demo', status: 'running' });
    const second = await fetch(`${url}/api/runs`, { method: 'POST' });
    assert.equal(second.status, 409);
    assert.deepEqual(await second.json(), { error: 'a run of this suite is in progress', id: body.id, suite: 'demo' });
    const list = (await (await fetch(`${url}/api/runs`)).json()) as { id: string; status: string }[];
    assert.deepEqual(list.map((r) => [r.id, r.status]), [[body.id, 'running'], [OLD.id, 'finished']]);
    const one = (await (await fetch(`${url}/api/runs/${body.id}`)).json()) as { status: string };
    assert.equal(one.status, 'running');
  });
});

test('with a token, POST /api/runs needs the right bearer: 401 without or wrong, 202 with it', async () => {
  await withServer({ token: 's3cret' }, async ({ url }) => {
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST' })).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST', headers: { authorization: 'Bearer s3cre' } })).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST', headers: { authorization: 'Basic s3cret' } })).status, 401);
    assert.equal((await fetch(`${url}/api/runs`, { method: 'POST', headers: { authorization: 'Bearer s3cret' } })).status, 202);
  });
});

test('unknown and malformed run ids are 404 JSON, with no path walked', async () => {
  await withServer({}, async ({ url }) => {
    const res = await fetch(`${url}/api/runs/20991231T000000Z-dead`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'run not found', id: '20991231T000000Z-dead' });
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..', '%2e%2e']) {
      const r = await fetch(`${url}/api/runs/${id}/report`);
      assert.equal(r.status, 404, id);
      assert.match(r.headers.get('content-type') ?? '', /json/);
    }
    const other = await fetch(`${url}/nope`);
    assert.equal(other.status, 404);
    assert.deepEqual(await other.json(), { error: 'not found', path: '/nope' });
  });
});

test('serves a recorded run as JSON, markdown and escaped HTML', async () => {
  await withServer({}, async ({ url }) => {
    const json = (await (await fetch(`${url}/api/runs/${OLD.id}`)).json()) as { id: string };
    assert.equal(json.id, OLD.id);
    const md = await fetch(`${url}/api/runs/${OLD.id}/report`);
    assert.match(md.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(await md.text(), /^# Report/);
    const html = await fetch(`${url}/api/runs/${OLD.id}/report.html`);
    assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
    const text = await html.text();
    assert.match(text, /<h1[^>]*>Report<\/h1>/);
    assert.doesNotMatch(text, /<script>/);
  });
});

test('a run whose markdown is not on disk is rendered from its result', async () => {
  await withServer({}, async ({ url, fake }) => {
    const res = await fetch(`${url}/api/runs`, { method: 'POST' });
    const { id } = (await res.json()) as { id: string };
    assert.equal(await (await fetch(`${url}/api/runs/${id}/report`)).text(), `# Run ${id} (rendered)\n`);
    fake.runs[0]?.finish();
  });
});

test('a failing handler answers 500 JSON without a stack trace; other methods are a JSON 404', async () => {
  await withServer({ metricsFail: 'throws' }, async ({ url }) => {
    const res = await fetch(`${url}/metrics`);
    assert.equal(res.status, 500);
    assert.deepEqual(await res.json(), { code: 'internal', message: 'internal error' });
    const del = await fetch(`${url}/api/runs/${OLD.id}`, { method: 'DELETE' });
    assert.equal(del.status, 404);
    assert.doesNotMatch(await del.text(), /at .*\.ts:\d+/);
  });
});
