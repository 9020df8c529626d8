/**
 * What the web face needs of the daemon, as interfaces: web/ reads runs, triggers and readiness
 * through these and never imports daemon/ (the command wires the real ones in).
 */
import type { HistoryEntry, Readiness, RunResult, RunTrigger, TriggerOutcome } from '../result/types.ts';
import type { Logger } from '../logger.ts';

export type { Readiness };

/** Recorded runs (the daemon's history): newest first in memory, older ones from disk by id. */
export interface RunStore {
  runs(): RunResult[];
  /** Reads runs other processes wrote since the last look (cheap when nothing changed). */
  refresh?(): Promise<unknown>;
  get(id: string): Promise<HistoryEntry | null>;
}

/** The runs in flight and the trigger (the daemon's suites, each with its coordinator). */
export interface RunControl {
  /** The first run in flight (the only one unless max_concurrent_runs > 1). */
  current(): { run: RunResult } | null;
  /** Every run in flight, one per suite at most. */
  active(): RunResult[];
  /** Suite labels, in the order the configs were given. */
  suites(): string[];
  /** `suite` may be left out only when there is one suite. */
  trigger(trigger: RunTrigger, suite?: string): TriggerOutcome;
}

export interface HttpDeps {
  /** status 500 when a collector failed: the scrape must fail (`up` 0) rather than look like a healthy, emptier target. */
  metricsResponse(accept?: string): Promise<{ status: number; contentType: string; body: string }>;
  readiness(): Readiness;
  history: RunStore;
  runs: RunControl;
  renderMarkdown(result: RunResult): string;
  /** `csrf`: the token the page's forms carry (csrf.ts). */
  statusPage(csrf: string): string | Promise<string>;
  /** The markdown the alert runbooks are served from at /runbooks (docs/operations.md); none: no route. */
  runbooksPath?: string;
  /** When set, the runs, reports and page need it (a Bearer header, or the signed-in session's cookie). */
  token?: string;
  /** The listening address (`--host`): a Host header must name it, localhost or an allowed name. Default 127.0.0.1. */
  listenHost?: string;
  /** `--allow-host`: further names the Host header may carry (behind a proxy, in a container network). */
  allowHosts?: readonly string[];
  /** `--allow-origin`: pages of these origins may post (a TLS proxy's public origin). */
  allowOrigins?: readonly string[];
  /** When set, /metrics, /healthz and /readyz need it (guard.ts). */
  metricsToken?: string;
  log: Logger;
}
