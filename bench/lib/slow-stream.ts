/**
 * Part (b) of bench/truth.bench.ts: a single-threaded Python `websockets` server that burns a fixed
 * time per write (bench/lib/slow-server.py) streams the same lines to each client in turn, rounds
 * interleaved: stressd's client (coalesced, and with coalescing off), a bare Node `ws` client, and a
 * bare Python `websockets` client. Per run: lines/s, the server's CPU per frame and its context switches.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { execute } from '../../src/client/client.ts';
import { contextSwitchesOf, cpuSecondsOf } from './proc-truth.ts';

const PY = '/usr/bin/python3';

export interface StreamRun {
  client: string;
  lines: number;
  seconds: number;
  serverCpuPerFrameUs: number;
  serverSwitches: number;
  reads: number | null;
}

type Client = (url: string) => Promise<{ lines: number; seconds: number; reads: number | null }>;

async function firstLine(child: ChildProcess): Promise<string> {
  const rl = createInterface({ input: child.stdout! });
  for await (const line of rl) return line;
  throw new Error('the process ended before printing');
}

const stressd = (coalesceMs: number): Client => async (url) => {
  let lines = 0;
  const r = await execute({ url, command: 'x', deadlineSeconds: 600, coalesceMs, onLine: () => lines++ });
  return { lines, seconds: (r.endedAt - r.sentAt) / 1000, reads: r.socketReads ?? null };
};

const bareWs: Client = (url) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let lines = 0;
    let start = 0;
    ws.on('open', () => {
      start = performance.now();
      ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'execute', params: { command: 'x', timeout: 600 }, id: 1 }));
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as { method?: string };
      if (msg.method === 'process.output') lines++;
      else if (msg.method === 'process.completed') {
        const seconds = (performance.now() - start) / 1000;
        ws.close(1000);
        resolve({ lines, seconds, reads: null });
      }
    });
    ws.on('error', reject);
  });

const barePython = (here: string): Client => async (url) => {
  const child = spawn(PY, [join(here, 'bare-client.py'), url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [lines, seconds] = (await firstLine(child)).split(' ').map(Number);
  await once(child, 'exit');
  return { lines: lines ?? 0, seconds: seconds ?? NaN, reads: null };
};

export async function slowStream(here: string, lines: number, lineBytes: number, costUs: number, rounds: number): Promise<StreamRun[]> {
  const server = spawn(PY, [join(here, 'slow-server.py'), String(lines), String(lineBytes), String(costUs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = server.pid ?? -1;
  try {
    const url = `ws://127.0.0.1:${Number(await firstLine(server))}/ws/mcp`;
    const clients: [string, Client][] = [
      ['stressd (coalesced, 2 ms)', stressd(2)],
      ['bare Python websockets', barePython(here)],
      ['stressd (coalescing off)', stressd(0)],
      ['bare Node ws', bareWs],
    ];
    const runs: StreamRun[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const [name, client] of clients) {
        const cpu0 = cpuSecondsOf(pid);
        const cs0 = contextSwitchesOf(pid);
        const r = await client(url);
        runs.push({
          client: name,
          lines: r.lines,
          seconds: r.seconds,
          serverCpuPerFrameUs: ((cpuSecondsOf(pid) - cpu0) / r.lines) * 1e6,
          serverSwitches: contextSwitchesOf(pid) - cs0,
          reads: r.reads,
        });
      }
    }
    return runs;
  } finally {
    server.kill('SIGKILL');
    await once(server, 'exit');
  }
}
