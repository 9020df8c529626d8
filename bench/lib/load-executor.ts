/**
 * The embedded executor in a process of its own for bench/load.bench.ts, so that its CPU and
 * memory are not stressd's: `stressd executor` has no session-limit flag and the default (100) is
 * below the bench's 200. Prints one JSON line with its URL, then serves until SIGTERM.
 */
import { startExecutor } from '../../src/executor/server.ts';

const server = await startExecutor({ port: 0, maxSessions: 1000 });
process.stdout.write(`${JSON.stringify({ url: server.url, pid: process.pid })}\n`);
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
