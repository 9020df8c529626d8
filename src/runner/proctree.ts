/**
 * The process tree under a pid on Linux, from /proc/<pid>/task/<tid>/children. Processes come and
 * go while we read: any read that fails (the process or thread just vanished) is skipped.
 */
import { readdirSync } from 'node:fs';
import { readProc, statFields } from '../proc-state.ts';

/**
 * Visits `root` (when it still exists) and its descendants breadth first, each with its stat
 * reading; capped at `limit` processes. Read synchronously: /proc is not a disk (each read is a
 * few microseconds), and at the instant a pid becomes known a short command may be gone before an
 * asynchronous read comes back.
 */
function walkTree(root: number, limit: number, visit: (r: ProcReading) => void): void {
  const seen = new Set<number>();
  const queue = [root];
  for (let i = 0; i < queue.length && seen.size < limit; i++) {
    const pid = queue[i] as number;
    if (seen.has(pid)) continue;
    const r = readStatSync(pid);
    if (r === null) continue;
    seen.add(pid);
    for (const child of childrenOf(pid, r.threads)) if (!seen.has(child)) queue.push(child);
    visit(r);
  }
}

/** Resident set size from /proc/<pid>/status (`VmRSS`, in kB, so no page size is needed); null when gone. */
export function rssBytesSync(pid: number): number | null {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readProc(`/proc/${pid}/status`) ?? '')?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
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
  /** num_threads from stat: a single-threaded process's children are all under its one task. */
  threads: number;
  /** Resident pages from stat: unchanged pages mean an unchanged memory map, so a cached PSS still holds. */
  rssPages: number;
}

/** /proc/<pid>/stat alone (no memory yet); null when the process is gone. */
function readStatSync(pid: number): ProcReading | null {
  const f = statFields(pid);
  if (f === null) return null;
  return {
    pid,
    ppid: Number(f[1]),
    selfTicks: Number(f[11]) + Number(f[12]),
    childTicks: Number(f[13]) + Number(f[14]),
    zombie: f[0] === 'Z' || f[0] === 'X',
    rssBytes: 0,
    pssBytes: null,
    threads: Number(f[17]) || 1,
    rssPages: Number(f[21]) || 0,
  };
}

/** PSS and RSS from smaps_rollup; RSS from /proc/<pid>/status when smaps_rollup is unreadable. */
function addMemory(reading: ProcReading): void {
  const rollup = readProc(`/proc/${reading.pid}/smaps_rollup`) ?? '';
  const pss = kbField(rollup, 'Pss');
  const rss = kbField(rollup, 'Rss');
  if (pss !== null && rss !== null) {
    reading.pssBytes = pss;
    reading.rssBytes = rss;
  } else {
    reading.rssBytes = rssBytesSync(reading.pid) ?? 0;
  }
}

/** A process's last memory reading, kept between walks of one tree. */
interface CachedMemory {
  rssPages: number;
  rssBytes: number;
  pssBytes: number | null;
  at: number;
}

/**
 * Reads a whole tree in one walk, each process once: its stat, its children (one file for a
 * single-threaded process, a file per thread otherwise) and its memory. smaps_rollup makes the
 * kernel walk the process's page tables — the dearest read by far, ~5 times a stat — so it is
 * taken again only for a process whose resident pages changed since, or every `pssRefreshMs`
 * (a PSS also moves when sharers of its pages come and go). A tree of 400 idle shells is then
 * read for the price of its stats.
 */
export class TreeReader {
  readonly #cache = new Map<number, CachedMemory>();

  constructor(private readonly pssRefreshMs = 5000) {}

  /** Processes whose memory is remembered: those of the last walk. */
  get cached(): number {
    return this.#cache.size;
  }

  /** The readings of `root` and its descendants, but `skip` (its own memory is read elsewhere); capped at `limit`. */
  read(root: number, now: number, skip: number | null = null, limit = 4096): ProcReading[] {
    const readings: ProcReading[] = [];
    walkTree(root, limit, (r) => {
      if (r.pid === skip) return;
      if (!r.zombie) this.#memory(r, now);
      readings.push(r);
    });
    const live = new Set(readings.map((r) => r.pid));
    for (const pid of this.#cache.keys()) if (!live.has(pid)) this.#cache.delete(pid);
    return readings;
  }

  #memory(r: ProcReading, now: number): void {
    const cached = this.#cache.get(r.pid);
    if (cached !== undefined && cached.rssPages === r.rssPages && now - cached.at < this.pssRefreshMs) {
      r.rssBytes = cached.rssBytes;
      r.pssBytes = cached.pssBytes;
      return;
    }
    addMemory(r);
    this.#cache.set(r.pid, { rssPages: r.rssPages, rssBytes: r.rssBytes, pssBytes: r.pssBytes, at: now });
  }
}

function childrenOf(pid: number, threads: number): number[] {
  let tids: string[] = [String(pid)];
  if (threads > 1) {
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return [];
    }
  }
  const kids: number[] = [];
  for (const tid of tids) {
    // null: the thread just ended
    const text = readProc(`/proc/${pid}/task/${tid}/children`) ?? '';
    for (const word of text.split(' ')) {
      const child = Number(word);
      if (Number.isInteger(child) && child > 0) kids.push(child);
    }
  }
  return kids;
}

function kbField(text: string, name: string): number | null {
  const at = text.indexOf(`\n${name}:`);
  if (at < 0) return null;
  const kb = /^\s*(\d+)\s+kB/.exec(text.slice(at + name.length + 2, at + name.length + 40))?.[1];
  return kb === undefined ? null : Number(kb) * 1024;
}
