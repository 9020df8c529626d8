import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';
import { ErrorCode } from '../../src/errors.ts';
import { TestClient, type Frame } from '../fixtures/executor/ws-client.ts';

let server: ExecutorServer;
before(async () => {
  server = await startExecutor({ port: 0, killGraceMs: 300 });
});
after(() => server.close());

async function run(command: string, timeout = 10): Promise<{ client: TestClient; completed: Frame }> {
  const client = await TestClient.connect(server.url);
  client.request('execute', { command, timeout });
  const completed = await client.notification('process.completed');
  await client.close();
  return { client, completed };
}

describe('a session', () => {
  test('greets with connected: a session id, the version and the capabilities', async () => {
    const client = await TestClient.connect(server.url);
    const connected = await client.notification('connected');
    assert.match(String(connected.params?.session_id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(connected.params?.capabilities, ['execute', 'control', 'stream', 'env']);
    await client.close();
  });

  test('runs echo: result started, then process.started, the line, and one process.completed', async () => {
    const client = await TestClient.connect(server.url);
    const id = client.request('execute', { command: 'echo hello', timeout: 5 });
    const reply = await client.reply(id);
    assert.equal(reply.result?.status, 'started');
    assert.equal(typeof reply.result?.pid, 'number');
    assert.equal(reply.result?.pgid, reply.result?.pid);
    const completed = await client.notification('process.completed');
    const methods = client.frames.map((f) => f.method ?? 'result');
    assert.deepEqual(methods, ['connected', 'result', 'process.started', 'process.output', 'process.completed']);
    assert.deepEqual(client.output(), [{ type: 'stdout', data: 'hello\n', truncated: false, chunk_index: null, total_chunks: null }]);
    assert.equal(completed.params?.status, 'completed');
    assert.equal(completed.params?.exit_code, 0);
    assert.equal(completed.params?.terminated_by, null);
    await client.close();
  });

  test('streams stderr as type stderr', async () => {
    const { client } = await run('echo oops >&2');
    assert.deepEqual(client.output().map((o) => [o.type, o.data]), [['stderr', 'oops\n']]);
  });

  test('reports a non-zero exit as failed with its exit code', async () => {
    const { completed } = await run('exit 3');
    assert.equal(completed.params?.status, 'failed');
    assert.equal(completed.params?.exit_code, 3);
  });

  test('a missing command exits 127 with a message on stderr', async () => {
    const { client, completed } = await run('no-such-command-stressd');
    assert.equal(completed.params?.exit_code, 127);
    assert.ok(client.output().some((o) => o.type === 'stderr' && /not found/.test(o.data)));
  });

  test('invalid UTF-8 arrives as U+FFFD', async () => {
    const { client } = await run("printf 'a\\377b\\n'");
    assert.equal(client.stdout(), 'a\uFFFDb\n');
  });

  test('a second execute while a process lives gets -32602', async () => {
    const client = await TestClient.connect(server.url);
    client.request('execute', { command: 'sleep 5', timeout: 10 });
    await client.notification('process.started');
    const second = await client.reply(client.request('execute', { command: 'echo no', timeout: 5 }));
    assert.deepEqual(second.error, { code: -32602, message: 'A process is already running', data: null });
    await client.close();
  });

  test('answers hook_status', async () => {
    const client = await TestClient.connect(server.url);
    const reply = await client.reply(client.request('hook_status'));
    assert.equal(reply.result?.enabled, false);
    await client.close();
  });
});

describe('errors, as cc_executor answers them', () => {
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['a float timeout', { command: 'echo x', timeout: 1.5 }, -32603, /timeout/],
    ['a missing command', { timeout: 5 }, -32603, /command/],
    ['a blank command', { command: '   ', timeout: 5 }, -32001, /^Command cannot be empty$/],
    ['params that are not an object', 'echo x', -32603, /object/],
  ];
  for (const [what, params, code, message] of cases) {
    test(`execute with ${what} is refused with ${code}`, async () => {
      const client = await TestClient.connect(server.url);
      const reply = await client.reply(client.request('execute', params));
      assert.equal(reply.error?.code, code);
      assert.match(reply.error?.message ?? '', message);
      await client.close();
    });
  }

  test('an unknown method gets -32601 naming it', async () => {
    const client = await TestClient.connect(server.url);
    const reply = await client.reply(client.request('frobnicate'));
    assert.deepEqual(reply.error, { code: -32601, message: 'Unknown method: frobnicate', data: null });
    await client.close();
  });

  test('malformed JSON gets -32603 with no id, and the session goes on', async () => {
    const client = await TestClient.connect(server.url);
    client.raw('{"jsonrpc":"2.0",');
    const err = await client.waitFor((f) => f.error !== undefined, 'an error frame');
    assert.equal(err.error?.code, -32603);
    assert.equal('id' in err, false);
    const reply = await client.reply(client.request('hook_status'));
    assert.ok(reply.result);
    await client.close();
  });

  test('a reply without an id has no id key', async () => {
    const client = await TestClient.connect(server.url);
    client.raw(JSON.stringify({ jsonrpc: '2.0', method: 'nope' }));
    const err = await client.waitFor((f) => f.error !== undefined, 'an error frame');
    assert.equal('id' in err, false);
    await client.close();
  });

  test('control with no process gets -32002; a bad control type -32603', async () => {
    const client = await TestClient.connect(server.url);
    const none = await client.reply(client.request('control', { type: 'PAUSE' }));
    assert.deepEqual(none.error, { code: -32002, message: 'No process is running', data: null });
    const bad = await client.reply(client.request('control', { type: 'STOP' }));
    assert.equal(bad.error?.code, -32603);
    await client.close();
  });

  test('a binary frame closes the connection with 1003', async () => {
    const client = await TestClient.connect(server.url);
    client.raw(Buffer.from('{}'), true);
    assert.equal((await client.closed).code, 1003);
  });

  test('valid JSON that is not an object closes the connection with 1007', async () => {
    const client = await TestClient.connect(server.url);
    client.raw('[1,2]');
    assert.equal((await client.closed).code, 1007);
  });
});

describe('HTTP and binding', () => {
  test('GET /health describes the server; GET /healthz answers ok', async () => {
    const base = server.url.replace('ws://', 'http://').replace('/ws/mcp', '');
    const health = (await (await fetch(`${base}/health`)).json()) as Record<string, unknown>;
    assert.equal(health.status, 'healthy');
    assert.equal(health.max_sessions, 100);
    assert.equal(typeof health.active_sessions, 'number');
    assert.equal(typeof health.uptime_seconds, 'number');
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/nope`)).status, 404);
  });

  test('refuses to listen on 0.0.0.0 without a token', async () => {
    await assert.rejects(startExecutor({ host: '0.0.0.0', port: 0 }), { code: ErrorCode.unsafeBind });
  });

  test('with a token, an upgrade without it gets 401 and one with it is served', async () => {
    const guarded = await startExecutor({ port: 0, token: 's3cret' });
    try {
      await assert.rejects(TestClient.connect(guarded.url), /401/);
      await assert.rejects(TestClient.connect(guarded.url, { token: 'wrong' }), /401/);
      const client = await TestClient.connect(guarded.url, { token: 's3cret' });
      await client.notification('connected');
      await client.close();
    } finally {
      await guarded.close();
    }
  });

  test('over the session limit a client gets -32003 and close 1008', async () => {
    const small = await startExecutor({ port: 0, maxSessions: 1 });
    try {
      const first = await TestClient.connect(small.url);
      const second = await TestClient.connect(small.url);
      const err = await second.waitFor((f) => f.error !== undefined, 'the session limit error');
      assert.deepEqual(err.error, { code: -32003, message: 'Session limit exceeded', data: null });
      assert.equal((await second.closed).code, 1008);
      await first.close();
    } finally {
      await small.close();
    }
  });
});

test('a refused client whose first frame is invalid (over maxPayload) is dropped, and the server lives on', async () => {
  const full = await startExecutor({ port: 0, maxSessions: 0 });
  try {
    // The upgrade and a frame header announcing 17 MiB, in one write: the frame is read after the refusal.
    const { port } = new URL(full.url);
    const socket = connect(Number(port), '127.0.0.1');
    const header = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0x01, 0x10, 0, 0, 1, 2, 3, 4]);
    socket.write(Buffer.concat([Buffer.from(`GET /ws/mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`), header]));
    socket.on('error', () => undefined);
    socket.resume();
    await once(socket, 'close');
    const again = await TestClient.connect(full.url);
    await again.waitFor((f) => f.error?.code === -32003, 'the session limit error');
    await again.closed;
  } finally {
    await full.close();
  }
});

describe('the allow-list', () => {
  let guarded: ExecutorServer;
  before(async () => {
    guarded = await startExecutor({ port: 0, allow: ['echo', 'printf'] });
  });
  after(() => guarded.close());

  const refused: Array<[string, string, RegExp]> = [
    ['echo ok && rm -rf x', 'rm', /not on the allow-list/],
    ['echo $(rm x)', '$(…)', /command substitution/],
    ['echo `rm x`', '`…`', /command substitution/],
    ['ls', 'ls', /not on the allow-list/],
    ['LD_PRELOAD=/tmp/x.so /bin/echo hi', 'LD_PRELOAD=', /variable assignment/],
    ['time echo ok', 'time', /runs another program/],
    ['/tmp/x/echo hi', '/tmp/x/echo', /exact path/],
    ['echo hi > /tmp/x.so', '> /tmp/x.so', /redirection/],
  ];
  for (const [command, name, why] of refused) {
    test(`refuses ${JSON.stringify(command)} with -32001 naming ${name} and why`, async () => {
      const client = await TestClient.connect(guarded.url);
      const reply = await client.reply(client.request('execute', { command, timeout: 5 }));
      assert.equal(reply.error?.code, -32001);
      assert.ok(reply.error?.message.startsWith(`Command '${name}' is not allowed: `), reply.error?.message);
      assert.match(reply.error?.message ?? '', why);
      assert.equal(client.frames.filter((f) => f.method === 'process.started').length, 0);
      await client.close();
    });
  }

  test("runs echo 'a && rm': the operator is quoted data", async () => {
    const client = await TestClient.connect(guarded.url);
    client.request('execute', { command: "echo 'a && rm'", timeout: 5 });
    await client.notification('process.completed');
    assert.equal(client.stdout(), 'a && rm\n');
    await client.close();
  });
});
