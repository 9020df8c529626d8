/**
 * Who owns a run's journal, and whether that process still lives (DESIGN section 13). A pid alone
 * is not enough: in a container the daemon is pid 1 before and after a restart, and pids are
 * reused; the boot id and the process's start time (from /proc) tell them apart.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { statFields } from '../proc-state.ts';
import type { JournalOwner } from '../result/types.ts';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}

/** Field 22 (starttime) of /proc/<pid>/stat. */
export function processStart(pid: number): string | null {
  return statFields(pid)?.[19]?.trim() || null;
}

export function bootId(): string | null {
  return readOrNull('/proc/sys/kernel/random/boot_id');
}

/** This process as a journal's owner. */
export function currentOwner(): Omit<JournalOwner, 'current_test'> {
  return { pid: process.pid, hostname: hostname(), boot_id: bootId(), process_start: processStart(process.pid) };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while the journal's writer may still be running. A journal of another host counts as
 * dead: a reports dir belongs to one daemon at a time (docs/daemon.md), and a pod that restarts
 * comes back under a new host name.
 */
export function ownerAlive(owner: JournalOwner | undefined): boolean {
  if (!owner) return false;
  if (owner.hostname !== hostname()) return false;
  const boot = bootId();
  if (owner.boot_id !== null && boot !== null && owner.boot_id !== boot) return false;
  if (!pidExists(owner.pid)) return false;
  const start = processStart(owner.pid);
  // Without /proc there is nothing more to compare: a live pid is taken to be the owner.
  return owner.process_start === null || start === null || owner.process_start === start;
}
