/**
 * The process tree under a pid on Linux, from /proc/<pid>/task/<tid>/children. Processes come and
 * go while we read: any read that fails (the process or thread just vanished) is skipped.
 */
import { readdir, readFile } from 'node:fs/promises';

/** The pid itself (when it still exists) and all its descendants; capped at `limit` pids. */
export async function processTree(root: number, limit = 4096): Promise<number[]> {
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0 && seen.size < limit) {
    const pid = queue.shift();
    if (pid === undefined || seen.has(pid)) continue;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    seen.add(pid);
    for (const tid of tasks) {
      let text: string;
      try {
        text = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const word of text.split(' ')) {
        const child = Number(word);
        if (Number.isInteger(child) && child > 0 && !seen.has(child)) queue.push(child);
      }
    }
  }
  return [...seen];
}
