/** One test's part of the report: its verdict, figures, patterns (found and MISSING) and an output preview. */
import type { TestResult } from '../runner/types.ts';
import { cell, codeBlock, inline, inlineCode, table } from './escape.ts';
import { DASH, OUTCOME_MARK, bytes, count, duration, percent, peakCpu, peakMemory, seconds } from './format.ts';

function patternList(patterns: readonly string[]): string {
  return patterns.length === 0 ? DASH : patterns.map((p) => inlineCode(p, { inTable: true })).join(', ');
}

function reasonText(t: TestResult): string {
  if (t.reason === null) return DASH;
  return t.reason_detail ? `${cell(t.reason)}: ${cell(t.reason_detail)}` : cell(t.reason);
}

function exitText(t: TestResult): string {
  if (t.exit_code === null && t.signal === null) return DASH;
  if (t.signal !== null) return `${t.exit_code === null ? DASH : String(t.exit_code)} (signal ${cell(t.signal)})`;
  return String(t.exit_code);
}

function resourcesText(t: TestResult): string {
  const r = t.resources;
  if (!r.measured) return `not measured (${cell(r.why)})`;
  return `peak CPU ${peakCpu(r)} of one core, peak memory ${peakMemory(r)} (${r.samples} samples)`;
}

function preview(t: TestResult): string {
  if (t.output_bytes === 0 && t.preview_head === '' && t.preview_tail === '') return '_No output._\n';
  // When the whole output fits in the head, the tail repeats part of it: show it once.
  const whole = t.preview_tail === '' || t.preview_head === t.preview_tail || t.preview_head.endsWith(t.preview_tail);
  if (whole) return `Output:\n\n${codeBlock(t.preview_head)}\n`;
  return [
    `Output preview: the first ${count(t.preview_head.length)} characters`,
    '',
    codeBlock(t.preview_head),
    '',
    `… and the last ${count(t.preview_tail.length)} characters (the full output is in the log):`,
    '',
    codeBlock(t.preview_tail),
    '',
  ].join('\n');
}

export function testSection(t: TestResult, index: number): string {
  const rows: [string, string][] = [
    ['Outcome', OUTCOME_MARK[t.outcome]],
    ['Reason', reasonText(t)],
    ['Category', cell(t.category)],
    ['Description', cell(t.description)],
    ['Command', inlineCode(t.command, { inTable: true })],
    ['Exit code', exitText(t)],
    ['Duration', `${duration(t.duration_seconds)} of a ${seconds(t.timeout_seconds, 0)} timeout`],
    ['Started / ended', `${cell(t.started_at)} → ${cell(t.ended_at)}`],
    ['Output', `${bytes(t.output_bytes)}, ${count(t.output_lines)} lines, ${count(t.output_chunks)} chunks; stderr ${bytes(t.stderr_bytes)}`],
    ['First output', seconds(t.first_output_seconds)],
    ['Patterns', `${t.patterns_found.length}/${t.patterns_expected} found (${percent(t.pattern_coverage, 0)})`],
    ['Patterns found', patternList(t.patterns_found)],
    ['Patterns MISSING', t.patterns_missing.length === 0 ? 'none' : `**${patternList(t.patterns_missing)}**`],
    ['Resources', resourcesText(t)],
    ['Log', t.log_path === null ? DASH : inlineCode(t.log_path, { inTable: true })],
  ];
  if (t.malformed_frames + t.server_stall_lines + t.stream_error_lines > 0) {
    rows.push(['Stream problems', `${t.malformed_frames} malformed frames, ${t.server_stall_lines} stall lines, ${t.stream_error_lines} stream error lines`]);
  }
  if (t.log_dropped_bytes > 0) rows.push(['Log gaps', `${bytes(t.log_dropped_bytes)} left out of the log (the disk could not keep up)`]);
  const notes = Object.entries(t.notifications);
  if (notes.length > 0) rows.push(['Notifications', notes.map(([method, n]) => `${inlineCode(method, { inTable: true })} ×${n}`).join(', ')]);
  if (t.trace_id !== null) rows.push(['Trace', inlineCode(t.trace_id, { inTable: true })]);
  return [
    `### ${index + 1}. ${OUTCOME_MARK[t.outcome]}: ${inline(t.name)} (${inlineCode(t.id)})`,
    '',
    table(['', ''], rows.map(([k, v]) => [`**${k}**`, v])),
    '',
    preview(t),
  ].join('\n');
}
