/**
 * A small Chrome DevTools Protocol client for bench/soak.bench.ts's opt-in heap sampling: it
 * connects to a Node process's inspector (loopback only), forces a full garbage collection and
 * reads what is left (`process.memoryUsage()` after GC), and can count a heap snapshot's objects
 * by constructor, so a per-run leak shows as a count that grows with the runs.
 */
import WebSocket from 'ws';

export interface MemoryAfterGc {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface Inspector {
  /** Full GC, then `process.memoryUsage()` read inside the process. */
  memoryAfterGc(): Promise<MemoryAfterGc>;
  /** Full GC, then a heap snapshot's live objects counted by `type:name` (constructor for objects). */
  countsByConstructor(): Promise<Map<string, { count: number; size: number }>>;
  close(): void;
}

interface Reply {
  id?: number;
  method?: string;
  params?: { chunk?: string };
  result?: { result?: { value?: unknown } };
  error?: { message: string };
}

/**
 * Opens the inspector of a running Node process that was not started with --inspect (SIGUSR1: it
 * listens on 127.0.0.1:9229) and connects to it. The port must be free.
 */
export async function inspectProcess(pid: number, deadlineMs = 10_000): Promise<Inspector> {
  process.kill(pid, 'SIGUSR1');
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      const list = (await (await fetch('http://127.0.0.1:9229/json/list')).json()) as { webSocketDebuggerUrl?: string }[];
      const url = list[0]?.webSocketDebuggerUrl;
      if (url) return await connectInspector(url);
    } catch (err) {
      if (Date.now() > until) throw new Error(`inspector of pid ${pid}: nothing at 127.0.0.1:9229 within ${deadlineMs} ms (${String(err)})`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function connectInspector(wsUrl: string): Promise<Inspector> {
  if (!/^ws:\/\/127\.0\.0\.1:\d+\//.test(wsUrl)) throw new Error(`inspector: expected a ws://127.0.0.1:PORT/ URL, found ${wsUrl}`);
  const ws = new WebSocket(wsUrl, { maxPayload: 1 << 30 });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let chunks: string[] = [];
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as Reply;
    if (msg.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(msg.params?.chunk ?? '');
    if (msg.id === undefined) return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.error) p?.reject(new Error(`inspector: ${msg.error.message}`));
    else p?.resolve(msg);
  });
  const send = (method: string, params: object = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send('HeapProfiler.enable');
  return {
    async memoryAfterGc() {
      await send('HeapProfiler.collectGarbage');
      const r = await send('Runtime.evaluate', { expression: 'process.memoryUsage()', returnByValue: true });
      return r.result?.result?.value as MemoryAfterGc;
    },
    async countsByConstructor() {
      await send('HeapProfiler.collectGarbage');
      chunks = [];
      await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      const snapshot = JSON.parse(chunks.join('')) as HeapSnapshot;
      chunks = [];
      return countNodes(snapshot);
    },
    close: () => ws.close(),
  };
}

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

function countNodes(s: HeapSnapshot): Map<string, { count: number; size: number }> {
  const fields = s.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt] as number] ?? '?';
    const name = type === 'object' || type === 'closure' || type === 'native' ? s.strings[s.nodes[i + nameAt] as number] ?? '?' : '';
    const key = `${type}:${name.slice(0, 80)}`;
    const e = out.get(key) ?? { count: 0, size: 0 };
    e.count++;
    e.size += s.nodes[i + sizeAt] as number;
    out.set(key, e);
  }
  return out;
}
