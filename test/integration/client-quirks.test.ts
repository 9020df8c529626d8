/** The client against a scripted cc_executor peer: what it reports for each quirk of PROTOCOL.md. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { execute } from '../../src/client/client.ts';
import { ConnectionLostError } from '../../src/client/errors.ts';
import type { ExecuteOptions, OutputLine } from '../../src/client/types.ts';
import { FAKE_PID, scenarios, startQuirkPeer, type QuirkPeer, type QuirkScenario } from '../fixtures/quirk-peer.ts';

const peers: QuirkPeer[] = [];
after(async () => {
  await Promise.all(peers.map((peer) => peer.close()));
});

async function peerFor(scenario: QuirkScenario): Promise<QuirkPeer> {
  const peer = await startQuirkPeer(scenario);
  peers.push(peer);
  return peer;
}

async function run(peer: QuirkPeer, more: Partial<ExecuteOptions> = {}) {
  const lines: OutputLine[] = [];
  const notifications: Array<[string, unknown]> = [];
  const result = await execute({
    url: peer.url,
    command: 'claude -p "hi"',
    deadlineSeconds: 10,
    onLine: (line) => lines.push(line),
    onNotification: (method, params) => notifications.push([method, params]),
    ...more,
  });
  return { result, lines, notifications };
}

describe('client against the quirk peer', () => {
  it('sends execute with an integer timeout and the traceparent, and reports the lines and completion', async () => {
    const peer = await peerFor(scenarios.echo(['a\n', 'b\n'], { exitCode: 3 }));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let started: { pid: number; pgid: number | null; at: number } | null = null;
    const { result, lines } = await run(peer, { deadlineSeconds: 2.2, traceparent, onStarted: (info) => (started = info) });
    assert.deepEqual(peer.received[0], {
      jsonrpc: '2.0', method: 'execute', params: { command: 'claude -p "hi"', timeout: 3, _meta: { traceparent } }, id: 1,
    });
    assert.deepEqual(lines.map((l) => l.data), ['a\n', 'b\n']);
    assert.equal(result.end.kind, 'completed');
    assert.equal(result.end.kind === 'completed' && result.end.completed.exit_code, 3);
    assert.equal(result.pid, FAKE_PID);
    assert.equal(result.outputFrames, 2);
    assert.ok(started !== null, 'onStarted was called');
    assert.ok(result.sentAt <= lines[0]!.receivedAt && lines[1]!.receivedAt <= result.endedAt);
  });

  it('reports the start when the result comes ~0.3 s before process.started, once', async () => {
    const peer = await peerFor(scenarios.echo(['x\n'], { resultLeadMs: 600 }));
    const starts: number[] = [];
    const { result } = await run(peer, { onStarted: (info) => starts.push(info.at) });
    assert.equal(starts.length, 1);
    assert.ok(starts[0]! - result.sentAt < 400, 'the start is taken from the result, not process.started');
  });

  it('ends at a stall-timeout completion with exit 0 and flags the server stall', async () => {
    const peer = await peerFor(scenarios.stallCompletion({ seconds: 7 }));
    const { result, lines } = await run(peer);
    assert.equal(result.end.kind, 'completed');
    assert.equal(result.serverStall, true);
    const stalls = lines.filter((l) => l.serverStall);
    assert.deepEqual(stalls.map((l) => [l.stream, l.data]), [
      ['stdout', '[Stream timed out after 7s]\n'],
      ['stderr', '\n[Stream timed out after 7s]\n'],
    ]);
  });

  it('keeps a whole line flagged truncated because it ends in "..."', async () => {
    const peer = await peerFor(scenarios.truncatedDots());
    const { lines } = await run(peer);
    assert.deepEqual(lines.map((l) => [l.data, l.chunks]), [['Loading...\n', 1], ['done\n', 1]]);
  });

  it('joins a 200,000-character line split in chunks, multi-byte characters included', async () => {
    const long = 'é'.repeat(100_000) + '🙂'.repeat(50_000) + 'z'.repeat(49_999) + '\n';
    const peer = await peerFor(scenarios.splitLine(long));
    const { result, lines } = await run(peer);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.data, long);
    assert.equal(lines[0]!.chunks, 4);
    assert.equal(lines[0]!.bytes, Buffer.byteLength(long));
    assert.equal(lines[1]!.data, 'after\n');
    assert.equal(result.outputFrames, 5);
  });

  it('ends on process.canceled (one "l", no completed) at most 1 s after it, well before cancelWaitMs', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'canceled' }));
    const { result } = await run(peer, { deadlineSeconds: 0.3, cancelWaitMs: 5_000 });
    assert.deepEqual(result.end, { kind: 'deadline', confirmed: true, completed: null });
    const elapsed = result.endedAt - result.sentAt;
    assert.ok(elapsed >= 1_250 && elapsed < 2_000, `ended ${elapsed} ms after execute (deadline 300 ms + the 1 s wait)`);
    const cancel = peer.received.find((f) => (f as { method?: string }).method === 'control');
    assert.deepEqual(cancel, { jsonrpc: '2.0', method: 'control', params: { type: 'CANCEL' }, id: 2 });
    assert.ok(result.outputFrames > 0);
  });

  it('accepts "process.cancelled" as the docs spell it', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'cancelled' }));
    const { result } = await run(peer, { deadlineSeconds: 0.2 });
    assert.deepEqual(result.end, { kind: 'deadline', confirmed: true, completed: null });
  });

  it('says aborted when its signal aborts, and the peer sees CANCEL', async () => {
    const peer = await peerFor(scenarios.endless({ onCancel: 'canceled' }));
    const controller = new AbortController();
    const pending = run(peer, { signal: controller.signal, onStarted: () => controller.abort() });
    const { result } = await pending;
    assert.equal(result.end.kind, 'aborted');
    await peer.waitForEvent((e) => e.type === 'control' && e.control === 'CANCEL');
  });

  it('flags the 8 MiB stream error line and still reports the exit code', async () => {
    const peer = await peerFor(scenarios.streamError());
    const { result, lines } = await run(peer);
    assert.equal(result.streamError, true);
    assert.equal(result.serverStall, false);
    assert.equal(lines.filter((l) => l.streamError).length, 1);
    assert.equal(result.end.kind === 'completed' && result.end.completed.exit_code, 0);
  });

  it('throws ConnectionLostError with what it received when the peer drops without a close frame', async () => {
    const peer = await peerFor(scenarios.dropAfter(['one\n', 'two\n', 'three\n']));
    const lines: OutputLine[] = [];
    const error = await execute({ url: peer.url, command: 'x', deadlineSeconds: 5, onLine: (l) => lines.push(l) }).then(
      () => assert.fail('expected a ConnectionLostError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ConnectionLostError);
    assert.equal(error.code, 'STRESSD_ERR_CONNECTION_LOST');
    assert.equal(error.closeCode, 1006);
    assert.equal(error.received.outputFrames, 3);
    assert.equal(error.received.pid, FAKE_PID);
    assert.equal(lines.length, 3);
  });

  it('opens a fresh connection per execute and closes it at the end, so a dropped one does not touch the next', async () => {
    const byConnection = [scenarios.dropAfter(['one\n']), scenarios.echo(['two\n'])];
    const peer = await peerFor({
      steps: (ctx) => {
        const steps = byConnection[ctx.connection]!.steps;
        return typeof steps === 'function' ? steps(ctx) : steps;
      },
    });
    await assert.rejects(execute({ url: peer.url, command: 'x', deadlineSeconds: 5 }), ConnectionLostError);
    const { result, lines } = await run(peer);
    assert.equal(result.end.kind, 'completed');
    assert.deepEqual(lines.map((l) => l.data), ['two\n']);
    await peer.waitForEvent((e) => e.type === 'client-closed' && e.connection === 1);
    const executes = peer.events.filter((e) => e.type === 'execute').map((e) => e.connection);
    assert.deepEqual(executes, [0, 1], 'one execute on each of two connections');
    const closed = peer.events.find((e) => e.type === 'client-closed' && e.connection === 1);
    assert.equal(closed?.type === 'client-closed' && closed.code, 1000, 'the client closed its connection cleanly after completion');
  });

  it('answers every ping with pong, so a test longer than the heartbeat cut-off survives', async () => {
    const peer = await peerFor(scenarios.heartbeat({ pingIntervalMs: 100, durationMs: 700 }));
    const { result } = await run(peer);
    assert.equal(result.end.kind, 'completed');
    const pongs = peer.received.filter((f) => (f as { method?: string }).method === 'pong');
    assert.ok(pongs.length >= 4, `pongs: ${pongs.length}`);
    assert.deepEqual(pongs[0], { jsonrpc: '2.0', method: 'pong' });
    assert.equal(peer.events.some((e) => e.type === 'heartbeat-drop'), false);
  });

  it('skips and counts malformed frames, counts unknown notifications, and passes them on', async () => {
    const peer = await peerFor(scenarios.malformed());
    const { result, lines, notifications } = await run(peer);
    assert.equal(result.end.kind, 'completed');
    assert.deepEqual(lines.map((l) => l.data), ['one\n', 'two\n']);
    assert.equal(result.malformedFrames, 5);
    assert.equal(result.unknownNotifications, 1);
    assert.deepEqual(notifications.map(([m]) => m), ['connected', 'surprise.event', 'error.rate_limit_exceeded']);
  });

  it('streams Claude-like lines through a reusable scenario', async () => {
    const peer = await peerFor(scenarios.claudeStream({ seconds: 0.3, intervalMs: 30, include: ['python'] }));
    const { lines } = await run(peer);
    assert.match(lines[0]!.data, /"subtype":"init"/);
    assert.match(lines.at(-1)!.data, /"type":"result"/);
    assert.equal(lines.length, 12);
  });
});

describe('the quirk peer heartbeat itself', () => {
  it('drops a client that never answers ping', async () => {
    const { default: WebSocket } = await import('ws');
    const peer = await peerFor(scenarios.heartbeat({ pingIntervalMs: 50, durationMs: 2_000 }));
    const ws = new WebSocket(peer.url);
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    ws.once('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'execute', params: { command: 'x', timeout: 5 }, id: 1 })));
    await peer.waitForEvent((e) => e.type === 'heartbeat-drop', 2_000);
    assert.equal(await closed, 1006);
  });
});
