/**
 * A port already in use is bad input (DESIGN §4): found before anything else starts (tracing, the
 * executor child), so the user gets one clear line and exit 2 instead of a half-started daemon.
 * A probe listens and closes at once; the real listen comes moments later, and if another process
 * takes the port in between, that listen fails as before.
 */
import { createServer } from 'node:net';

/** Null when `host:port` can be listened on; else the message naming the address and what changes it. */
export function portProblem(host: string, port: number, change: string): Promise<string | null> {
  if (port === 0) return Promise.resolve(null);
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(`${address} is already in use; choose another with ${change}`);
      else if (err.code === 'EACCES') resolve(`${address}: permission denied (ports below 1024 need privileges); choose another with ${change}`);
      else if (err.code === 'EADDRNOTAVAIL') resolve(`${address}: no such address on this machine; choose another host`);
      else resolve(`${address}: cannot listen (${err.code ?? err.message})`);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
