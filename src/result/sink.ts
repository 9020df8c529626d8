/**
 * The one interface every sink implements (DESIGN section 1), and the one guard that calls them.
 * A sink is one file that turns runner events into something (a report, metrics, history, the
 * live status, the terminal, a trace flush); each command lists its sinks once. A sink that
 * throws is logged once and the run goes on.
 */
import type { RunResult, RunnerEvents } from './types.ts';

type Hookable<T> = (payload: T) => void | Promise<void>;

export interface Sink {
  /** Names the sink in logs ("report", "metrics", …). */
  readonly name: string;
  onRunStart?: Hookable<Readonly<RunResult>>;
  onTestStart?: Hookable<RunnerEvents['test:start']>;
  onTestProgress?: Hookable<RunnerEvents['test:progress']>;
  onTestEnd?: Hookable<RunnerEvents['test:end']>;
  /** Called one sink after another in list order, so a later sink sees the earlier ones' work done. */
  onRunEnd?: Hookable<Readonly<RunResult>>;
}

export type SinkHook = 'onRunStart' | 'onTestStart' | 'onTestProgress' | 'onTestEnd' | 'onRunEnd';

/** Told about the first failure of each sink's hook in a run; later ones of the same hook are counted. */
export type SinkFailed = (failure: { sink: string; hook: SinkHook; err: unknown; repeats: number }) => void;

/** What the runner's event emitter offers (src/runner/api.ts RunnerEmitter satisfies it). */
export interface RunEvents {
  on<K extends keyof RunnerEvents>(event: K, listener: (payload: RunnerEvents[K]) => void): unknown;
  off<K extends keyof RunnerEvents>(event: K, listener: (payload: RunnerEvents[K]) => void): unknown;
}

export interface SinkFeed {
  /** Runs every sink's onRunEnd in list order and waits for everything queued before. Call once. */
  end(run: Readonly<RunResult>): Promise<void>;
}

/**
 * Feeds one run's events to the sinks. Each sink's hooks run in event order (an async onTestEnd
 * finishes before the same sink's next hook starts); sinks do not wait for each other until the end.
 */
export function feedSinks(events: RunEvents, sinks: readonly Sink[], failed: SinkFailed): SinkFeed {
  // Per sink, the tail of its hooks still running; null when idle. An idle sink's sync hook runs at
  // once, in the emitter's call, so a sink sees each event when it happens; async work queues.
  const tails = new Map<Sink, Promise<void> | null>(sinks.map((s) => [s, null]));
  const seen = new Map<string, number>();
  const report = (sink: Sink, hook: SinkHook, err: unknown): void => {
    const key = `${sink.name}\0${hook}`;
    const repeats = seen.get(key) ?? 0;
    seen.set(key, repeats + 1);
    if (repeats === 0) failed({ sink: sink.name, hook, err, repeats: 0 });
  };
  const call = <T>(sink: Sink, hook: SinkHook, payload: T): Promise<void> | null => {
    const fn = sink[hook] as Hookable<T> | undefined;
    if (!fn) return null;
    try {
      const out = fn.call(sink, payload);
      return out instanceof Promise ? out.catch((err: unknown) => report(sink, hook, err)) : null;
    } catch (err) {
      report(sink, hook, err);
      return null;
    }
  };
  const enqueue = <T>(hook: SinkHook, payload: T): void => {
    for (const sink of sinks) {
      if (!sink[hook]) continue;
      const tail = tails.get(sink) ?? null;
      const next = tail ? tail.then(() => call(sink, hook, payload) ?? undefined) : call(sink, hook, payload);
      if (next === null) continue;
      const settled: Promise<void> = next.finally(() => {
        if (tails.get(sink) === settled) tails.set(sink, null);
      });
      tails.set(sink, settled);
    }
  };
  const listeners = {
    'run:start': (e: RunnerEvents['run:start']) => enqueue('onRunStart', e.run),
    'test:start': (e: RunnerEvents['test:start']) => enqueue('onTestStart', e),
    'test:progress': (e: RunnerEvents['test:progress']) => enqueue('onTestProgress', e),
    'test:end': (e: RunnerEvents['test:end']) => enqueue('onTestEnd', e),
  };
  events.on('run:start', listeners['run:start']);
  events.on('test:start', listeners['test:start']);
  events.on('test:progress', listeners['test:progress']);
  events.on('test:end', listeners['test:end']);
  const detach = (): void => {
    events.off('run:start', listeners['run:start']);
    events.off('test:start', listeners['test:start']);
    events.off('test:progress', listeners['test:progress']);
    events.off('test:end', listeners['test:end']);
  };
  let ended = false;
  return {
    async end(run) {
      if (ended) return;
      ended = true;
      detach();
      for (const sink of sinks) {
        await tails.get(sink);
        await call(sink, 'onRunEnd', run);
      }
      for (const [key, count] of seen) {
        if (count > 1) {
          const [sink = '', hook = 'onRunEnd'] = key.split('\0');
          failed({ sink, hook: hook as SinkHook, err: new Error(`failed ${count} times in this run`), repeats: count - 1 });
        }
      }
    },
  };
}
