/** Whether a process runs, from /proc/<pid>/stat (Linux): shared by the executor's reaper and its supervisor. */
import { readdirSync, readFileSync } from 'node:fs';

/** The pid of every process on the host (the numeric entries of /proc); null when /proc cannot be read. */
export function hostPids(): string[] | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  return entries.filter((entry) => {
    const c = entry.charCodeAt(0);
    return c >= 48 && c <= 57;
  });
}

/** The state letter of /proc/<pid>/stat ('R', 'S', 'Z', …); null when it cannot be read (gone, or no /proc). */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the state follows the last ')'.
    const close = stat.lastIndexOf(')');
    return stat.slice(close + 2, close + 3) || null;
  } catch {
    return null;
  }
}

/** False once the process is gone or a zombie (its exit not yet handled by its parent). */
export function isRunning(pid: number): boolean {
  const state = procState(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}
