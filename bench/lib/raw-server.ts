/**
 * The raw baseline's server, run as its own process: a bare `ws` server that answers `execute`
 * with N cc_executor-shaped `process.output` frames of `lineBytes`-byte lines, as fast as
 * backpressure allows, then `process.completed`. Frames are prebuilt so it costs next to nothing.
 * Prints `{"port":N}` once listening. Usage: raw-server.ts <lines> <lineBytes>
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { benchLine } from './bench-lines.ts';

const HIGH_WATER_BYTES = 4 << 20;
const DISTINCT_FRAMES = 1024;

const lines = Number(process.argv[2] ?? 1_000_000);
const lineBytes = Number(process.argv[3] ?? 100);

const frames: string[] = [];
for (let i = 0; i < DISTINCT_FRAMES; i++) {
  const params = { type: 'stdout', data: benchLine(i, lineBytes), truncated: false, chunk_index: null, total_chunks: null };
  frames.push(JSON.stringify({ jsonrpc: '2.0', method: 'process.output', params }));
}
const completed = JSON.stringify({
  jsonrpc: '2.0', method: 'process.completed',
  params: { status: 'completed', pid: process.pid, pgid: process.pid, exit_code: 0, error: null, execution_time: 0,
    early_completion_detected: false, early_completion_time: null, time_saved: null, completion_marker: null },
});

function stream(ws: WebSocket, total: number): void {
  let sent = 0;
  const pump = (): void => {
    while (sent < total) {
      const frame = frames[sent % DISTINCT_FRAMES]!;
      sent++;
      if (ws.bufferedAmount > HIGH_WATER_BYTES) {
        ws.send(frame, pump);
        return;
      }
      ws.send(frame);
    }
    ws.send(completed);
  };
  pump();
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as { method?: string; id?: unknown; params?: { command?: string } };
    if (msg.method !== 'execute') return;
    ws.send(JSON.stringify({ jsonrpc: '2.0', result: { status: 'started', pid: process.pid, pgid: process.pid }, id: msg.id }));
    // The command may ask for a different count (used for warm-up runs): "lines:N".
    const asked = /^lines:(\d+)$/.exec(msg.params?.command ?? '');
    stream(ws, asked ? Number(asked[1]) : lines);
  });
});
wss.on('listening', () => console.log(JSON.stringify({ port: (wss.address() as AddressInfo).port })));
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
