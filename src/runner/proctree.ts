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
