/** The client against stressd's real embedded executor, running real processes. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execute } from '../../src/client/client.ts';
import type { OutputLine } from '../../src/client/types.ts';
import { startExecutor, type ExecutorServer } from '../../src/executor/server.ts';

let server: ExecutorServer;
/** A short heartbeat of its own: under a busy stream on a loaded machine a 100 ms cut-off is too tight. */
let heartbeatServer: ExecutorServer;
before(async () => {
  server = await startExecutor({ port: 0, killGraceMs: 500 });
  heartbeatServer = await startExecutor({ port: 0, heartbeatIntervalMs: 100 });
});
after(async () => {
  await Promise.all([server.close(), heartbeatServer.close()]);
});

async function run(command: string, deadlineSeconds = 10, url = server.url) {
  const lines: OutputLine[] = [];
  const result = await execute({ url, command, deadlineSeconds, onLine: (line) => lines.push(line) });
  return { result, lines };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('client against the embedded executor', () => {
  it('runs echo and reports its line, exit code 0 and pid', async () => {
    const { result, lines } = await run('echo hello');
    assert.deepEqual(lines.map((l) => [l.stream, l.data]), [['stdout', 'hello\n']]);
    assert.equal(result.end.kind, 'completed');
    assert.equal(result.end.kind === 'completed' && result.end.completed.exit_code, 0);
    assert.ok(Number.isInteger(result.pid));
  });

  it('receives 7.5 MB of output, every line in order', async () => {
    const count = 500_000;
    let expected = 1;
    let outOfOrder = 0;
    const result = await execute({
      url: server.url,
      command: `seq -f 'line %09g' 1 ${count}`,
      deadlineSeconds: 60,
      onLine: (line) => {
        if (line.data !== `line ${String(expected).padStart(9, '0')}\n`) outOfOrder++;
        expected++;
      },
    });
    assert.equal(result.end.kind, 'completed');
    assert.equal(outOfOrder, 0);
    assert.equal(expected - 1, count);
    assert.equal(result.outputFrames, count);
  });

  it('joins a 200 KB line the executor splits into chunks', async () => {
    const { lines, result } = await run(`head -c 200000 /dev/zero | tr '\\0' 'a'; echo; echo next`);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.data, 'a'.repeat(200_000) + '\n');
    assert.equal(lines[0]!.chunks, 4);
    assert.equal(lines[1]!.data, 'next\n');
    assert.equal(result.outputFrames, 5);
  });

  it('answers the executor heartbeat, so a run longer than its cut-off completes', async () => {
    const { result, lines } = await run('sleep 0.6; echo survived', 10, heartbeatServer.url);
    assert.equal(result.end.kind, 'completed');
    assert.equal(lines[0]?.data, 'survived\n');
  });

  it('sends CANCEL at its own deadline and the process group, children included, is gone', async () => {
    const { result, lines } = await run('echo up; sleep 30 & sleep 30; wait', 0.5);
    assert.equal(result.end.kind, 'deadline');
    assert.equal(result.end.kind === 'deadline' && result.end.confirmed, true);
    assert.equal(result.end.kind === 'deadline' && result.end.completed?.terminated_by, 'cancel', 'the exit after the cancel is reported');
    assert.equal(lines[0]?.data, 'up\n');
    const pgid = result.pgid ?? result.pid;
    assert.ok(pgid !== null);
    await waitUntil(() => !groupAlive(pgid), 3_000, `process group ${pgid} gone`);
  });
});

describe('client cancel against the embedded executor', () => {
  it('keeps the exit of a group that outlives SIGTERM for more than 1 s: canceled, then completed after SIGKILL', async () => {
    const slow = await startExecutor({ port: 0, killGraceMs: 1_500 });
    try {
      const result = await execute({ url: slow.url, command: "trap '' TERM; echo up; sleep 30", deadlineSeconds: 0.5, cancelWaitMs: 5_000 });
      assert.equal(result.end.kind, 'deadline');
      const completed = result.end.kind === 'deadline' ? result.end.completed : null;
      assert.equal(completed?.signal, 'SIGKILL');
      assert.equal(completed?.terminated_by, 'cancel');
      assert.ok(result.endedAt - result.sentAt >= 2_000, 'it waited past the 1 s bound for the announced completion');
    } finally {
      await slow.close();
    }
  });
});
