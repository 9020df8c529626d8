/**
 * Runs `stressd executor` as a child process (what `stressd run` and the daemon use): a random
 * token passed through the environment (never argv, which `ps` shows), a 15 s deadline for the
 * ready line, and a close() that ends it (SIGTERM, SIGKILL after 5 s). The child gets a clean
 * environment (clean-env.ts childEnv), never the daemon's tokens. Its stdin is a pipe from this
 * process: when this process dies, however it dies, the child shuts down (--parent-pipe).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ErrorCode, StressdError } from '../errors.ts';
import { listen } from '../listeners.ts';
import { childEnv } from './clean-env.ts';

export interface SpawnExecutorOptions {
  allow?: string[];
  heartbeatMs?: number;
  /** Added to the child's clean environment (clean-env.ts childEnv); the rest of ours is not inherited. */
  env?: Record<string, string>;
  /** Names of our variables that the child receives and hands on to commands (`env_passthrough`). */
  envPassthrough?: readonly string[];
  /** Listen port; default 0 (ephemeral). The daemon passes the old port when it restarts a crashed child. */
  port?: number;
  /** Receives each line the child logs on stderr (JSON); by default they are dropped (the last 4 KiB are kept for errors). */
  onLog?: (line: string) => void;
  /** Default 15,000. */
  readyTimeoutMs?: number;
}

export interface ExecutorChild {
  url: string;
  token: string;
  pid: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  /** SIGTERM, SIGKILL after 5 s; idempotent. */
  close(): Promise<void>;
}

/** Compiled (dist/*.js, the product build) the child is plain node; from the sources it needs tsx. */
const COMPILED = import.meta.url.endsWith('.js');
const CLI = fileURLToPath(new URL(COMPILED ? '../cli.js' : '../cli.ts', import.meta.url));
const KILL_AFTER_MS = 5_000;
const TAIL_BYTES = 4096;

/**
 * Memory settings for a long-lived stressd process (the daemon's launchers use them too; see
 * docs/operations.md). Left to its defaults, V8 doubles the young generation each time enough
 * bytes have survived since it last grew — over months, always — up to 2 × 16 MB, and glibc gives
 * every thread that allocates an arena of its own: RSS steps up over hours and never comes back
 * (docs/benchmarks.md, Soak: +12 MB in the executor, +28 MB in the daemon over 1,000 runs, with the
 * heap after GC flat). A 4 MB cap on the semi-space and two arenas hold both within a few MB; a
 * 2 MB cap did too, at ~5 % more CPU under a 200-session load (docs/benchmarks.md, Load).
 */
export const NODE_MEMORY_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
export const MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

export async function spawnExecutor(opts: SpawnExecutorOptions = {}): Promise<ExecutorChild> {
  const token = randomBytes(24).toString('base64url');
  const loader = COMPILED ? [] : ['--import', import.meta.resolve('tsx')];
  const args = [...NODE_MEMORY_FLAGS, ...loader, CLI, 'executor', '--host', '127.0.0.1', '--port', String(opts.port ?? 0), '--parent-pipe'];
  if (opts.heartbeatMs !== undefined) args.push('--heartbeat-ms', String(opts.heartbeatMs));
  if (opts.allow && opts.allow.length > 0) args.push('--allow', opts.allow.join(','));
  const passthrough = opts.envPassthrough ?? [];
  if (passthrough.length > 0) args.push('--env-passthrough', passthrough.join(','));
  const child = spawn(process.execPath, args, {
    // stdin is the "parent alive" pipe: nothing is written to it, and its end (this process dying,
    // SIGKILL included) makes the child shut down and end its commands' groups.
    stdio: ['pipe', 'pipe', 'pipe'],
    // Not our whole environment: STRESSD_TOKEN and the daemon's other secrets stay with the daemon.
    env: childEnv(process.env, passthrough, { ...MALLOC_ENV, ...opts.env, STRESSD_EXECUTOR_TOKEN: token }),
  });
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', () => resolve({ code: null, signal: null }));
  });

  let tail = '';
  let stderrBuf = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    tail = (tail + text).slice(-TAIL_BYTES);
    if (!opts.onLog) return;
    stderrBuf += text;
    const lines = stderrBuf.split('\n');
    stderrBuf = lines.pop() ?? '';
    for (const line of lines) if (line) opts.onLog(line);
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
    })());

  try {
    const ready = await readyLine(child, exited, opts.readyTimeoutMs ?? 15_000, () => tail);
    // Keep draining stdout so that a chatty child never blocks on a full pipe.
    child.stdout.resume();
    return { url: ready.url, token, pid: child.pid as number, child, exited, close };
  } catch (err) {
    await close();
    throw err;
  }
}

interface ReadyLine {
  msg: 'listening';
  url: string;
  port: number;
  pid: number;
}

function readyLine(child: ChildProcess, exited: Promise<{ code: number | null; signal: string | null }>, timeoutMs: number, tail: () => string): Promise<ReadyLine> {
  const stdout = child.stdout;
  if (!stdout) return Promise.reject(new Error('executor child has no stdout'));
  return new Promise<ReadyLine>((resolve, reject) => {
    let buf = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      unlisten();
    };
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Partial<ReadyLine>;
          if (parsed.msg === 'listening' && typeof parsed.url === 'string') {
            cleanup();
            resolve(parsed as ReadyLine);
            return;
          }
        } catch {
          // not the ready line: keep waiting
        }
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new StressdError(ErrorCode.timeout, `stressd executor (pid ${child.pid}): no ready line within ${timeoutMs} ms; stderr: ${tail().trim() || '(empty)'}`));
    }, timeoutMs);
    const unlisten = listen(stdout, { data: onData });
    void exited.then(({ code, signal }) => {
      cleanup();
      reject(new StressdError(ErrorCode.connectFailed, `stressd executor (pid ${child.pid}) exited (code ${code}, signal ${signal}) before it was ready; stderr: ${tail().trim() || '(empty)'}`));
    });
  });
}
