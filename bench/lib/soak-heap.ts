/**
 * bench/soak.bench.ts's opt-in diagnosis (`--heap`): through the daemon's inspector (started with
 * --inspect=127.0.0.1:0) and the executor's (opened with SIGUSR1 on 127.0.0.1:9229), every
 * `every` runs a forced full GC and what is left (heap used, external); at two runs a heap
 * snapshot each, counted by constructor, so that what grows per run is named. A forced GC shrinks
 * V8's young generation and a snapshot costs tens of MB of RSS, so a `--heap` run tells what the
 * heap holds and gives no RSS verdict.
 */
import { connectInspector, inspectProcess, type Inspector, type MemoryAfterGc } from './inspector.ts';

type Who = 'daemon' | 'executor';
type Counts = Map<string, { count: number; size: number }>;

export interface HeapWatch {
  /** Called after every run, in order; samples when the run is due. */
  onRun(run: number, executorPid: number): Promise<void>;
  /** Markdown lines: heap after GC per process, and the constructors that grew most between the two snapshots. */
  report(fromRun: number): string[];
  close(): void;
}

export function heapWatch(o: { daemonUrl: Promise<string>; every: number; snapshotAt: readonly [number, number] }): HeapWatch {
  const inspectors = new Map<Who, Inspector>();
  let executorPid = 0;
  const samples: { run: number; daemon: MemoryAfterGc; executor: MemoryAfterGc }[] = [];
  const counts: Record<Who, Counts[]> = { daemon: [], executor: [] };
  const inspector = async (who: Who, pid: number): Promise<Inspector> => {
    if (who === 'executor' && pid !== executorPid) {
      inspectors.get('executor')?.close(); // a restarted executor is another process
      inspectors.delete('executor');
      executorPid = pid;
    }
    let i = inspectors.get(who);
    if (!i) {
      i = who === 'daemon' ? await connectInspector(await o.daemonUrl) : await inspectProcess(pid);
      inspectors.set(who, i);
    }
    return i;
  };
  return {
    async onRun(run, pid) {
      if (run % o.every === 0) {
        samples.push({ run, daemon: await (await inspector('daemon', pid)).memoryAfterGc(), executor: await (await inspector('executor', pid)).memoryAfterGc() });
      }
      if (o.snapshotAt.includes(run)) {
        for (const who of ['daemon', 'executor'] as const) counts[who].push(await (await inspector(who, pid)).countsByConstructor());
      }
    },
    report(fromRun) {
      const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
      const after = samples.filter((s) => s.run >= fromRun);
      const first = after[0];
      const last = after.at(-1);
      const lines = [`heap after a forced full GC, every ${o.every} runs (runs ${first?.run ?? '-'} and ${last?.run ?? '-'}):`, '', '| process | measure | after warm-up | at the end | growth |', '|---|---|---|---|---|'];
      for (const who of ['daemon', 'executor'] as const) {
        for (const k of ['heapUsed', 'external', 'rss'] as const) {
          if (first && last) lines.push(`| ${who} | ${k} MB | ${mb(first[who][k])} | ${mb(last[who][k])} | ${mb(last[who][k] - first[who][k])} |`);
        }
      }
      lines.push('', `live objects that grew most between the heap snapshots at runs ${o.snapshotAt[0]} and ${o.snapshotAt[1]} (type:constructor, count before → after, bytes):`);
      for (const who of ['daemon', 'executor'] as const) {
        const [a, b] = counts[who];
        if (!a || !b) continue;
        const grown = [...b].map(([k, v]) => ({ k, before: a.get(k)?.count ?? 0, after: v.count, bytes: v.size - (a.get(k)?.size ?? 0) }))
          .sort((x, y) => y.after - y.before - (x.after - x.before)).slice(0, 6);
        lines.push(`- ${who}: ${grown.map((g) => `${g.k} ${g.before} → ${g.after} (${g.bytes >= 0 ? '+' : ''}${g.bytes} B)`).join('; ')}`);
      }
      return lines;
    },
    close() {
      for (const i of inspectors.values()) i.close();
    },
  };
}
