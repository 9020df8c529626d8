/**
 * Reading /proc (Linux): whether a process runs, the host's pids, and one cheap reader of /proc
 * files, shared by the executor (its sweeps and group checks) and the runner's resource sampler.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

/** One buffer for every /proc read: the sampler and the sweeps read hundreds of small files at a time. */
const scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * A /proc file's text, or null when it cannot be opened (the process is gone). Half the cost of
 * readFileSync here: no fstat (a /proc file's size is 0 anyway), no Buffer per file.
 */
export function readProc(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  let text = '';
  try {
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, null);
      if (n <= 0) break;
      text += scratch.toString('latin1', 0, n);
    }
  } catch {
    // vanished mid-read: what came is what there is
  } finally {
    closeSync(fd);
  }
  return text;
}

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

/**
 * The fields of /proc/<pid>/stat from the state on: field n of proc(5) is `[n - 3]` (state `[0]`,
 * ppid `[1]`, pgrp `[2]`, starttime `[19]`). The command name (field 2) may hold spaces and
 * parentheses, so the fields start after the last ')'. Null when the process is gone (or no /proc).
 */
export function statFields(pid: number | string): string[] | null {
  const stat = readProc(`/proc/${pid}/stat`);
  return stat === null ? null : parseStatFields(stat);
}

/** Fields up to rss (proc(5) field 24): what any caller reads. */
const STAT_FIELDS_READ = 22;

/** An integer as text whose Number is finite: 400 digits match \d+ and are Infinity, which reached a result's JSON as null. */
function integerText(f: string): boolean {
  return /^-?\d+$/.test(f) && Number.isFinite(Number(f));
}

/**
 * The fields of one /proc/<pid>/stat text; null when it is not whole. A process that exits while
 * it is read can give an empty or cut-short text, whose missing fields would read as NaN ticks —
 * a NaN that reaches a result's JSON as null, which its own schema then rejects.
 */
export function parseStatFields(stat: string): string[] | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).trimEnd().split(' ');
  if (fields.length < STAT_FIELDS_READ || !fields.slice(1, STAT_FIELDS_READ).every(integerText)) return null;
  return fields;
}

/** The state letter of /proc/<pid>/stat ('R', 'S', 'Z', …); null when it cannot be read (gone, or no /proc). */
export function procState(pid: number): string | null {
  return statFields(pid)?.[0] || null;
}

/** False once the process is gone or a zombie (its exit not yet handled by its parent). */
export function isRunning(pid: number): boolean {
  const state = procState(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}

/** Clock ticks per second (the unit of /proc/<pid>/stat's times): 100 on every Linux seen; asked of getconf once, in the background. */
let ticksPerSecond = 100;
let asked = false;
export function askClockTicks(): void {
  if (asked) return;
  asked = true;
  execFile('getconf', ['CLK_TCK'], (error, stdout) => {
    const n = Number(stdout.trim());
    if (!error && Number.isInteger(n) && n > 0) ticksPerSecond = n;
  });
}

export function clockTicks(): number {
  return ticksPerSecond;
}
