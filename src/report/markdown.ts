/**
 * RunResult → the markdown report. Keeps every section of the original Python runner's report
 * (summary, resource usage summary, per-test results with output preview, duration and output size
 * distributions) and adds the graduation verdict, missing patterns, failure reasons, stream timing
 * and cost. Every piece of text from outside (output, names, ids, patterns) goes through escape.ts.
 */
import type { FailureReason, RunResult, TestResult } from '../result/types.ts';
import { cell, inline, inlineCode, table } from './escape.ts';
import { durationDistribution, outputSizeDistribution } from './distribution.ts';
import { costSection, streamTimingSection } from './figures.ts';
import { formatBytes, formatDuration } from '../result/format.ts';
import { DASH, OUTCOME_MARK, count, outcomeCounts, percent, peakCpu, peakMemory } from './format.ts';
import { testSection } from './test-section.ts';
import { baselineSection, overRunsSection } from './baseline-section.ts';

export function renderMarkdown(result: RunResult): string {
  const sections = [
    `# Stress test report: ${inline(result.suite)}, run ${inline(result.id)}\n`,
    summarySection(result),
    overRunsSection(result),
    failureSection(result.tests),
    baselineSection(result),
    resourceSection(result.tests),
    `## Results\n\n${result.tests.length === 0 ? '_No test ran._\n' : result.tests.map(testSection).join('\n')}`,
    durationDistribution(result.tests),
    outputSizeDistribution(result.tests),
    streamTimingSection(result.tests),
    costSection(result.tests),
    `---\n_Written by stressd ${inline(result.stressd_version)}._\n`,
  ];
  return sections.join('\n');
}

function verdictText(result: RunResult): string {
  if (result.status === 'running') return 'pending (the run is still going)';
  if (result.status === 'aborted') return '❌ NOT GRADUATED (the run was aborted)';
  return result.graduated ? '✅ GRADUATED' : '❌ NOT GRADUATED';
}

function summarySection(result: RunResult): string {
  const c = outcomeCounts(result.tests);
  const total = result.tests.length;
  const rows: [string, string][] = [
    ['Suite', cell(result.suite)],
    ['Run id', inlineCode(result.id, { inTable: true })],
    ['Description', cell(result.description)],
    ['Config', result.config_path === null ? DASH : inlineCode(result.config_path, { inTable: true })],
    ['Executor', cell(result.executor)],
    ['Trigger', cell(result.trigger)],
    ['Status', cell(result.status)],
    ['Started', cell(result.started_at)],
    ['Ended', cell(result.ended_at)],
    ['Duration', formatDuration(result.duration_seconds)],
    ['Tests', `${total} total: ${c.passed} passed, ${c.failed} failed, ${c.timeout} timeouts, ${c.error} errors${c.not_run > 0 ? `, ${c.not_run} not run` : ''}`],
    ['Success rate', total === 0 ? DASH : `${percent(c.passed / total)} (${c.passed}/${total})`],
    ['Average duration', total === 0 ? DASH : `${formatDuration(sumOf(result.tests, (t) => t.duration_seconds) / total)} per test`],
    ['Total output', totalOutput(result.tests)],
    ['Graduation', verdictText(result)],
  ];
  if (result.trace_id !== null) rows.push(['Trace id', inlineCode(result.trace_id, { inTable: true })]);
  const out = ['## Summary', '', table(['', ''], rows.map(([k, v]) => [`**${k}**`, v])), ''];
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

function resourceSection(tests: readonly TestResult[]): string {
  const rows = tests.map((t) => {
    const r = t.resources;
    if (!r.measured) return [cell(t.id), 'not measured', 'not measured', DASH, DASH, DASH, cell(r.why)];
    return [
      cell(t.id),
      peakCpu(r),
      peakMemory(r),
      String(r.samples),
      r.executor_peak_cpu_ratio === null ? DASH : percent(r.executor_peak_cpu_ratio),
      r.executor_peak_memory_bytes === null ? DASH : formatBytes(r.executor_peak_memory_bytes),
      DASH,
    ];
  });
  const measured = tests.flatMap((t) => (t.resources.measured ? [t.resources] : []));
  return [
    '## Resource usage summary',
    '',
    overallResources(measured, tests.length),
    '',
    table(['test', 'peak CPU (of one core)', 'peak memory (RSS)', 'samples', 'executor peak CPU', 'executor peak memory', 'note'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'l']),
    '',
    'Peaks are of the whole process tree of each test, sampled at the suite\'s interval (the first reading as soon as the process starts), so short spikes between samples can be missed. ' +
      'CPU is a rate between two readings of a process: a test over before its second sample shows 0%, while its memory is real. ' +
      'Memory is the sum of the RSS of every process in the tree: pages shared between them (libraries, copy-on-write memory) are counted once per process, so the sum overstates real use.',
    '',
  ].join('\n');
}

type Measured = Extract<TestResult['resources'], { measured: true }>;

/** As the original: the average and the maximum of the per-test peaks, for memory and CPU. */
function overallResources(measured: readonly Measured[], total: number): string {
  if (measured.length === 0) return 'Overall: not measured (no test had its process tree sampled).\n';
  const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mems = measured.map((r) => r.peak_memory_bytes);
  const cpus = measured.map((r) => r.peak_cpu_ratio);
  const rows = [
    ['Memory (RSS)', formatBytes(Math.round(mean(mems))), formatBytes(Math.max(...mems))],
    ['CPU (of one core)', percent(mean(cpus)), percent(Math.max(...cpus))],
  ];
  const over = measured.length < total ? `\nOver the ${measured.length} of ${total} tests that were measured.\n` : '';
  return `${table(['metric', 'average (of the test peaks)', 'peak'], rows, ['l', 'r', 'r'])}\n${over}`;
}
