/**
 * One command's process group: spawn, stream lines out, pause/resume, and end the WHOLE group
 * (SIGTERM, then SIGKILL after a grace period) on cancel, deadline, disconnect or shutdown.
 *
 * When the command's shell exits, anything it left behind in its group (a background job) is
 * ended too: a session owns exactly one process group, and nothing outlives it. A process that
 * escapes its group (setsid, double fork into a new session) is found by its environment marker,
 * ended and reported (mark-sweep.ts); the executor's reaper ends the group if the executor dies
 * first (reaper.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { hostPids, statFields } from '../proc-state.ts';
import type { Readable } from 'node:stream';
import { outputFrame, type OutputStream, type ProcessCompletedParams } from '../protocol/index.ts';
import { LineSplitter } from './lines.ts';
import { ProcessSpan, type RpcEndpoints } from './trace.ts';
import { endMarked, newRunMark, RUN_MARK_VAR } from './mark-sweep.ts';
import type { GroupReaper } from './reaper.ts';

/** Why stressd ended a group (`process.completed`'s `terminated_by`); server shutdown counts as a disconnect. */
export type TerminationReason = 'deadline' | 'cancel' | 'disconnect';

export interface ProcessOptions {
  command: string;
  shell: string;
  /** The command's whole environment (clean-env.ts): nothing of the executor's own is inherited. */
  env: Record<string, string>;
  /** Seconds; a real deadline after which the group is ended. */
  timeoutSeconds?: number;
  killGraceMs: number;
  /** The executor's reaper: told when the group starts and when it is gone. */
  reaper: GroupReaper;
  traceparent?: unknown;
  /** The session's connection, for the SERVER span's `server.*` and `client.*` attributes. */
  endpoints?: RpcEndpoints;
  /** The `execute` request's JSON-RPC id, for the SERVER span's `jsonrpc.request.id`. */
  requestId?: string | number | undefined;
  /** Sends one text frame to the client. */
  send: (frame: string) => void;
  /** True while the socket holds more than its high-water mark: reading pauses until it drains. */
  congested: () => boolean;
}

/** How long after the shell exits its pipes may stay open (held by a leftover child) before the group is ended. */
const LINGER_MS = 1_000;
const POLL_MS = 20;
const DRAIN_POLL_MS = 5;

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return process.platform !== 'linux' || groupHasLiveMember(pgid);
}

/**
 * kill(-pgid, 0) also succeeds while only zombies are left, and orphans are reaped by PID 1 when
 * it gets round to it (seconds, in some containers): count only members that still run.
 */
function groupHasLiveMember(pgid: number): boolean {
  const entries = hostPids();
  if (entries === null) return true;
  for (const entry of entries) {
    const fields = statFields(entry);
    if (fields === null) continue; // exited meanwhile
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export class ManagedProcess {
  readonly pid: number;
  readonly pgid: number;
  /** Resolves with process.completed's params once the process has exited and its group is gone. */
  readonly completed: Promise<ProcessCompletedParams>;
  private terminatedBy: TerminationReason | null = null;
  private exited = false;
  private readonly startedAt = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly splitters: LineSplitter[] = [];
  private drainTimer: NodeJS.Timeout | undefined;
  private killing: Promise<void> | undefined;
  private readonly span: ProcessSpan | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: ProcessOptions,
    private readonly mark: string,
  ) {
    this.pid = child.pid as number;
    this.pgid = this.pid; // detached: the child is a session and group leader
    options.reaper.watch(this.pgid, mark);
    this.span = ProcessSpan.start(options.traceparent, this.pid, { ...options.endpoints, requestId: options.requestId });
    this.completed = this.run();
  }

  /** Spawns `<shell> -c <command>` in a new process group; rejects if the shell cannot start. */
  static async start(options: ProcessOptions): Promise<ManagedProcess> {
    const mark = newRunMark();
    // The clean environment (clean-env.ts) plus the run mark, added after the cleaning: how escaped processes are found.
    const env: NodeJS.ProcessEnv = { ...options.env, [RUN_MARK_VAR]: mark };
    const child = spawn(options.shell, ['-c', options.command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    await once(child, 'spawn'); // throws the 'error' event (ENOENT for a missing shell)
    return new ManagedProcess(child, options, mark);
  }

  get running(): boolean {
    return !this.exited;
  }

  /** Starts reading output: call after process.started is sent, so output never precedes it. */
  begin(): void {
    const { stdout, stderr } = this.child;
    if (stdout) this.read(stdout, 'stdout');
    if (stderr) this.read(stderr, 'stderr');
  }

  pause(): boolean {
    return signalGroup(this.pgid, 'SIGSTOP');
  }

  resume(): boolean {
    return signalGroup(this.pgid, 'SIGCONT');
  }

  /** Ends the whole group: SIGTERM (and SIGCONT, so a stopped group can act on it), SIGKILL after the grace period. */
  terminate(reason: TerminationReason): Promise<void> {
    // A command that already exited on its own was not ended by us, whatever comes after.
    if (!this.exited) this.terminatedBy ??= reason;
    this.killing ??= this.endGroup();
    return this.killing;
  }

  private async endGroup(): Promise<void> {
    if (!groupAlive(this.pgid)) return;
    signalGroup(this.pgid, 'SIGTERM');
    signalGroup(this.pgid, 'SIGCONT');
    if (await this.waitGroupGone(this.options.killGraceMs)) return;
    signalGroup(this.pgid, 'SIGKILL');
    await this.waitGroupGone(2_000);
  }

  private async waitGroupGone(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (groupAlive(this.pgid)) {
      if (performance.now() >= deadline) return false;
      await this.sleep(POLL_MS);
    }
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private read(stream: Readable, type: OutputStream): void {
    const send = this.options.send;
    const splitter = new LineSplitter((data, index, total, truncated) => send(outputFrame(type, data, index, total, truncated)));
    this.splitters.push(splitter);
    stream.on('data', (chunk: Buffer) => {
      splitter.push(chunk);
      if (this.drainTimer === undefined && this.options.congested()) this.holdReading();
    });
    stream.once('end', () => splitter.end());
  }

  /** Backpressure: stop reading both pipes until the socket drains; the child then blocks on a full pipe. */
  private holdReading(): void {
    const { stdout, stderr } = this.child;
    stdout?.pause();
    stderr?.pause();
    this.drainTimer = setInterval(() => {
      if (this.options.congested()) return;
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
      stdout?.resume();
      stderr?.resume();
    }, DRAIN_POLL_MS);
  }

  private async run(): Promise<ProcessCompletedParams> {
    const { child } = this;
    const deadlineMs = this.options.timeoutSeconds === undefined ? undefined : this.options.timeoutSeconds * 1000;
    if (deadlineMs !== undefined) {
      const t = setTimeout(() => void this.terminate('deadline'), deadlineMs);
      this.timers.add(t);
    }
    const streamsClosed = Promise.all(
      [child.stdout, child.stderr].map((s) => (s && !s.readableEnded ? once(s, 'close').then(() => undefined, () => undefined) : undefined)),
    );
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    this.exited = true;
    const executionTime = (performance.now() - this.startedAt) / 1000;
    // A leftover child may hold the pipes open: give it a moment, then end what is left of the group.
    await Promise.race([streamsClosed, this.sleep(LINGER_MS)]);
    this.killing ??= this.endGroup(); // sweeps what the command left in its group
    await this.killing;
    // Whatever still carries the marker left the group on purpose (setsid, double fork).
    const escaped = await endMarked(this.mark, this.options.killGraceMs);
    this.options.reaper.release(this.pgid);
    await this.drainPipes(streamsClosed);
    this.dispose();
    const terminatedBy = this.terminatedBy;
    const outputBytes = this.splitters.reduce((n, s) => n + s.bytes, 0);
    const outputLines = this.splitters.reduce((n, s) => n + s.lines, 0);
    this.span?.end({ exitCode: code, signal, outputBytes, outputLines, terminatedBy });
    return {
      status: code === 0 ? 'completed' : 'failed',
      pid: this.pid,
      pgid: this.pgid,
      exit_code: code,
      error: terminatedBy === 'deadline' ? `Deadline of ${this.options.timeoutSeconds}s passed; process group ended` : null,
      execution_time: Math.round(executionTime * 1000) / 1000,
      early_completion_detected: false,
      early_completion_time: null,
      time_saved: null,
      completion_marker: null,
      signal,
      terminated_by: terminatedBy,
      escaped_processes: escaped,
    };
  }

  /**
   * With the group gone, the pipes end once read. Output held back by a slow client is still
   * delivered; only a pipe kept open by a process outside the group (setsid) is cut, once the
   * socket is not what holds the reading back.
   */
  private async drainPipes(streamsClosed: Promise<unknown>): Promise<void> {
    for (;;) {
      const closed = await Promise.race([streamsClosed.then(() => true), this.sleep(LINGER_MS).then(() => false)]);
      if (closed) return;
      if (this.drainTimer !== undefined) continue;
      this.child.stdout?.destroy();
      this.child.stderr?.destroy();
      for (const s of this.splitters) s.end();
      await streamsClosed;
      return;
    }
  }

  private dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.drainTimer !== undefined) clearInterval(this.drainTimer);
    this.drainTimer = undefined;
  }
}
