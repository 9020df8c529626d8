/**
 * Resource peaks of the system under test. Every `intervalMs` it lists the process tree of the
 * test's pid (the process-group leader is the shell; its descendants are what burns) and asks
 * pidusage about the whole set at once, recording the peak SUMMED CPU (1.0 = one core) and the
 * peak summed RSS (shared pages count once per process, so this overstates a little). The local
 * executor's own process is sampled separately. A remote executor's pids mean nothing here: the
 * result is then `{ measured: false, why }`, never zeros.
 */
import pidusage from 'pidusage';
import { processTreeSync, rssBytesSync } from './proctree.ts';
import type { ResourcePeaks } from '../result/types.ts';

export interface SamplerOptions {
  intervalMs: number;
  /** The executor's pid when it runs on this host; null when it is remote (nothing is measured). */
  localPid: number | null;
}

/**
 * pidusage's first call in a process runs `getconf` twice (clock tick, page size) before it reads
 * anything: started once, as soon as a sampler exists, so the first sample of a test is not late by
 * two process spawns (a 20 ms command such as `uname -a && df -h /` was over before it).
 */
let warm: Promise<void> | null = null;
function warmUp(): Promise<void> {
  warm ??= pidusage(process.pid, { maxage: 2000 }).then(
    () => undefined,
    () => undefined,
  );
  return warm;
}

export class ResourceSampler {
  readonly #intervalMs: number;
  readonly #localPid: number | null;
  #root: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;
  #stopped = false;
  #samples = 0;
  #peakCpu = 0;
  #peakMemory = 0;
  #execCpu: number | null = null;
  #execMemory: number | null = null;

  constructor(opts: SamplerOptions) {
    this.#intervalMs = Math.max(50, opts.intervalMs);
    this.#localPid = opts.localPid;
    if (opts.localPid !== null) void warmUp();
  }

  /**
   * The test's pid, from process.started: the first sample is taken at once (its CPU reads 0, as
   * pidusage has no earlier reading to compare with, but its memory is real), then every interval.
   */
  setRoot(pid: number): void {
    if (this.#stopped || this.#localPid === null || this.#root !== null) return;
    this.#root = pid;
    this.#instant(pid, this.#localPid);
    this.#tick();
  }

  /**
   * A synchronous memory reading the moment the pid is known: a command of a few milliseconds
   * (`uname -a && df -h /`) is often gone before the first asynchronous sample comes back. It has
   * no CPU figure (one reading gives no rate), just as pidusage's own first reading reads 0.
   */
  #instant(root: number, exec: number): void {
    let memory = 0;
    let counted = 0;
    for (const pid of processTreeSync(root)) {
      const rss = rssBytesSync(pid);
      if (rss === null) continue;
      memory += rss;
      counted++;
    }
    if (counted === 0) return;
    this.#samples++;
    this.#peakMemory = Math.max(this.#peakMemory, memory);
    const execRss = rssBytesSync(exec);
    if (execRss !== null) this.#execMemory = Math.max(this.#execMemory ?? 0, execRss);
  }

  #tick(): void {
    this.#timer = null;
    if (this.#stopped) return;
    this.#inFlight = this.#sample().finally(() => {
      this.#inFlight = null;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => this.#tick(), this.#intervalMs);
        this.#timer.unref();
      }
    });
  }

  async #sample(): Promise<void> {
    const root = this.#root;
    if (root === null) return;
    await warmUp();
    const tree = processTreeSync(root);
    const exec = this.#localPid;
    const pids = exec !== null && !tree.includes(exec) ? [...tree, exec] : tree;
    if (pids.length === 0) return;
    let stats: Record<string, pidusage.Status | null | undefined>;
    try {
      // pidusage keeps an open fd per pid in its history; a finite maxage lets it close them itself
      // (pidusage.clear() would drop them without closing: an fd leak per sampled process).
      stats = await pidusage(pids, { maxage: Math.max(2000, this.#intervalMs * 4) });
    } catch {
      return; // a one-pid array whose process just vanished
    }
    let cpu = 0;
    let memory = 0;
    let counted = 0;
    for (const pid of tree) {
      const s = stats[String(pid)];
      if (!s) continue;
      cpu += s.cpu;
      memory += s.memory;
      counted++;
    }
    if (counted > 0) {
      this.#samples++;
      this.#peakCpu = Math.max(this.#peakCpu, cpu / 100);
      this.#peakMemory = Math.max(this.#peakMemory, memory);
    }
    const e = exec !== null ? stats[String(exec)] : null;
    if (e) {
      this.#execCpu = Math.max(this.#execCpu ?? 0, e.cpu / 100);
      this.#execMemory = Math.max(this.#execMemory ?? 0, e.memory);
    }
  }

  /** Stops sampling (waits for a sample in flight) and returns the peaks; idempotent. */
  async stop(): Promise<ResourcePeaks> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#inFlight;
    return this.peaks();
  }

  peaks(): ResourcePeaks {
    if (this.#localPid === null) return { measured: false, why: 'the executor is remote: its processes are not on this host' };
    if (this.#root === null) return { measured: false, why: 'the process never started' };
    if (this.#samples === 0) return { measured: false, why: 'the process ended before the first sample' };
    return {
      measured: true,
      peak_cpu_ratio: round(this.#peakCpu),
      peak_memory_bytes: this.#peakMemory,
      samples: this.#samples,
      executor_peak_cpu_ratio: this.#execCpu === null ? null : round(this.#execCpu),
      executor_peak_memory_bytes: this.#execMemory,
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
