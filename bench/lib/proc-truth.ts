/**
 * The truth for bench/truth.bench.ts, read from /proc by code that shares nothing with the
 * sampler: the tree by a scan of every /proc/PID/stat's ppid, PSS and RSS from smaps_rollup,
 * CPU ticks and context switches of one process.
 */
import { readdirSync, readFileSync } from 'node:fs';

function statFields(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

export function treeByScan(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const f = statFields(pid);
    if (f) parent.set(pid, Number(f[1]));
  }
  const tree = parent.has(root) ? [root] : [];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

export function memoryOf(pids: readonly number[]): { pss: number; rss: number } {
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    } catch {
      continue;
    }
    pss += Number(/\nPss:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024;
    rss += Number(/\nRss:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024;
  }
  return { pss, rss };
}

/** utime+stime of one process, in seconds (100 ticks a second). */
export function cpuSecondsOf(pid: number): number {
  const f = statFields(pid);
  return f ? (Number(f[11]) + Number(f[12])) / 100 : NaN;
}

export function contextSwitchesOf(pid: number): number {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0) + Number(/nonvoluntary_ctxt_switches:\s+(\d+)/.exec(s)?.[1] ?? 0);
  } catch {
    return NaN;
  }
}
