/**
 * Resource peaks of the system under test, read from /proc (Linux). The first reading is taken
 * the moment the test's pid is known, then every FAST_MS for the first FAST_FOR_MS (a test of a
 * second gets ten readings, not two), then every `intervalMs`.
 *
 * Memory: the proportional set size (PSS, /proc/PID/smaps_rollup) summed over the tree, so pages
 * that forked processes share count once in all; summed RSS where smaps_rollup cannot be read.
 * Both peaks are kept and the result says which one `peak_memory_bytes` is.
 *
 * CPU: cumulative ticks of the tree, utime+stime of each process plus cutime+cstime (the CPU of
 * the children it reaped), so a child that lived and died between two readings still counts. The
 * peak rate is taken over windows of readings (cpu-window.ts). A remote executor's pids mean
 * nothing here: the result is then `{ measured: false, why }`, never zeros.
 */
import { performance } from 'node:perf_hooks';
import { CpuWindow, MIN_WINDOW_MS } from './cpu-window.ts';
import pidusage from 'pidusage';
import { askClockTicks, clockTicks } from '../proc-state.ts';
import { TreeReader, type ProcReading } from './proctree.ts';
import { whyNotCommand, type CommandCheck } from './pid-check.ts';
import type { ResourcePeaks } from '../result/types.ts';

/** The fast schedule at the start of a test. */
export const FAST_MS = 100;
export const FAST_FOR_MS = 2000;
/**
 * The share of one core the sampler may take: the next reading waits at least this many times
 * the last reading's cost, whatever the schedule asks. Reading /proc is synchronous (see
 * sampleNow), so this also bounds how long it holds up the event loop that times the stream (0.5 %:
 * a small tree (well under 1 ms) keeps the schedule; a tree of hundreds of processes under load
 * (~10 ms) is read every 2 s or so instead of stealing the CPU it measures).
 */
export const MAX_DUTY = 0.005;

export interface SamplerOptions {
  intervalMs: number;
  /** The executor's pid when it runs on this host; null when it is remote or not found (then see `check`). */
  localPid: number | null;
  /**
   * Set for a server on this host that stressd did not start: the commands' pids are real here
   * once checked (pid-check.ts), so their trees are read even when the server's own pid is unknown.
   */
  check?: CommandCheck;
  /** Why the executor's own figures are missing (its process was not found), reported beside the tree's. */
  executorWhy?: string;
}

interface Seen {
  total: number;
  ppid: number;
}

export class ResourceSampler {
  readonly #intervalMs: number;
  readonly #localPid: number | null;
  readonly #check: CommandCheck | undefined;
  readonly #executorWhy: string | undefined;
  /** Why the reported pid was not sampled (it failed the check). */
  #rootWhy: string | null = null;
  #root: number | null = null;
  #rootAt = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #samples = 0;
  #peakPss = 0;
  #peakRss = 0;
  /** Readings of a live process that gave PSS; one that did not (exiting, unreadable) adds its RSS instead. */
  #pssReadings = 0;
  /** The last reading of each pid of the tree, to carry CPU across processes that end. */
  #seen = new Map<number, Seen>();
  #ticks = 0;
  readonly #cpu = new CpuWindow();
  readonly #execCpu = new CpuWindow();
  #execMemory: number | null = null;
  #execReading: Promise<void> | null = null;
  readonly #tree = new TreeReader();
  /** The CPU time the last reading took, in ms (CPU, not wall: a reading preempted on a busy machine cost no more). */
  #lastCostMs = 0;

  constructor(opts: SamplerOptions) {
    this.#intervalMs = Math.max(50, opts.intervalMs);
    this.#localPid = opts.localPid;
    this.#check = opts.check;
    this.#executorWhy = opts.executorWhy;
    if (this.#onHost) askClockTicks();
  }

  /** Whether the commands' pids mean something here. */
  get #onHost(): boolean {
    return this.#localPid !== null || this.#check !== undefined;
  }

  /**
   * The test's pid (and group), from the execute result or process.started: read at once, then on
   * the schedule. A pid from a server stressd did not start is checked first.
   */
  setRoot(pid: number, pgid: number | null = null): void {
    if (this.#stopped || !this.#onHost || this.#root !== null || this.#rootWhy !== null) return;
    if (this.#check !== undefined) {
      this.#rootWhy = whyNotCommand(pid, pgid, this.#check);
      if (this.#rootWhy !== null) return;
    }
    this.#root = pid;
    this.#rootAt = performance.now();
    this.#tick();
  }

  #tick(): void {
    this.#timer = null;
    if (this.#stopped) return;
    this.sampleNow();
    const age = performance.now() - this.#rootAt;
    this.#timer = setTimeout(() => this.#tick(), nextDelayMs(age, this.#intervalMs, this.#lastCostMs));
    this.#timer.unref();
  }

  /**
   * The executor is one process, not a tree: pidusage reads it (its own CPU time and RSS, on any
   * platform pidusage knows). `maxage` lets pidusage forget the pid: its clear() would leak the
   * descriptors it keeps (docs/contract-notes.md).
   */
  async #readExecutor(pid: number): Promise<void> {
    try {
      const s = await pidusage(pid, { maxage: 60_000 });
      // Stamped when the reading arrives, so the window's readings stay in time order.
      this.#execCpu.push(performance.now(), s.ctime / 1000);
      this.#execMemory = Math.max(this.#execMemory ?? 0, s.memory);
    } catch {
      // The executor is gone (a restart): its figures stay what they were.
    }
  }

  /** One synchronous reading of the tree and the executor (/proc reads are microseconds each). */
  sampleNow(): void {
    const root = this.#root;
    const exec = this.#localPid;
    if (root === null) return;
    const at = performance.now();
    const cpu0 = process.cpuUsage();
    const now = new Map<number, ProcReading>();
    for (const r of this.#tree.read(root, at, exec)) now.set(r.pid, r);
    const cpu = process.cpuUsage(cpu0);
    this.#lastCostMs = (cpu.user + cpu.system) / 1000;
    // In flight at most one at a time; stop() waits for the last one, so a short test has it too.
    if (exec !== null) this.#execReading ??= this.#readExecutor(exec).finally(() => (this.#execReading = null));
    if (now.size === 0) return;
    this.#addTicks(now);
    this.#cpu.push(at, this.#ticks / clockTicks());
    let pss = 0;
    let rss = 0;
    let live = 0;
    for (const r of now.values()) {
      if (r.zombie) continue;
      live++;
      rss += r.rssBytes;
      if (r.pssBytes === null) {
        pss += r.rssBytes;
      } else {
        pss += r.pssBytes;
        this.#pssReadings++;
      }
    }
    if (live === 0) return; // only a zombie: its final ticks count, but it holds no memory
    this.#samples++;
    this.#peakPss = Math.max(this.#peakPss, pss);
    this.#peakRss = Math.max(this.#peakRss, rss);
  }

  /**
   * Adds what the tree used since the last reading. A process gone since then was reaped by its
   * parent, whose cutime+cstime now holds all of it: its last reading is taken off so it counts
   * once. One whose reaper is not in the tree (the root, an orphan) took its last slice with it.
   */
  #addTicks(now: ReadonlyMap<number, ProcReading>): void {
    const prev = this.#seen;
    let delta = 0;
    for (const r of now.values()) delta += r.selfTicks + r.childTicks;
    for (const [pid, s] of prev) {
      if (now.has(pid) || reapedInTree(pid, prev, now)) delta -= s.total;
    }
    this.#ticks += Math.max(0, delta);
    const next = new Map<number, Seen>();
    for (const r of now.values()) next.set(r.pid, { total: r.selfTicks + r.childTicks, ppid: r.ppid });
    this.#seen = next;
  }

  /** Stops sampling, takes a last reading, and returns the peaks; idempotent. */
  async stop(): Promise<ResourcePeaks> {
    if (!this.#stopped) {
      if (this.#timer !== null) clearTimeout(this.#timer);
      this.#timer = null;
      this.sampleNow();
      this.#stopped = true;
    }
    await this.#execReading;
    return this.peaks();
  }

  peaks(): ResourcePeaks {
    if (!this.#onHost) return { measured: false, why: 'the executor is remote: its processes are not on this host' };
    if (this.#rootWhy !== null) return { measured: false, why: this.#rootWhy, measured_by: 'proc' };
    if (this.#root === null) return { measured: false, why: 'the process never started' };
    if (this.#samples === 0) return { measured: false, why: 'the process ended before the first sample' };
    const cpu = this.#cpu.peak();
    const pss = this.#pssReadings > 0;
    const execCpu = this.#execCpu.peak();
    return {
      measured: true,
      peak_cpu_ratio: cpu === null ? null : round(cpu),
      ...(cpu === null ? { cpu_why: `no two readings ${MIN_WINDOW_MS} ms apart: the process ended too soon for a CPU rate` } : {}),
      cpu_seconds: round(this.#ticks / clockTicks()),
      peak_memory_bytes: pss ? this.#peakPss : this.#peakRss,
      peak_rss_sum_bytes: this.#peakRss,
      memory_method: pss ? 'pss' : 'rss_sum',
      samples: this.#samples,
      executor_peak_cpu_ratio: execCpu === null ? null : round(execCpu),
      executor_peak_memory_bytes: this.#execMemory,
      ...(this.#executorWhy === undefined ? {} : { executor_why: this.#executorWhy }),
      measured_by: 'proc',
    };
  }
}

/** When the next reading is due: the schedule, stretched so that reading takes at most MAX_DUTY of the time. */
export function nextDelayMs(ageMs: number, intervalMs: number, lastCostMs: number): number {
  const scheduled = ageMs < FAST_FOR_MS ? Math.min(FAST_MS, intervalMs) : intervalMs;
  return Math.max(scheduled, lastCostMs / MAX_DUTY);
}

/** Whether a vanished pid's reaper (its parent, or its parent's, when that vanished too) is still in the tree. */
function reapedInTree(pid: number, prev: ReadonlyMap<number, Seen>, now: ReadonlyMap<number, ProcReading>): boolean {
  let parent = prev.get(pid)?.ppid;
  for (let hops = 0; parent !== undefined && hops < 64; hops++) {
    if (now.has(parent)) return true;
    parent = prev.get(parent)?.ppid;
  }
  return false;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
