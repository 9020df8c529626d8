/**
 * The process tree under a pid on Linux, from /proc/<pid>/task/<tid>/children. Processes come and
 * go while we read: any read that fails (the process or thread just vanished) is skipped.
 */
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The pid itself (when it still exists) and all its descendants; capped at `limit` pids. Read
 * synchronously: /proc is not a disk (each read is a few microseconds), and at the instant a pid
 * becomes known a short command may be gone before an asynchronous read comes back.
 */
export function processTreeSync(root: number, limit = 4096): number[] {
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0 && seen.size < limit) {
    const pid = queue.shift();
    if (pid === undefined || seen.has(pid)) continue;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    seen.add(pid);
    for (const tid of tasks) {
      let text = '';
      try {
        text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch {
        // the thread just ended
      }
      queue.push(...childPids(text, seen));
    }
  }
  return [...seen];
}

function childPids(text: string, seen: ReadonlySet<number>): number[] {
  return text
    .split(' ')
    .map(Number)
    .filter((child) => Number.isInteger(child) && child > 0 && !seen.has(child));
}

/** Resident set size from /proc/<pid>/status (`VmRSS`, in kB, so no page size is needed); null when gone. */
export function rssBytesSync(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/** One reading of one process from /proc: its CPU ticks (own, and of its reaped children) and its memory. */
export interface ProcReading {
  pid: number;
  ppid: number;
  /** utime + stime: this process's own CPU, in clock ticks. */
  selfTicks: number;
  /** cutime + cstime: CPU of the children it has reaped (and theirs), in clock ticks. */
  childTicks: number;
  /** A zombie: its ticks are final and it holds no memory. */
  zombie: boolean;
  rssBytes: number;
  /** Proportional set size from smaps_rollup; null when that file is not readable (or the process has no memory map). */
  pssBytes: number | null;
}

/**
 * Reads /proc/<pid>/stat and /proc/<pid>/smaps_rollup (PSS and RSS; /proc/<pid>/status when
 * smaps_rollup is unreadable); null when the process is gone. `wantPss` false skips the page-table
 * walk smaps_rollup costs the kernel.
 */
export function readProcSync(pid: number, wantPss = true): ProcReading | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces or ")": the fields start after the last ")".
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const zombie = f[0] === 'Z' || f[0] === 'X';
  const reading: ProcReading = {
    pid,
    ppid: Number(f[1]),
    selfTicks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
    zombie,
    rssBytes: 0,
    pssBytes: null,
  };
  if (zombie) return reading;
  if (wantPss) {
    const rollup = readOr(`/proc/${pid}/smaps_rollup`);
    const pss = kbField(rollup, 'Pss');
    const rss = kbField(rollup, 'Rss');
    if (pss !== null && rss !== null) {
      reading.pssBytes = pss;
      reading.rssBytes = rss;
      return reading;
    }
  }
  reading.rssBytes = rssBytesSync(pid) ?? 0;
  return reading;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

function kbField(text: string, name: string): number | null {
  const at = text.indexOf(`\n${name}:`);
  if (at < 0) return null;
  const kb = /^\s*(\d+)\s+kB/.exec(text.slice(at + name.length + 2, at + name.length + 40))?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
}
