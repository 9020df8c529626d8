/**
 * `stressd verify`: the original runner's `--verify-only`. Validates a config and prints what a
 * run would do and how long it could take. Exit 0 when valid, 2 with one line per problem when not.
 */
import { ConfigError, configErrorLines } from '../config/errors.ts';
import { loadSuite } from '../config/load.ts';
import type { Suite } from '../config/types.ts';
import { probeCapabilities } from '../client/capabilities.ts';
import { ENV_CAPABILITY } from '../protocol/messages.ts';
import { formatDuration } from '../result/format.ts';
import { logPathProblems } from '../runner/log-paths.ts';
import { redactCredentials } from '../result/redact.ts';

/** The typical-runtime estimate assumes a test uses this share of its timeout (the original suites' tests take 90–300 s against 300 s). */
export const TYPICAL_SHARE_OF_TIMEOUT = 0.5;

export interface VerifyIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIO: VerifyIO = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

export async function verifyCommand(opts: { config: string }, io: VerifyIO = processIO): Promise<number> {
  let loaded;
  try {
    loaded = await loadSuite(opts.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const block of configErrorLines(err.problems)) io.err(`stressd: ${block}\n`);
    return 2;
  }
  // Ids are unique, but two that differ only in case are one log file on some disks.
  const clashes = logPathProblems(loaded.suite);
  if (clashes.length > 0) {
    io.err(`stressd verify: ${opts.config}: log paths that would collide:\n${clashes.map((c) => `  ${c}`).join('\n')}\n`);
    return 2;
  }
  const env = await envWarning(loaded.suite);
  if (env !== null) io.err(`warning: ${env}\n`);
  io.out(describeSuite(loaded.suite));
  return 0;
}

/**
 * Whether the suite's `env` can reach its commands: stressd's executor applies it; a server that
 * does not announce the `env` capability (a cc_executor) drops it. Null when there is nothing to say.
 */
async function envWarning(suite: Suite): Promise<string | null> {
  const withEnv = suite.tests.filter((t) => t.env !== undefined && Object.keys(t.env).length > 0).map((t) => t.id);
  if (withEnv.length === 0 || suite.executor === 'embedded') return null;
  const which = `${withEnv.length} test${withEnv.length === 1 ? '' : 's'} set env (${withEnv.slice(0, 3).join(', ')}${withEnv.length > 3 ? ', …' : ''})`;
  const where = redactCredentials(suite.executor);
  const probe = await probeCapabilities(suite.executor, process.env.STRESSD_EXECUTOR_TOKEN || undefined);
  if ('error' in probe) return `${which}, and the executor at ${where} could not be asked whether it applies env (${probe.error})`;
  if (probe.capabilities === null) return `${which}, but the executor at ${where} announces no capabilities: env may not be applied`;
  if (!probe.capabilities.includes(ENV_CAPABILITY)) return `${which}, but the executor at ${where} does not announce the \`env\` capability: the commands will run without those variables`;
  return null;
}

export function describeSuite(suite: Suite): string {
  const est = estimateRuntime(suite);
  const lines = [
    `suite:     ${suite.suite}`,
    `source:    ${suite.path ?? '(in memory)'}`,
    `executor:  ${suite.executor}`,
    `schedule:  ${suite.schedule ?? 'none (manual triggers only)'}`,
    `tests:     ${suite.tests.length}, ${suite.pause_between_tests} s pause between tests`,
    `graduation: pass rate >= ${suite.graduation.min_pass_rate}, timeouts ${suite.graduation.allow_timeouts ? 'allowed' : 'not allowed'}` +
      (suite.graduation.max_peak_memory_mb !== null ? `, peak memory <= ${suite.graduation.max_peak_memory_mb} MB` : '') +
      (suite.graduation.max_peak_cpu_percent !== null ? `, peak CPU <= ${suite.graduation.max_peak_cpu_percent}%` : ''),
    '',
    table(
      ['ID', 'CATEGORY', 'TIMEOUT', 'PATTERNS'],
      suite.tests.map((t) => [t.id, t.category ?? '-', `${t.timeout} s`, String(t.expected_patterns.length)]),
    ),
    '',
    `logs:      <reports>/${suite.suite}/<run id>/<test id>.log; sessions under load in <test id>.sessions/, re-runs in <test id>.reruns/`,
    `estimated runtime: at most ${formatDuration(est.upperSeconds)}: sum of timeouts ${est.timeoutSum} s${est.loadSeconds > 0 ? ` + ${est.loadSeconds} s of load (search budgets, rates, ramps)` : ''} + ${est.pauses} pause${est.pauses === 1 ? '' : 's'} of ${suite.pause_between_tests} s`,
    `typical runtime:   about ${formatDuration(est.typicalSeconds)}, assuming each test takes ${TYPICAL_SHARE_OF_TIMEOUT * 100}% of its timeout`,
  ];
  return `${lines.join('\n')}\n`;
}

export function estimateRuntime(suite: Suite): { timeoutSum: number; loadSeconds: number; pauses: number; upperSeconds: number; typicalSeconds: number } {
  const timeoutSum = suite.tests.reduce((s, t) => s + t.timeout, 0);
  const loadSeconds = suite.tests.reduce((s, t) => s + loadSpan(t), 0);
  const pauses = Math.max(0, suite.tests.length - 1);
  const pauseTotal = pauses * suite.pause_between_tests;
  return {
    timeoutSum,
    loadSeconds,
    pauses,
    upperSeconds: timeoutSum + loadSeconds + pauseTotal,
    typicalSeconds: timeoutSum * TYPICAL_SHARE_OF_TIMEOUT + loadSeconds + pauseTotal,
  };
}

/** How long a test's load goes on before its last sessions (each under its own timeout) end: a search's time budget, a rate's duration, a ramp's stages; 0 for N sessions at once. */
function loadSpan(test: Suite['tests'][number]): number {
  const load = test.load;
  if (load === null) return 0;
  if (load.search !== null) return load.search.max_seconds;
  if (load.duration_s !== null) return load.duration_s;
  return (load.stages ?? []).reduce((s, st) => s + st.duration_s, 0);
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}
