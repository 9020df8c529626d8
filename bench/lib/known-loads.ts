/**
 * Part (a) of bench/truth.bench.ts: known loads run as an executor runs a command (`/bin/sh -c`),
 * watched by stressd's ResourceSampler (at the default 500 ms interval), beside the truth: the
 * load's own CPU time (os.times(), printed at its end) and the tree's PSS read from /proc.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ResourceSampler } from '../../src/runner/sampler.ts';
import type { ResourcePeaks } from '../../src/result/types.ts';
import { memoryOf, treeByScan } from './proc-truth.ts';

const PY = '/usr/bin/python3';
const BURN = (seconds: number, mib: number): string =>
  `import os,time\nb=bytearray(${mib}<<20)\nfor i in range(0,len(b),4096): b[i]=1\ns=time.time();e=s+${seconds}\nwhile time.time()<e: pass\nt=os.times();print(t.user+t.system, time.time()-s, flush=True)`;

export interface LoadRow {
  load: string;
  wall: number;
  truthCpu: number | null;
  truthRate: number | null;
  truthPss: number | null;
  truthRss: number | null;
  peaks: ResourcePeaks;
}

async function watch(load: string, script: string, truthAt: ((pid: number) => Promise<{ pss: number; rss: number }>) | null): Promise<LoadRow> {
  const start = performance.now();
  const child = spawn('/bin/sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const sampler = new ResourceSampler({ intervalMs: 500, localPid: process.pid });
  sampler.setRoot(child.pid ?? -1);
  let out = '';
  child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
  const truthMem = truthAt ? await truthAt(child.pid ?? -1) : null;
  await once(child, 'exit');
  const peaks = await sampler.stop();
  const [cpu, busy] = out.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  const truthCpu = Number.isFinite(cpu) ? (cpu as number) : null;
  return {
    load,
    wall: (performance.now() - start) / 1000,
    truthCpu,
    truthRate: truthCpu !== null && Number.isFinite(busy) ? truthCpu / (busy as number) : null,
    truthPss: truthMem?.pss ?? null,
    truthRss: truthMem?.rss ?? null,
    peaks,
  };
}

async function waitForTree(root: number, count: number): Promise<void> {
  const end = Date.now() + 30_000;
  while (treeByScan(root).length < count && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
}

export async function knownLoads(repo: string): Promise<LoadRow[]> {
  const rows: LoadRow[] = [];
  rows.push(
    await watch('one core 10 s holding 200 MiB', `${PY} -c '${BURN(10, 200)}'`, async (pid) => {
      await new Promise((r) => setTimeout(r, 5000));
      return memoryOf(treeByScan(pid));
    }),
  );
  const sleepers = join(repo, 'test/fixtures/runner/forked-sleepers.py');
  for (const [what, mode] of [['sharing the parent\'s', ''], ['each with its own', ' own']] as const) {
    rows.push(
      await watch(`50 forked sleepers, ${what} 10 MiB`, `${PY} ${sleepers} 10 50 6${mode}`, async (pid) => {
        await waitForTree(pid, 52);
        await new Promise((r) => setTimeout(r, 2000));
        return memoryOf(treeByScan(pid));
      }),
    );
  }
  rows.push(await watch('a 0.6 s burst', `${PY} -c '${BURN(0.6, 1)}'`, null));
  return rows;
}
