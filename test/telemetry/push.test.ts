import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { groupingPath, parsePushGateway, pushRun, runExposition, type PushTarget } from '../../src/telemetry/push.ts';
import { runResult, testResult } from './results.ts';

interface Received { method: string; url: string; headers: IncomingMessage['headers']; body: string }

const servers: Server[] = [];
after(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** A real HTTP server standing in for a Pushgateway; `answer` decides each reply. */
async function gateway(answer: (n: number, res: ServerResponse) => void): Promise<{ target: PushTarget; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      answer(received.length, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const target = parsePushGateway(`http://u%40x:p%3Aw@127.0.0.1:${(server.address() as AddressInfo).port}/prefix/`);
  assert.ok(typeof target !== 'string', String(target));
  return { target, received };
}

const names = (text: string): Set<string> => new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? ''));

describe('parsePushGateway', () => {
  it('takes http(s) URLs, moves credentials into a Basic header and hides them in what it prints', () => {
    const t = parsePushGateway('https://ci:s3cret@push.example:9091/gw/');
    assert.ok(typeof t !== 'string');
    assert.equal(t.base, 'https://push.example:9091/gw');
    assert.equal(t.authorization, `Basic ${Buffer.from('ci:s3cret').toString('base64')}`);
    assert.equal(t.display, 'https://***@push.example:9091/gw');
    assert.deepEqual(parsePushGateway('http://127.0.0.1:9091'), { base: 'http://127.0.0.1:9091', authorization: null, display: 'http://127.0.0.1:9091' });
  });

  it('refuses what is not a Pushgateway base URL, naming the flag and what it found', () => {
    assert.match(String(parsePushGateway('127.0.0.1:9091')), /--push-gateway \(STRESSD_PUSH_GATEWAY\): expected an http:\/\/ or https:\/\/ URL of a Pushgateway, found "127.0.0.1:9091"/);
    assert.match(String(parsePushGateway('pushgateway:9091')), /found "pushgateway:9091"/);
    assert.match(String(parsePushGateway('not a url')), /expected an http:\/\/ or https:\/\/ URL of a Pushgateway, found "not a url"/);
    assert.match(String(parsePushGateway('http://h:9091/?x=1')), /without \?query/);
    assert.doesNotMatch(String(parsePushGateway('ftp://a:s3cret@h/')), /s3cret/);
  });
});

describe('groupingPath', () => {
  it('groups by job "stressd" and the suite, base64-encoding a value a path segment cannot carry', () => {
    assert.equal(groupingPath('complex'), '/metrics/job/stressd/suite/complex');
    assert.equal(groupingPath('a/b'), `/metrics/job/stressd/suite@base64/${Buffer.from('a/b').toString('base64url')}`);
    assert.equal(groupingPath(''), '/metrics/job/stressd/suite@base64/=');
  });
});

describe('runExposition', () => {
  it('has the daemon\'s metric names for the same run, without process metrics', async () => {
    const run = runResult({ tests: [testResult()] });
    const daemon = createMetrics({ collectDefaults: false, logger: { warn: () => {} } });
    daemon.onRunStart(run);
    for (const t of run.tests) daemon.onTestEnd(run.suite, t);
    daemon.onRunEnd(run);
    const { text, problems } = await runExposition(run);
    assert.deepEqual(problems, []);
    assert.deepEqual(names(text), names(await daemon.registry.metrics()));
    assert.match(text, /^stressd_runs_total\{suite="complex",result="graduated"\} 1$/m);
    assert.doesNotMatch(text, /^process_/m);
    assert.doesNotMatch(text, /^stressd_run_next_timestamp_seconds\{/m);
  });
});

describe('pushRun', () => {
  const run = runResult({ tests: [testResult()] });

  it('PUTs the text exposition to the group under the URL\'s path, with the Basic credentials', async () => {
    const { target, received } = await gateway((_n, res) => res.writeHead(200).end());
    const outcome = await pushRun(run, target);
    assert.equal(outcome.ok, true, outcome.message);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.method, 'PUT');
    assert.equal(received[0]?.url, '/prefix/metrics/job/stressd/suite/complex');
    assert.equal(received[0]?.headers.authorization, `Basic ${Buffer.from('u@x:p:w').toString('base64')}`);
    assert.match(received[0]?.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
    assert.match(received[0]?.body ?? '', /^stressd_run_last_graduated\{suite="complex"\} 1$/m);
    assert.doesNotMatch(outcome.message, /p:w|p%3Aw/);
  });

  it('tries once more after a 5xx, and not after a 4xx, whose body it reports', async () => {
    const flaky = await gateway((n, res) => res.writeHead(n === 1 ? 503 : 200).end());
    assert.equal((await pushRun(run, flaky.target)).ok, true);
    assert.equal(flaky.received.length, 2);

    const refusing = await gateway((_n, res) => res.writeHead(400).end('pushed metrics are invalid or inconsistent with existing metrics'));
    const outcome = await pushRun(run, refusing.target);
    assert.equal(outcome.ok, false);
    assert.equal(refusing.received.length, 1);
    assert.match(outcome.message, /push to http:\/\/\*\*\*@127\.0\.0\.1:\d+\/prefix\/metrics\/job\/stressd\/suite\/complex failed: HTTP 400: pushed metrics are invalid/);
  });

  it('gives up at its deadline when the Pushgateway never answers', async () => {
    const { target } = await gateway(() => {
      // never answers
    });
    const started = performance.now();
    const outcome = await pushRun(run, target, { deadlineMs: 400 });
    const took = performance.now() - started;
    assert.equal(outcome.ok, false);
    assert.match(outcome.message, /failed: no answer within 0\.4 s/);
    assert.ok(took >= 350 && took < 3000, `took ${took} ms`);
  });
});
