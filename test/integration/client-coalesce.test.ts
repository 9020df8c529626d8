import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { execute } from '../../src/client/client.ts';
import type { OutputLine } from '../../src/client/types.ts';

const SERVER = fileURLToPath(new URL('../fixtures/client/paced-server.mjs', import.meta.url));
const BURST = 3000;
const QUIET_MS = 300;
/** Scheduling slack on a shared 2-core machine: a read is never earlier than its send, and not much later. */
const SLACK_MS = 25;

async function startServer(costUs: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [SERVER, String(BURST), String(costUs), String(QUIET_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await Promise.race([
    once(child.stdout!, 'data'),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the paced server did not start in 10 s')), 10_000)),
  ])) as [Buffer];
  return { child, url: `ws://127.0.0.1:${Number(chunk.toString().trim())}/ws/mcp` };
}

interface Seen {
  lags: number[];
  quietLag: number;
  reads: number;
  frames: number;
  completed: Record<string, unknown>;
}

async function run(url: string, coalesceMs: number): Promise<Seen> {
  const lags: number[] = [];
  const result = await execute({
    url,
    command: 'stream',
    deadlineSeconds: 60,
    coalesceMs,
    onLine: (line: OutputLine) => lags.push(performance.timeOrigin + line.receivedAt - Number(line.data)),
  });
  assert.equal(result.end.kind, 'completed');
  const completed = (result.end.kind === 'completed' ? result.end.completed : {}) as unknown as Record<string, unknown>;
  return { lags, quietLag: lags.at(-1) ?? NaN, reads: result.socketReads ?? 0, frames: result.outputFrames, completed };
}

test('coalesced reads: fewer reads than frames, the ping answered mid-stream, every stamp honest', async () => {
  const { child, url } = await startServer(20);
  try {
    const eager = await run(url, 0);
    const patient = await run(url, 2);
    for (const [name, seen] of [['eager', eager], ['patient', patient]] as const) {
      assert.equal(seen.frames, BURST + 1, `${name}: every line arrived`);
      assert.equal(seen.completed.pong_seen, true, `${name}: the mid-stream ping was answered`);
      assert.ok(Number(seen.completed.pong_after_ms) < 1000, `${name}: pong ${String(seen.completed.pong_after_ms)} ms after the ping`);
      // A stamp is the time the read arrived: never before the line was sent (1 ms for two processes' clocks).
      const early = seen.lags.filter((lag) => lag < -1);
      assert.deepEqual(early, [], `${name}: lines stamped before they were sent`);
    }
    // The line after a quiet moment is read at once even by the patient reader.
    assert.ok(patient.quietLag < SLACK_MS, `patient: the line after ${QUIET_MS} ms of quiet was stamped ${patient.quietLag} ms late`);
    assert.ok(eager.quietLag < SLACK_MS, `eager: quiet line ${eager.quietLag} ms late`);
    // Patient reads take many frames each.
    assert.ok(patient.frames / patient.reads >= 5, `patient: ${patient.frames} frames in ${patient.reads} reads`);
    assert.ok(patient.reads < eager.reads, `patient ${patient.reads} reads, eager ${eager.reads}`);
    const worst = Math.max(...patient.lags);
    assert.ok(worst < 2 + SLACK_MS * 4, `patient: worst lag ${worst} ms`);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
});
