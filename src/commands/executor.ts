/**
 * `stressd executor`: the embedded server on its own. Prints ONE ready line on stdout (what
 * spawnExecutor waits for), logs JSON to stderr, and on SIGTERM/SIGINT ends every process group
 * before resolving 0. With --parent-pipe (how spawnExecutor starts it) the end of stdin means the
 * parent died, however it died: the executor shuts down the same way, at once, without polling.
 */
import { userInfo } from 'node:os';
import pino from 'pino';
import { StressdError } from '../errors.ts';
import { parseHosts, parseOrigins } from '../request-origin.ts';
import { startTracing } from '../telemetry/tracing.ts';
import { startExecutor } from '../executor/server.ts';
import { listen } from '../listeners.ts';
import { portProblem } from './port-check.ts';

export interface ExecutorCommandOptions {
  host: string;
  port: number;
  allow?: string[];
  /** Names of this process's variables that commands may see (`env_passthrough`). */
  envPassthrough?: string[];
  token?: string;
  /** Origins whose pages may connect (a browser sends Origin; stressd's client and other programs send none). */
  allowOrigin?: string[];
  /** Host names beside the listening address and localhost that the upgrade may name. */
  allowHost?: string[];
  heartbeatMs: number;
  parentPipe?: boolean;
}

export async function executorCommand(opts: ExecutorCommandOptions): Promise<number> {
  // Synchronous writes: the last lines before an exit must not be lost.
  const busy = await portProblem(opts.host, opts.port, '--port or STRESSD_EXECUTOR_PORT');
  if (busy !== null) {
    process.stderr.write(`stressd: ${busy}\n`);
    return 2;
  }
  let allowOrigins: string[];
  let allowHosts: string[];
  try {
    allowOrigins = parseOrigins(opts.allowOrigin ?? [], '--allow-origin or STRESSD_EXECUTOR_ALLOW_ORIGIN');
    allowHosts = parseHosts(opts.allowHost ?? [], '--allow-host or STRESSD_EXECUTOR_ALLOW_HOST');
  } catch (err) {
    if (!(err instanceof StressdError)) throw err;
    process.stderr.write(`stressd: ${err.message}\n`);
    return 2;
  }
  const logger = pino({ name: 'stressd-executor', base: { pid: process.pid } }, pino.destination({ dest: 2, sync: true }));
  // Continues the client's trace (params._meta.traceparent) when OTEL_* names a collector; off
  // otherwise. Always its own service, whatever OTEL_SERVICE_NAME it inherited from the daemon.
  const tracing = await startTracing({ serviceName: 'stressd-executor', fixedServiceName: true, logger });
  let server: Awaited<ReturnType<typeof startExecutor>>;
  try {
    server = await startExecutor({
      host: opts.host,
      port: opts.port,
      token: opts.token || undefined,
      allow: opts.allow && opts.allow.length > 0 ? opts.allow : undefined,
      envPassthrough: opts.envPassthrough ?? [],
      allowOrigins,
      allowHosts,
      heartbeatIntervalMs: Number.isFinite(opts.heartbeatMs) && opts.heartbeatMs > 0 ? opts.heartbeatMs : 30_000,
      logger,
    });
  } catch (err) {
    await tracing.shutdown();
    throw err;
  }
  if (!opts.token && !(opts.allow && opts.allow.length > 0)) openWarning(logger, opts.host, server.port, allowOrigins);
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: server.url, port: server.port, pid: process.pid })}\n`);
  const signal = await new Promise<NodeJS.Signals | 'parent gone'>((resolve) => {
    const onSignal = (sig: NodeJS.Signals | 'parent gone'): void => {
      unlisten();
      resolve(sig);
    };
    const unlisten = listen(process, { SIGTERM: onSignal, SIGINT: onSignal });
    if (opts.parentPipe) {
      // The parent never writes; only the pipe's end matters. Errors (EPIPE, EIO) mean the same.
      process.stdin.on('data', () => undefined);
      process.stdin.once('end', () => onSignal('parent gone'));
      process.stdin.once('error', () => onSignal('parent gone'));
    }
  });
  logger.info({ signal }, 'shutting down');
  if (opts.parentPipe) process.stdin.destroy();
  await server.close();
  await tracing.shutdown();
  return 0;
}

/** Without a token or an allow-list the executor is a shell for whoever reaches it: it says so, once, at start. */
function openWarning(logger: pino.Logger, host: string, port: number, origins: readonly string[]): void {
  const user = userInfo().username;
  logger.warn({
    runs: 'any shell command line', as_user: user, for: `every process on this machine that can connect to ${host}:${port} (any local user)`,
    browser_pages: origins.length > 0 ? origins : 'none (a request with an Origin header is refused)',
  }, `no token and no --allow: any local process can run any command as ${user}; set STRESSD_EXECUTOR_TOKEN or --allow to narrow it`);
}
