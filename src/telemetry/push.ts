/**
 * `stressd run --push-gateway URL`: a one-shot run has no /metrics for Prometheus to scrape, so its
 * metrics (the same names and labels the daemon serves) go to a Prometheus Pushgateway once the run
 * has ended — finished, or aborted by SIGTERM. One PUT of the Prometheus text exposition to
 * /metrics/job/stressd/suite/<suite> replaces the whole group, so a suite's group always holds
 * exactly its latest run. Pushing never throws and is bounded in time: a CronJob's grace period
 * must cover it, and a Pushgateway that is down must not turn a verdict into a crash.
 */
import type { Sink } from '../result/sink.ts';
import { Registry } from 'prom-client';
import { redactCredentials } from '../result/redact.ts';
import type { RunResult } from '../result/types.ts';
import { createMetrics } from './metrics.ts';

/** The `job` grouping label of every push: alert rules and dashboards select pushed suites by it. */
export const PUSH_JOB = 'stressd';
/** Whole push, retries included; well inside Kubernetes' default 30 s termination grace period. */
export const PUSH_DEADLINE_MS = 10_000;
const ATTEMPTS = 2;
const RETRY_DELAY_MS = 500;

export interface PushTarget {
  /** Base URL of the Pushgateway, without credentials and without a trailing slash. */
  base: string;
  /** `Basic …` when the URL carried user:password (fetch refuses URLs with credentials). */
  authorization: string | null;
  /** The URL as it may be printed: credentials replaced by ***. */
  display: string;
}

export interface PushOutcome {
  ok: boolean;
  /** One line for stderr: where it went, or what went wrong and where. */
  message: string;
}

export interface PushOptions {
  deadlineMs?: number;
  /** For tests: a stand-in for the global fetch. */
  fetch?: typeof fetch;
}

/** Parses `--push-gateway`; a string result is the bad-input message (exit 2 before the run). */
export function parsePushGateway(raw: string): PushTarget | string {
  const flag = '--push-gateway (STRESSD_PUSH_GATEWAY)';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `${flag}: expected an http:// or https:// URL of a Pushgateway, found ${JSON.stringify(redactCredentials(raw))}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${flag}: expected an http:// or https:// URL of a Pushgateway, found ${JSON.stringify(redactCredentials(raw))}`;
  }
  if (url.search !== '' || url.hash !== '') {
    return `${flag}: expected a URL without ?query or #fragment (the grouping path is appended to it), found ${JSON.stringify(redactCredentials(raw))}`;
  }
  let authorization: string | null = null;
  if (url.username !== '' || url.password !== '') {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const base = url.toString().replace(/\/+$/, '');
  return { base, authorization, display: redactCredentials(raw).replace(/\/+$/, '') };
}

/** `/metrics/job/<job>/suite/<suite>`, base64-encoding a value the path cannot carry (the Pushgateway's `@base64`). */
export function groupingPath(suite: string): string {
  const segment = (name: string, value: string): string =>
    value === '' || value.includes('/')
      ? `${name}@base64/${Buffer.from(value).toString('base64url') || '='}`
      : `${name}/${encodeURIComponent(value)}`;
  return `/metrics/${segment('job', PUSH_JOB)}/${segment('suite', suite)}`;
}

/**
 * The run's metrics as the daemon would show them after that run alone: per-test series of the
 * tests that ran, the run gauges, stressd_runs_total{result} and stressd_build_info. No process
 * metrics: those of a process that is about to exit describe nothing worth keeping.
 */
export async function runExposition(run: RunResult): Promise<{ text: string; problems: string[] }> {
  const problems: string[] = [];
  const metrics = createMetrics({
    registry: new Registry(),
    collectDefaults: false,
    logger: { warn: (_obj, msg) => void problems.push(msg ?? 'warning') },
  });
  metrics.onRunStart(run);
  for (const test of run.tests) metrics.onTestEnd(run.suite, test);
  metrics.onRunEnd(run);
  return { text: await metrics.registry.metrics(), problems };
}

/** PUTs the run's metrics to the suite's group; retries once on a network error or a 5xx. Never throws. */
export async function pushRun(run: RunResult, target: PushTarget, options: PushOptions = {}): Promise<PushOutcome> {
  const doFetch = options.fetch ?? fetch;
  const deadline = AbortSignal.timeout(options.deadlineMs ?? PUSH_DEADLINE_MS);
  const where = `${target.display}${groupingPath(run.suite)}`;
  let body: string;
  let leftOut = '';
  try {
    const rendered = await runExposition(run);
    body = rendered.text;
    if (rendered.problems.length > 0) leftOut = ` (left out: ${rendered.problems.join('; ')})`;
  } catch (err) {
    return { ok: false, message: `push to ${where} failed: the metrics could not be rendered: ${describe(err)}` };
  }
  const headers: Record<string, string> = { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' };
  if (target.authorization) headers.authorization = target.authorization;
  let last = '';
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const res = await doFetch(`${target.base}${groupingPath(run.suite)}`, { method: 'PUT', headers, body, signal: deadline, redirect: 'error' });
      const text = (await res.text().catch(() => '')).trim().slice(0, 300);
      if (res.ok) return { ok: true, message: `pushed the metrics of run ${run.id} (${run.status}) to ${where}${leftOut}` };
      last = `HTTP ${res.status}${text ? `: ${text}` : ''}`;
      // A 4xx is the Pushgateway refusing these metrics: sending them again cannot help.
      if (res.status < 500) break;
    } catch (err) {
      last = deadline.aborted ? `no answer within ${(options.deadlineMs ?? PUSH_DEADLINE_MS) / 1000} s` : describe(err);
      if (deadline.aborted) break;
    }
    if (attempt < ATTEMPTS) await delay(RETRY_DELAY_MS, deadline);
  }
  return { ok: false, message: `push to ${where} failed: ${redactCredentials(last)}` };
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch's "fetch failed" hides the reason (ECONNREFUSED, ENOTFOUND…) in its cause.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The Pushgateway sink of `stressd run`: the run's metrics, pushed once when it ends (aborted too). */
export function pushSink(target: PushTarget, say: (line: string) => void): Sink {
  return {
    name: 'pushgateway',
    onRunEnd: async (run) => say((await pushRun(run, target)).message),
  };
}
