/**
 * RunResult → the markdown report. Keeps every section of the original Python runner's report
 * (summary, resource usage summary, per-test results with output preview, duration and output size
 * distributions) and adds the graduation verdict, missing patterns, failure reasons, stream timing
 * and cost. Every piece of text from outside (output, names, ids, patterns) goes through escape.ts.
 */
import type { FailureReason, RunResult, TestResult } from '../result/types.ts';
import { cell, inline, inlineCode, keyValueTable, table } from './escape.ts';
import { durationDistribution, outputSizeDistribution } from './distribution.ts';
import { costSection, streamTimingSection } from './figures.ts';
import { formatBytes, formatDuration } from '../result/format.ts';
import { DASH, OUTCOME_MARK, count, memoryMethodName, outcomeCounts, percent, peakCpu, peakMemory } from './format.ts';
import { testSection } from './test-section.ts';
import { cutShort, ran, runSuccessRatio } from '../result/not-run.ts';
import { baselineSection, overRunsSection } from './baseline-section.ts';

export function renderMarkdown(result: RunResult): string {
  // Figures and distributions are of the tests that ran; a test that never started has none.
  const started = result.tests.filter(ran);
  const sections = [
    `# Stress test report: ${inline(result.suite)}, run ${inline(result.id)}\n`,
    summarySection(result),
    overRunsSection(result),
    failureSection(started),
    notRunSection(result.tests),
    baselineSection(result),
    resourceSection(started),
    `## Results\n\n${result.tests.length === 0 ? '_No test ran._\n' : result.tests.map(testSection).join('\n')}`,
    durationDistribution(started),
    outputSizeDistribution(started),
    streamTimingSection(started),
    costSection(started),
    `---\n_Written by stressd ${inline(result.stressd_version)}._\n`,
  ];
  return sections.filter((section) => section !== '').join('\n');
}

function verdictText(result: RunResult): string {
  if (result.status === 'running') return 'pending (the run is still going)';
  if (result.status === 'aborted') return `NOT GRADUATED (the run was aborted${result.abort_cause ? `: ${inline(result.abort_cause)}` : ''})`;
  return result.graduated ? 'GRADUATED' : 'NOT GRADUATED';
}

/**
 * "6 total: 1 passed, 0 failed, 0 timeouts, 0 errors, 1 aborted, 4 not run": every test of the run
 * counted once; tests cut short by the abort are "aborted", not errors; the last two only when any.
 */
export function testTotals(tests: readonly TestResult[]): string {
  const c = outcomeCounts(tests);
  const aborted = tests.filter(cutShort).length;
  const parts = [`${c.passed} passed`, `${c.failed} failed`, `${c.timeout} timeouts`, `${c.error - aborted} errors`];
  if (aborted > 0) parts.push(`${aborted} aborted`);
  if (c.not_run > 0) parts.push(`${c.not_run} not run`);
  return `${tests.length} total: ${parts.join(', ')}`;
}

/** Passed over the tests that ran, as `stressd_run_last_success_ratio` has it. */
function successRate(tests: readonly TestResult[]): string {
  const ratio = runSuccessRatio(tests);
  if (ratio === null) return DASH;
  const started = tests.filter(ran).length;
  const passed = tests.filter((t) => t.outcome === 'passed').length;
  return `${percent(ratio)} (${passed}/${started}${started < tests.length ? ' that ran' : ''})`;
}

/** What the run measured (RunResult.sut, TestResult.versions); null for a run written before they were recorded. */
function sutText(result: RunResult): string | null {
  if (!result.sut) return null;
  const parts: string[] = [];
  const ex = result.sut.executor;
  parts.push(ex ? `executor ${ex.name} ${ex.version ?? '(no version)'}` : 'no executor connected');
  const claude = new Set(result.tests.flatMap((t) => (t.versions?.model ? [`${t.versions.model}${t.versions.claude_code_version ? ` (Claude Code ${t.versions.claude_code_version})` : ''}`] : [])));
  if (claude.size > 0) parts.push(`Claude ${[...claude].join(', ')}`);
  return parts.join('; ');
}

function summarySection(result: RunResult): string {
  const started = result.tests.filter(ran);
  const rows: [string, string][] = [
    ['Suite', cell(result.suite)],
    ['Run id', inlineCode(result.id, { inTable: true })],
    ['Description', cell(result.description)],
    ['Config', result.config_path === null ? DASH : inlineCode(result.config_path, { inTable: true })],
    ['Executor', cell(result.executor)],
    ...(sutText(result) === null ? [] : [['System under test', cell(sutText(result))] as [string, string]]),
    ['Trigger', result.only === undefined ? cell(result.trigger) : `${cell(result.trigger)}, partial: only ${result.only.map((n) => inlineCode(n, { inTable: true })).join(', ')} (not counted over runs)`],
    ['Status', result.abort_cause ? `${cell(result.status)} (${cell(result.abort_cause)})` : cell(result.status)],
    ['Started', cell(result.started_at)],
    ['Ended', cell(result.ended_at)],
    ['Duration', formatDuration(result.duration_seconds)],
    ['Tests', testTotals(result.tests)],
    ['Success rate', successRate(result.tests)],
    ['Average duration', started.length === 0 ? DASH : `${formatDuration(sumOf(started, (t) => t.duration_seconds) / started.length)} per test`],
    ['Total output', totalOutput(started)],
    ['Graduation', verdictText(result)],
  ];
  if (result.trace_id !== null) rows.push(['Trace id', inlineCode(result.trace_id, { inTable: true })]);
  const out = ['## Summary', '', keyValueTable(rows), ''];
  const v = result.verdict;
  if (v !== null) {
    const crit = [
      `pass rate ≥ ${percent(v.criteria.min_pass_rate, 0)}`,
      v.criteria.allow_timeouts ? 'timeouts allowed' : 'no timeouts',
      v.criteria.max_peak_memory_mb === null ? null : `peak memory ≤ ${v.criteria.max_peak_memory_mb} MB`,
      v.criteria.max_peak_cpu_percent === null ? null : `peak CPU ≤ ${v.criteria.max_peak_cpu_percent}% of one core`,
    ].filter((s): s is string => s !== null);
    out.push(`Graduation criteria: ${crit.join(', ')}; pass rate ${percent(v.pass_rate)}.`, '');
    if (v.reasons.length > 0) {
      out.push('Unmet:', '', ...v.reasons.map((r) => `- ${inline(r)}`), '');
    }
  }
  return out.join('\n');
}

function sumOf(tests: readonly TestResult[], f: (t: TestResult) => number): number {
  return tests.reduce((n, t) => n + f(t), 0);
}

function totalOutput(tests: readonly TestResult[]): string {
  const b = sumOf(tests, (t) => t.output_bytes);
  return `${formatBytes(b)} (${count(b)} bytes; ${count(sumOf(tests, (t) => t.output_lines))} lines, ${count(sumOf(tests, (t) => t.output_chunks))} chunks)`;
}

function failureSection(tests: readonly TestResult[]): string {
  const byReason = new Map<FailureReason, TestResult[]>();
  for (const t of tests) {
    if (t.reason === null) continue;
    byReason.set(t.reason, [...(byReason.get(t.reason) ?? []), t]);
  }
  if (byReason.size === 0) return '## Failure reasons\n\nNone: every test passed.\n';
  const rows = [...byReason.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .map(([reason, ts]) => [cell(reason), String(ts.length), ts.map((t) => `${cell(t.id)} (${OUTCOME_MARK[t.outcome]}${t.reason_detail ? `: ${cell(t.reason_detail)}` : ''})`).join('; ')]);
  return `## Failure reasons\n\n${table(['reason', 'tests', 'which'], rows, ['l', 'r', 'l'])}\n`;
}

function notRunSection(tests: readonly TestResult[]): string {
  const notRun = tests.filter((t) => !ran(t));
  if (notRun.length === 0) return '';
  const rows = notRun.map((t) => [cell(t.id), cell(t.name), cell(t.reason), cell(t.reason_detail)]);
  return `## Not run\n\n${count(notRun.length)} test(s) never started; they count in the total, not in the success rate.\n\n${table(['test', 'name', 'reason', 'detail'], rows)}\n`;
}

function resourceSection(tests: readonly TestResult[]): string {
  const rows = tests.map((t) => {
    const r = t.resources;
    if (!r.measured) return [cell(t.id), 'not measured', 'not measured', DASH, DASH, DASH, DASH, cell(r.why)];
    return [
      cell(t.id),
      peakCpu(r),
      peakMemory(r),
      r.peak_rss_sum_bytes === undefined ? DASH : formatBytes(r.peak_rss_sum_bytes),
      String(r.samples),
      r.executor_peak_cpu_ratio === null ? DASH : percent(r.executor_peak_cpu_ratio),
      r.executor_peak_memory_bytes === null ? DASH : formatBytes(r.executor_peak_memory_bytes),
      r.cpu_why === undefined ? DASH : cell(`CPU ${r.cpu_why}`),
    ];
  });
  const measured = tests.flatMap((t) => (t.resources.measured ? [t.resources] : []));
  return [
    '## Resource usage summary',
    '',
    overallResources(measured, tests.length),
    '',
    table(['test', 'peak CPU (of one core)', 'peak memory', 'peak RSS sum', 'samples', 'executor peak CPU', 'executor peak memory (RSS)', 'note'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']),
    '',
    'Peaks are of the whole process tree of each test: the first reading as soon as the process starts, every 100 ms for its first 2 s, then at the suite\'s interval. ' +
      'CPU comes from the cumulative CPU time of the tree, children it reaped included, so work between readings is not lost; its peak is the highest rate over 0.5 s windows (shorter for a shorter test), and a test over before two readings 0.1 s apart has no CPU figure ("not measured"), never 0%. ' +
      'Peak memory is the proportional set size (PSS) of the tree where /proc/PID/smaps_rollup is readable, so pages that processes share (libraries, copy-on-write memory of forks) count once in all; the column says "RSS sum" where it fell back to summing RSS, which counts shared pages once per process and overstates. The peak RSS sum stands beside it.',
    '',
  ].join('\n');
}

type Measured = Extract<TestResult['resources'], { measured: true }>;

/** As the original: the average and the maximum of the per-test peaks, for memory and CPU. */
function overallResources(measured: readonly Measured[], total: number): string {
  if (measured.length === 0) return 'Overall: not measured (no test had its process tree sampled).\n';
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mems = measured.map((r) => r.peak_memory_bytes);
  const cpus = measured.flatMap((r) => (r.peak_cpu_ratio === null ? [] : [r.peak_cpu_ratio]));
  const methods = new Set(measured.map((r) => memoryMethodName(r.memory_method)));
  const rows = [
    [`Memory (${[...methods].join(' or ')})`, formatBytes(Math.round(mean(mems))), formatBytes(Math.max(...mems))],
    cpus.length === 0 ? ['CPU (of one core)', 'not measured', 'not measured'] : ['CPU (of one core)', percent(mean(cpus)), percent(Math.max(...cpus))],
  ];
  const over = measured.length < total ? `\nOver the ${measured.length} of ${total} tests that were measured.\n` : '';
  return `${table(['metric', 'average (of the test peaks)', 'peak'], rows, ['l', 'r', 'r'])}\n${over}`;
}
