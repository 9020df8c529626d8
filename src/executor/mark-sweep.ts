/**
 * Finds the processes that left a command's group (setsid, double fork) by the environment
 * marker every command carries, EXECUTOR_RUN_MARK=<random> (DESIGN §12), and ends them.
 *
 * Reading /proc/<pid>/environ is the expensive part (the kernel walks the other process's
 * memory), and it costs the same for every process on the host whichever mark is wanted. So the
 * commands that end close together share one pass: each asks for its mark, the pass reads every
 * environ once, extracts the marker's value and looks it up among the marks waiting. One pass per
 * command made 200 commands ending together read /proc 200 times (O(sessions²), seconds of the
 * executor's event loop at 200 sessions). Passes are spaced by a few times the last one's cost,
 * so that a steady stream of endings spends a bounded share of the loop on them.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { hostPids, isRunning } from '../proc-state.ts';

export const RUN_MARK_VAR = 'EXECUTOR_RUN_MARK';

export interface EscapedProcess {
  pid: number;
  command: string;
}

export function newRunMark(): string {
  return randomBytes(12).toString('hex');
}

const KEY = Buffer.from(`${RUN_MARK_VAR}=`);
/** Passes are at least this far apart, and at least GAP_FACTOR times the last pass's duration. */
const MIN_GAP_MS = 10;
const MAX_GAP_MS = 200;
const GAP_FACTOR = 4;

/** One reused buffer for every environ: most fit in it; a bigger one is read in several gulps. */
let scratch = Buffer.allocUnsafe(64 * 1024);

/** The whole of /proc/<pid>/environ in `scratch` (its length returned); -1 when unreadable. */
function readEnviron(pid: string): number {
  let fd: number;
  try {
    fd = openSync(`/proc/${pid}/environ`, 'r');
  } catch {
    return -1; // exited meanwhile, or not ours to read
  }
  try {
    let length = 0;
    for (;;) {
      if (length === scratch.length) {
        const bigger = Buffer.allocUnsafe(scratch.length * 2);
        scratch.copy(bigger);
        scratch = bigger;
      }
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) return length;
      length += n;
    }
  } catch {
    return -1;
  } finally {
    closeSync(fd);
  }
}

/** The marker's value in an environ (the first definition, as getenv sees it), or null. */
function markOf(length: number): string | null {
  let at = scratch.indexOf(KEY);
  while (at !== -1 && at < length) {
    if (at === 0 || scratch[at - 1] === 0) {
      const start = at + KEY.length;
      const end = scratch.indexOf(0, start);
      return scratch.toString('latin1', start, end === -1 || end > length ? length : end);
    }
    at = scratch.indexOf(KEY, at + 1);
  }
  return null;
}

function commandOf(pid: number): string {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '';
  }
}

/** One pass over /proc: the live processes carrying each wanted mark (zombies excluded: they hold nothing). */
export function scanMarked(marks: ReadonlySet<string>): Map<string, EscapedProcess[]> {
  const found = new Map<string, EscapedProcess[]>();
  for (const entry of hostPids() ?? []) {
    if (Number(entry) === process.pid) continue;
    const length = readEnviron(entry);
    if (length <= 0) continue; // unreadable, or a kernel thread (no environment)
    const mark = markOf(length);
    if (mark === null || !marks.has(mark)) continue;
    const pid = Number(entry);
    if (!isRunning(pid)) continue;
    const list = found.get(mark) ?? [];
    list.push({ pid, command: commandOf(pid) });
    found.set(mark, list);
  }
  return found;
}

/** What one pass found for one mark, and which pass it was. */
interface Found {
  pass: number;
  processes: EscapedProcess[];
}

/** Gathers the marks wanted close together into one pass over /proc. */
class SweepBatcher {
  private pending = new Map<string, ((found: Found) => void)[]>();
  private scheduled = false;
  private nextPassAt = 0;
  passes = 0;

  find(mark: string): Promise<Found> {
    return new Promise((resolve) => {
      const waiting = this.pending.get(mark);
      if (waiting) waiting.push(resolve);
      else this.pending.set(mark, [resolve]);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const wait = this.nextPassAt - performance.now();
    // setImmediate: the endings handled in this turn of the loop join the pass.
    if (wait > 0) setTimeout(() => this.pass(), wait);
    else setImmediate(() => this.pass());
  }

  private pass(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    this.passes++;
    const started = performance.now();
    let found: Map<string, EscapedProcess[]>;
    try {
      found = scanMarked(new Set(batch.keys()));
    } catch {
      found = new Map(); // never leave a command waiting on a pass that failed
    }
    const took = performance.now() - started;
    this.nextPassAt = performance.now() + Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, took * GAP_FACTOR));
    const pass = this.passes;
    for (const [mark, resolvers] of batch) for (const resolve of resolvers) resolve({ pass, processes: found.get(mark) ?? [] });
  }
}

const batcher = new SweepBatcher();

/** How many passes over /proc this process has made (tests and diagnostics). */
export function sweepPasses(): number {
  return batcher.passes;
}

/** Live processes carrying the marker, found in the next shared pass over /proc. */
export async function findMarked(mark: string): Promise<EscapedProcess[]> {
  return (await batcher.find(mark)).processes;
}

const POLL_MS = 20;

/**
 * The grace periods of the sweeps whose escapes one pass found (and that share a grace): one
 * wait for all, until every one of their processes is gone or the grace is over. They then ask
 * for their SIGKILL follow-up in the same turn of the loop, so that is one pass too.
 */
const graces = new Map<string, { processes: EscapedProcess[]; over: Promise<void> }>();

function graceOver(pass: number, graceMs: number, processes: readonly EscapedProcess[]): Promise<void> {
  const key = `${pass}/${graceMs}`;
  let grace = graces.get(key);
  if (!grace) {
    const all: EscapedProcess[] = [];
    const deadline = performance.now() + graceMs;
    // The first check comes after a first wait: by then every sweep of that pass has joined.
    const over = (async () => {
      do await delay(POLL_MS);
      while (performance.now() < deadline && all.some((p) => isRunning(p.pid)));
      graces.delete(key);
    })();
    grace = { processes: all, over };
    graces.set(key, grace);
  }
  grace.processes.push(...processes);
  return grace.over;
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
  const { pass, processes: found } = await batcher.find(mark);
  if (found.length === 0) return found;
  for (const p of found) {
    signal(p.pid, 'SIGTERM');
    signal(p.pid, 'SIGCONT');
  }
  await graceOver(pass, graceMs, found);
  // A process started meanwhile by an escaped one carries the marker too.
  for (const p of await findMarked(mark)) signal(p.pid, 'SIGKILL');
  return found;
}
