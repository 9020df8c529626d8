/**
 * The process that listens on a TCP port of this host: the listening socket's inode from
 * /proc/net/tcp and tcp6, then the process holding a descriptor to `socket:[inode]`. It is how
 * stressd finds a cc_executor it did not start (to read the server's own CPU and memory).
 * Reading every process's descriptors costs a few milliseconds, so the answer is remembered and
 * only re-checked (that process still holds the socket) on the next ask.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { hostPids, readProc } from '../proc-state.ts';

export type SocketOwner = { pid: number } | { pid: null; why: string };

/** TCP state 0A is LISTEN (include/net/tcp_states.h). */
const LISTEN = '0A';

/** The inodes of the sockets listening on `port` (any address), from both tables. */
export function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = readProc(table) ?? '';
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const local = cols[1];
      if (local === undefined || cols[3] !== LISTEN || cols[9] === undefined || cols[9] === '0') continue;
      if (local.slice(local.lastIndexOf(':') + 1) === hexPort) inodes.add(cols[9]);
    }
  }
  return inodes;
}

function holdsSocket(pid: string, links: ReadonlySet<string>): boolean | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return null; // gone, or another user's process
  }
  for (const fd of fds) {
    try {
      if (links.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return true;
    } catch {
      // closed while we looked
    }
  }
  return false;
}

const remembered = new Map<number, number>();

/** The pid listening on `port`, or why it cannot be named. */
export function socketOwner(port: number): SocketOwner {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) {
    return { pid: null, why: `nothing listens on port ${port} in this host's network namespace (the server may run in a container)` };
  }
  const links = new Set([...inodes].map((i) => `socket:[${i}]`));
  const known = remembered.get(port);
  if (known !== undefined && holdsSocket(String(known), links) === true) return { pid: known };
  remembered.delete(port);
  let unreadable = 0;
  for (const pid of hostPids() ?? []) {
    const holds = holdsSocket(pid, links);
    if (holds === null) unreadable++;
    else if (holds) {
      remembered.set(port, Number(pid));
      return { pid: Number(pid) };
    }
  }
  return {
    pid: null,
    why: unreadable > 0
      ? `the process listening on port ${port} is not readable here (another user's process: its /proc/PID/fd is closed to stressd)`
      : `no process on this host holds the socket listening on port ${port} (another pid namespace)`,
  };
}
