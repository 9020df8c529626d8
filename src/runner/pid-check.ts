/**
 * Whether a pid a server on this host reported is the command it started. A server we did not
 * start may sit in another pid namespace (a container) where its pids name other processes here,
 * or a pid may have been reused: sampling the wrong process would give confident, wrong figures.
 * So the pid must exist here, have started after the request was sent, lead the process group
 * the server reported, and have the command on its command line.
 */
import { basename } from 'node:path';
import { clockTicks, readProc, statFields } from '../proc-state.ts';

/** What the runner knows of the command before the server answers. */
export interface CommandCheck {
  command: string;
  /** Seconds since boot (/proc/uptime) just before the request was sent; null when unknown. */
  notBeforeUptime: number | null;
}

/** Seconds since boot, as /proc/<pid>/stat's starttime counts them; null without /proc. */
export function uptimeSeconds(): number | null {
  const first = readProc('/proc/uptime')?.split(' ')[0];
  const n = Number(first);
  return first === undefined || !Number.isFinite(n) ? null : n;
}

/**
 * Null when `pid` is the command's; otherwise why not, in words for the report. `pgid` is the
 * server's word for the process group (null when it did not say).
 */
export function whyNotCommand(pid: number, pgid: number | null, check: CommandCheck): string | null {
  const f = statFields(pid);
  if (f === null) {
    return `pid ${pid} the executor reported is not visible on this host (the server may run in another pid namespace, e.g. a container, or the command ended at once)`;
  }
  const startUptime = Number(f[19]) / clockTicks();
  // starttime is counted in ticks, /proc/uptime in hundredths: a tick of slack either way.
  if (check.notBeforeUptime !== null && startUptime + 2 / clockTicks() < check.notBeforeUptime) {
    const early = (check.notBeforeUptime - startUptime).toFixed(2);
    return `pid ${pid} the executor reported is not the command's: it started ${early} s before the request (another pid namespace, or a reused pid)`;
  }
  const group = Number(f[2]);
  if (pgid !== null && group !== pgid) {
    return `pid ${pid} the executor reported is not the command's: it is in process group ${group}, not ${pgid}`;
  }
  const argv = (readProc(`/proc/${pid}/cmdline`) ?? '').split('\0').filter((a) => a !== '');
  if (argv.length > 0 && !runsCommand(argv, check.command)) {
    return `pid ${pid} the executor reported is not the command's: its command line is ${JSON.stringify(argv.join(' ').slice(0, 120))}`;
  }
  return null;
}

/**
 * A shell started as `sh -c COMMAND` holds the command as one argument (a server may wrap it, so
 * "holds" is enough); a shell that exec'd a simple command became that command, so its program
 * is the command's first word. An empty cmdline (a kernel thread, a zombie) proves nothing either way.
 */
function runsCommand(argv: readonly string[], command: string): boolean {
  const text = command.trim();
  if (argv.some((a) => a.includes(text))) return true;
  const first = text.split(/\s+/)[0] ?? '';
  const program = basename(argv[0] ?? '');
  return first !== '' && (program === basename(first) || argv.join(' ').startsWith(text.slice(0, 64)));
}
