/**
 * Nothing a command starts outlives the executor (DESIGN §12).
 *
 * Every command carries one environment marker, EXECUTOR_RUN_MARK=<random>, that its descendants
 * inherit even when they leave the process group (setsid, double fork). Two things use it:
 * - a reaper per command: a tiny `/bin/sh` in its own session whose stdin is a pipe from the
 *   executor. The executor writes one line when the group is gone and the reaper exits quietly;
 *   if the pipe closes without that line, the executor died (SIGKILL included), and the reaper
 *   ends the group and every marked process (SIGTERM, SIGKILL a second later);
 * - the end-of-test sweep: processes still marked after the group is gone escaped it; they are
 *   ended and reported in `process.completed.escaped_processes`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { isRunning } from '../proc-state.ts';

export const RUN_MARK_VAR = 'EXECUTOR_RUN_MARK';

export interface EscapedProcess {
  pid: number;
  command: string;
}

export function newRunMark(): string {
  return randomBytes(12).toString('hex');
}

// $1 pgid, $2 mark. `read` succeeds only on a full line from the executor: EOF means it is gone.
const REAPER_SCRIPT = `read _ && exit 0
marked() { grep -lzx "${RUN_MARK_VAR}=$2" /proc/[0-9]*/environ 2>/dev/null | sed 's,^/proc/,,;s,/environ$,,'; }
m=$(marked "$@"); kill -CONT -$1 $m 2>/dev/null; kill -TERM -$1 $m 2>/dev/null
sleep 1
m=$(marked "$@"); kill -KILL -$1 $m 2>/dev/null
exit 0`;

/** Watches one command's group on behalf of an executor that may die without notice. */
export class GroupReaper {
  private constructor(private readonly child: ChildProcess) {}

  static start(pgid: number, mark: string): GroupReaper {
    const child = spawn('/bin/sh', ['-c', REAPER_SCRIPT, 'stressd-reaper', String(pgid), mark], {
      // Own session: a signal to the executor's group does not take the reaper with it.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      // Not marked itself, or its own scan would find it.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    child.unref();
    return new GroupReaper(child);
  }

  /** The group is gone: the reaper exits without touching anything. */
  release(): void {
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed) stdin.end('done\n');
  }
}

function readMarked(pid: string, needle: Buffer): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false; // exited meanwhile, or not ours to read
  }
  return environ.subarray(0, needle.length - 1).equals(needle.subarray(1)) || environ.includes(needle);
}

function commandOf(pid: number): string {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '';
  }
}

/** Live processes carrying the marker (zombies excluded: they hold nothing). */
export function findMarked(mark: string): EscapedProcess[] {
  const needle = Buffer.from(`\0${RUN_MARK_VAR}=${mark}\0`);
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const found: EscapedProcess[] = [];
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57 || Number(entry) === process.pid) continue;
    if (!readMarked(entry, needle) || !isRunning(Number(entry))) continue;
    found.push({ pid: Number(entry), command: commandOf(Number(entry)) });
  }
  return found;
}


function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** Ends every process still marked: SIGTERM (and SIGCONT), SIGKILL after `graceMs`. Returns what it found. */
export async function endMarked(mark: string, graceMs: number): Promise<EscapedProcess[]> {
  const found = findMarked(mark);
  if (found.length === 0) return found;
  for (const p of found) {
    signal(p.pid, 'SIGTERM');
    signal(p.pid, 'SIGCONT');
  }
  const deadline = performance.now() + graceMs;
  while (performance.now() < deadline && found.some((p) => isRunning(p.pid))) await delay(20);
  // A process started meanwhile by an escaped one carries the marker too.
  for (const p of findMarked(mark)) signal(p.pid, 'SIGKILL');
  return found;
}
