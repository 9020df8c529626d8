/**
 * Several suites in one daemon (DESIGN section 4): one RunCoordinator per suite (each never
 * overlaps with itself), and one limit on runs in flight across suites. A trigger that finds the
 * limit reached waits in a FIFO queue, one pending trigger per suite at most; a trigger of a suite
 * already running, or already waiting, is skipped as a lone suite's would be.
 */
import type { Logger } from '../logger.ts';
import type { RunResult, RunTrigger, TriggerOutcome } from '../result/types.ts';
import type { RunCoordinator } from './coordinator.ts';

export interface SuiteSetOptions {
  /** By suite label, in the order the configs were given. */
  coordinators: ReadonlyMap<string, RunCoordinator>;
  /** Runs in flight across all suites; at least 1. */
  maxConcurrentRuns: number;
  /** A trigger waited for the limit. */
  onQueued?: (suite: string, trigger: RunTrigger) => void;
  /** A trigger found its suite already waiting and was dropped. */
  onSkipped?: (suite: string, trigger: RunTrigger) => void;
  log: Logger;
}

interface Pending {
  suite: string;
  trigger: RunTrigger;
}

export class SuiteSet {
  private readonly queue: Pending[] = [];
  private closed = false;

  constructor(private readonly options: SuiteSetOptions) {
    if (!Number.isInteger(options.maxConcurrentRuns) || options.maxConcurrentRuns < 1) {
      throw new RangeError(`max_concurrent_runs: expected a whole number ≥ 1, found ${options.maxConcurrentRuns}`);
    }
  }

  /** Suite labels, in the order given. */
  suites(): string[] {
    return [...this.options.coordinators.keys()];
  }

  /** Triggers waiting for a free slot, oldest first. */
  queued(): readonly Pending[] {
    return this.queue;
  }

  /** Runs in flight, in suite order. */
  active(): RunResult[] {
    const runs: RunResult[] = [];
    for (const c of this.options.coordinators.values()) {
      const cur = c.current();
      if (cur) runs.push(cur.run);
    }
    return runs;
  }

  /** The first run in flight (the only one with the default limit of 1). */
  current(): { run: RunResult } | null {
    const [run] = this.active();
    return run ? { run } : null;
  }

  /** The run in flight of one suite. */
  currentOf(suite: string): RunResult | null {
    return this.options.coordinators.get(suite)?.current()?.run ?? null;
  }

  /** `suite` may be left out when there is exactly one. */
  trigger(trigger: RunTrigger, suite?: string): TriggerOutcome {
    const name = suite ?? this.only();
    const coordinator = name === null ? undefined : this.options.coordinators.get(name);
    if (name === null || !coordinator) {
      return { started: false, reason: 'failed', detail: `unknown suite ${JSON.stringify(suite ?? null)}; suites: ${this.suites().join(', ')}` };
    }
    if (this.closed) return { started: false, reason: 'closed', detail: 'the daemon is shutting down' };
    // A running suite answers for itself: skipped, logged and counted as ever.
    if (coordinator.busy) return coordinator.trigger(trigger);
    const waiting = this.queue.findIndex((p) => p.suite === name);
    if (waiting >= 0) {
      this.options.log.warn({ suite: name, trigger }, 'run skipped: a trigger of this suite is already queued');
      this.count(this.options.onSkipped, name, trigger);
      return { started: false, reason: 'queued', position: waiting + 1 };
    }
    if (this.inFlight() >= this.options.maxConcurrentRuns) {
      this.queue.push({ suite: name, trigger });
      this.options.log.info({ suite: name, trigger, position: this.queue.length, max_concurrent_runs: this.options.maxConcurrentRuns }, 'run queued: max_concurrent_runs reached');
      this.count(this.options.onQueued, name, trigger);
      return { started: false, reason: 'queued', position: this.queue.length };
    }
    return coordinator.trigger(trigger);
  }

  /** Called by a coordinator whose run is over: start queued triggers while there is room. */
  onIdle(): void {
    while (!this.closed && this.queue.length > 0 && this.inFlight() < this.options.maxConcurrentRuns) {
      const next = this.queue.shift();
      if (!next) break;
      const outcome = this.options.coordinators.get(next.suite)?.trigger(next.trigger);
      this.options.log.info({ suite: next.suite, trigger: next.trigger, started: outcome?.started ?? false }, 'queued run dequeued');
    }
  }

  /** Drops the queue, aborts every run in flight and waits for their sinks. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.queue.length > 0) this.options.log.info({ dropped: this.queue.map((p) => p.suite) }, 'queued triggers dropped at shutdown');
    this.queue.length = 0;
    await Promise.all([...this.options.coordinators.values()].map((c) => c.close()));
  }

  private inFlight(): number {
    let n = 0;
    for (const c of this.options.coordinators.values()) if (c.busy) n += 1;
    return n;
  }

  private only(): string | null {
    const names = this.suites();
    return names.length === 1 ? (names[0] ?? null) : null;
  }

  private count(fn: ((suite: string, trigger: RunTrigger) => void) | undefined, suite: string, trigger: RunTrigger): void {
    try {
      fn?.(suite, trigger);
    } catch (err) {
      this.options.log.warn({ err }, 'counting a trigger failed');
    }
  }
}
