/**
 * `stressd run`: load the suite, start tracing and (unless a ws:// URL is given) the embedded
 * executor, run with live progress, write the report, then always stop the executor and flush
 * traces. SIGINT/SIGTERM abort the run; the partial report is still written. Exit codes:
 * 0 graduated, 1 not graduated (or aborted, or the run could not happen), 2 bad input, 3 the run
 * ended but some of its files (report, JSON, a test's log) could not be written (runExitCode).
 */
import { configErrorLines, ConfigError } from '../config/errors.ts';
import { loadSuite } from '../config/load.ts';
import { selectTests } from '../config/select.ts';
import { spawnExecutor, type ExecutorChild, type SpawnExecutorOptions } from '../executor/child.ts';
import { parsePushGateway, pushSink, type PushTarget } from '../telemetry/push.ts';
import { startTracing, type TracingHandle } from '../telemetry/tracing.ts';
import { listen } from '../listeners.ts';
import { redactCredentials } from '../result/redact.ts';
import type { ExecutorTarget } from '../runner/api.ts';
import { progressSink } from '../report/progress.ts';
import { journalSink } from '../store/journal-sink.ts';
import { reportSink, type ReportWritten } from '../report/sink.ts';
import { feedSinks, type Sink } from '../result/sink.ts';
import { formatBytes, formatDuration } from '../result/format.ts';
import { withWriteErrors, writeErrorLines } from '../result/write-errors.ts';
import { startRun } from '../runner/runner.ts';
import { History } from '../store/history.ts';
import { createReview } from './review.ts';
import type { RunResult } from '../result/types.ts';
import type { Suite } from '../config/types.ts';

export interface RunOptions {
  config: string;
  /** "embedded" or a ws:// URL; default: the config's `executor`. */
  executor?: string;
  reportsDir: string;
  /** Print the RunResult JSON on stdout; progress and summary then go to stderr. */
  json: boolean;
  /** Run only these test ids or categories (default: every test). */
  only?: string[];
  /** Pushgateway base URL: the run's metrics are pushed there when it ends (also when aborted). */
  pushGateway?: string;
}

/** Bound on flushing traces and stopping the executor, so a stuck collector cannot hold the exit. */
const SHUTDOWN_BOUND_MS = 12_000;

type Say = (line: string) => void;

/** What `stressd run` checked before starting anything: a bad one is exit code 2. */
interface RunInputs {
  suite: Suite;
  executorSpec: string;
  embedded: SpawnExecutorOptions;
  push: PushTarget | null;
}

export async function runCommand(opts: RunOptions): Promise<number> {
  const err: Say = (line) => void process.stderr.write(`${line}\n`);
  const inputs = await readInputs(opts, err);
  if (typeof inputs === 'number') return inputs;
  const out = opts.json ? process.stderr : process.stdout;
  const controller = new AbortController();
  const unlistenSignals = listen(process, abortOnSignals(controller, err));

  let tracing: TracingHandle | null = null;
  let executor: ExecutorChild | null = null;
  try {
    try {
      tracing = await startTracing({ serviceName: 'stressd' });
    } catch (e) {
      err(`stressd: tracing disabled: ${e instanceof Error ? e.message : String(e)}`);
    }
    let target: ExecutorTarget;
    if (inputs.executorSpec === 'embedded') {
      try {
        executor = await spawnExecutor({ ...inputs.embedded, envPassthrough: inputs.suite.env_passthrough ?? [] });
      } catch (e) {
        err(`stressd: could not start the embedded executor: ${e instanceof Error ? e.message : String(e)}`);
        return 1;
      }
      target = { url: executor.url, token: executor.token, localPid: executor.pid };
    } else {
      // A URL names a server whose processes we cannot see: their peaks are reported as not measured.
      target = { url: inputs.executorSpec, token: process.env.STRESSD_EXECUTOR_TOKEN || undefined, localPid: null };
    }
    return await runWithSinks(opts, inputs, { target, signal: controller.signal, out, err });
  } finally {
    await bounded(Promise.all([executor?.close(), tracing?.shutdown()]), SHUTDOWN_BOUND_MS);
    unlistenSignals();
  }
}

/** The suite (and its selection), the executor and the Pushgateway, or the exit code of bad input. */
async function readInputs(opts: RunOptions, err: Say): Promise<RunInputs | number> {
  let suite: Suite;
  try {
    const loaded = await loadSuite(opts.config);
    suite = loaded.suite;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const block of configErrorLines(e.problems)) err(`stressd: ${block}`);
    return 2;
  }
  if (opts.only && opts.only.length > 0) {
    const selected = selectTests(suite, opts.only);
    if (typeof selected === 'string') {
      err(`stressd: ${selected}`);
      return 2;
    }
    suite = selected;
  }
  const executorSpec = opts.executor ?? suite.executor;
  if (executorSpec !== 'embedded' && !/^wss?:\/\/[^\s]+$/.test(executorSpec)) {
    err(`stressd: --executor: expected "embedded" or a ws:// URL, found ${JSON.stringify(executorSpec)}`);
    return 2;
  }
  const embedded = embeddedExecutorOptions(process.env);
  if (typeof embedded === 'string') {
    err(`stressd: ${embedded}`);
    return 2;
  }
  const push = opts.pushGateway ? parsePushGateway(opts.pushGateway) : null;
  if (typeof push === 'string') {
    err(`stressd: ${push}`);
    return 2;
  }
  return { suite, executorSpec, embedded, push };
}

/** The first SIGINT/SIGTERM aborts the run (its partial report is still written); a second exits at once. */
function abortOnSignals(controller: AbortController, err: Say): Record<'SIGINT' | 'SIGTERM', (sig: NodeJS.Signals) => void> {
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      err(`stressd: ${sig} again: exiting at once`);
      process.exit(1);
    }
    err(`stressd: ${sig}: stopping the run (the partial report will be written; ${sig} again to exit at once)`);
    controller.abort();
  };
  return { SIGINT: onSignal, SIGTERM: onSignal };
}

/** The run itself, fed to the sinks of `stressd run`; its exit code. */
async function runWithSinks(
  opts: RunOptions,
  { suite, executorSpec, embedded, push }: RunInputs,
  io: { target: ExecutorTarget; signal: AbortSignal; out: NodeJS.WritableStream; err: Say },
): Promise<number> {
  const { target, out, err } = io;
  // The reports dir is the history: baselines, the day's spending and graduation over runs come from it.
  const history = new History({ reportsDir: opts.reportsDir, limit: 1000, warn: (path, why) => err(`stressd: history: skipped ${path}: ${why}`) });
  await history.load();
  const review = createReview({ suite, history: () => history.runs() });
  const handle = startRun({ suite, executor: target, reportsDir: opts.reportsDir, trigger: 'cli', signal: io.signal, review, ...(opts.only && opts.only.length > 0 ? { only: opts.only } : {}) });
  const allowed = embedded.allow ? `, allowing only ${embedded.allow.join(', ')}` : '';
  const partial = opts.only && opts.only.length > 0 ? ` (partial: --only ${opts.only.join(',')}; latest.* is left as it is)` : '';
  out.write(`stressd: run ${handle.id} of ${suite.suite}${partial}: ${suite.tests.length} test(s) on ${executorSpec === 'embedded' ? `the embedded executor (${target.url}${allowed})` : redactCredentials(target.url)}\n`);
  const report: { written: ReportWritten } = { written: { ok: false, write: null, error: 'no report' } };
  // The sinks of `stressd run`, in the order the run's end reaches them (DESIGN section 1).
  const sinks: Sink[] = [progressSink(out), journalSink(opts.reportsDir), reportSink(opts.reportsDir, (_run, w) => (report.written = w))];
  if (push) sinks.push(pushSink(push, (line) => err(`stressd: ${line}`)));
  const feed = feedSinks(handle.events, sinks, ({ sink, err: failure, repeats }) => {
    // The report's own failure is the summary's last line; anything else is said here, once.
    if (sink !== 'report' && repeats === 0) err(`stressd: the ${sink} sink failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  });
  const ended = await handle.done;
  await feed.end(ended);
  const { written } = report;
  // The run as its JSON holds it: with the files that could not be written.
  const run = written.write?.run ?? withWriteErrors(ended, [{ file: 'json', path: null, error: written.ok ? '' : written.error }]);
  const md = written.write?.markdownPath ?? null;
  // When it could not be written, the write errors' lines say so.
  const reportLine = md !== null && !run.write_errors?.some((w) => w.file === 'report') ? `report: ${md}` : null;
  if (opts.json) process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  out.write(summary(run, reportLine));
  return runExitCode(run);
}

/** 0 graduated, 1 not graduated (or aborted), 3 when any of the run's files (report, JSON, a log) could not be written. */
export function runExitCode(run: Pick<RunResult, 'graduated' | 'write_errors'>): number {
  if ((run.write_errors ?? []).length > 0) return 3;
  return run.graduated ? 0 : 1;
}

/**
 * The embedded executor of `stressd run` takes the settings `stressd executor` reads from the
 * environment: STRESSD_EXECUTOR_ALLOW (comma list) and STRESSD_EXECUTOR_HEARTBEAT_MS. Its host,
 * port and token are the run's own (loopback, ephemeral, random). A string is a bad-input message.
 */
export function embeddedExecutorOptions(env: NodeJS.ProcessEnv): SpawnExecutorOptions | string {
  const options: SpawnExecutorOptions = {};
  const allow = (env.STRESSD_EXECUTOR_ALLOW ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (allow.length > 0) options.allow = allow;
  const heartbeat = env.STRESSD_EXECUTOR_HEARTBEAT_MS;
  if (heartbeat !== undefined && heartbeat !== '') {
    const ms = Number(heartbeat);
    if (!Number.isInteger(ms) || ms <= 0) return `STRESSD_EXECUTOR_HEARTBEAT_MS: expected a whole number of milliseconds above 0, found ${JSON.stringify(heartbeat)}`;
    options.heartbeatMs = ms;
  }
  return options;
}

function summary(run: RunResult, reportLine: string | null): string {
  const counts = new Map<string, number>();
  for (const t of run.tests) counts.set(t.outcome, (counts.get(t.outcome) ?? 0) + 1);
  const outcomes = [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'no test ran';
  const total = run.tests.reduce((n, t) => n + t.output_bytes, 0);
  const lines = [
    '',
    `${run.suite} ${run.id}: ${run.status}, ${run.tests_passed}/${run.tests_total} passed (${outcomes}), ${formatBytes(total)} of output in ${formatDuration(run.duration_seconds ?? 0)}`,
    run.graduated ? 'GRADUATED' : `NOT GRADUATED: ${run.verdict?.reasons.join('; ') ?? 'no verdict'}`,
    ...regressionLines(run),
    ...(run.success_ratio ? [run.success_ratio.text] : []),
    // A file that could not be written (a log, the report, the JSON) is said once, here, with its error.
    ...writeErrorLines(run),
    ...(reportLine === null ? [] : [reportLine]),
    '',
  ];
  return lines.join('\n');
}

function regressionLines(run: RunResult): string[] {
  return run.tests.flatMap((t) =>
    (t.regressions ?? []).filter((r) => r.verdict === 'regressed').map((r) => `REGRESSED: ${t.id} ${r.measure} ${r.value} against a baseline median of ${r.baseline?.median ?? '?'}`),
  );
}

async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
