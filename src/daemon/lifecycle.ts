/**
 * Start in order, close in exact reverse; signals. The first SIGTERM/SIGINT starts a graceful
 * shutdown bounded by a hard timer (exit 1 at 15 s); a second signal exits at once. SIGHUP never
 * ends the process (its default would, silently): it asks for a reload, or is logged and ignored.
 */
import { listen } from '../listeners.ts';
import type { Logger } from '../logger.ts';

interface Closable {
  name: string;
  close: () => Promise<void> | void;
}

/** Thrown by Lifecycle.add once closing has begun: the start was overtaken by a stop. */
export class LifecycleClosedError extends Error {
  constructor(name: string) {
    super(`${name} started after the shutdown began; closed it and stopped starting`);
    this.name = 'LifecycleClosedError';
  }
}

/** Things started, closed last-started-first; each close bounded so one stuck piece cannot hold the rest. */
export class Lifecycle {
  private readonly started: Closable[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly log: Logger, private readonly stepTimeoutMs = 10_000) {}

  /**
   * Records something started; returns it for chaining. Once close() has begun (a signal during
   * start-up), the thing is closed at once and this throws LifecycleClosedError, so the start stops.
   */
  add<T>(name: string, thing: T, close: (thing: T) => Promise<void> | void): T {
    this.started.push({ name, close: () => close(thing) });
    if (this.closing) {
      // closeAll may have finished already: chain another pass for what arrived late.
      this.closing = this.closing.then(() => this.closeAll());
      throw new LifecycleClosedError(name);
    }
    return thing;
  }

  /** Idempotent: the second caller waits for the first close. */
  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    while (this.started.length > 0) {
      const step = this.started.pop();
      if (!step) break;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(step.close),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`closing ${step.name} took longer than ${this.stepTimeoutMs} ms`)), this.stepTimeoutMs);
          }),
        ]);
        this.log.debug({ step: step.name }, 'closed');
      } catch (err) {
        this.log.error({ err, step: step.name }, 'close failed');
      } finally {
        clearTimeout(timer);
      }
    }
  }
}

export interface SignalOptions {
  log: Logger;
  /** Graceful shutdown; its promise settles when everything is closed. */
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  /** Default 15,000 ms. */
  hardTimeoutMs?: number;
  /** Injected for tests; default process.exit. */
  exit?: (code: number) => void;
  /**
   * Runs synchronously just before a forced exit (second signal, hard timer): the last chance to
   * tell child processes to go, since nothing after process.exit() will.
   */
  beforeForcedExit?: () => void;
  /** SIGHUP: reload the configs. Not called once a shutdown has begun. */
  onHangup?: () => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Installs the handlers; returns a function that removes them (and clears the hard timer): for a start that failed. */
export function handleSignals(options: SignalOptions): () => void {
  const { log } = options;
  const hardExit = options.exit ?? ((code: number) => process.exit(code));
  const exit = (code: number): void => {
    try {
      options.beforeForcedExit?.();
    } catch (err) {
      log.error({ err }, 'cleanup before a forced exit failed');
    }
    hardExit(code);
  };
  let received: NodeJS.Signals | null = null;
  let hardTimer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) {
      log.warn({ signal, first: received }, 'second signal: exiting at once');
      exit(1);
      return;
    }
    received = signal;
    log.info({ signal }, 'shutting down');
    const hardTimeoutMs = options.hardTimeoutMs ?? 15_000;
    // unref: a clean close lets the process end on its own; the timer only fires if something hangs.
    hardTimer = setTimeout(() => {
      log.error({ signal, hardTimeoutMs }, 'shutdown took too long: forcing exit');
      exit(1);
    }, hardTimeoutMs);
    hardTimer.unref();
    options.shutdown(signal).catch((err: unknown) => {
      log.error({ err }, 'shutdown failed');
      exit(1);
    });
  };
  const onHangup = (): void => {
    if (received) return void log.info({ signal: 'SIGHUP' }, 'SIGHUP during shutdown: ignored');
    if (!options.onHangup) return void log.warn({ signal: 'SIGHUP' }, 'SIGHUP ignored: nothing to reload');
    log.info({ signal: 'SIGHUP' }, 'SIGHUP: reloading the configs');
    try {
      options.onHangup();
    } catch (err) {
      log.error({ err }, 'reload on SIGHUP failed');
    }
  };
  const unlisten = listen(process, { ...Object.fromEntries(SIGNALS.map((s) => [s, onSignal])), SIGHUP: onHangup });
  return () => {
    unlisten();
    clearTimeout(hardTimer);
  };
}
