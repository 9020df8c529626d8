/** One test's part of the report: its verdict, figures, patterns (found and MISSING) and an output preview. */
import type { TestResult } from '../result/types.ts';
import { cell, codeBlock, inline, inlineCode, keyValueTable } from './escape.ts';
import { formatBytes, formatDuration, formatSeconds } from '../result/format.ts';
import { loadSection } from './load-section.ts';
import { capacitySection } from './capacity-section.ts';
import { DASH, OUTCOME_MARK, count, percent, peakCpu, peakMemory } from './format.ts';
import { envNote } from '../result/env-note.ts';
import { pressureRows } from './pressure-section.ts';

function patternList(patterns: readonly string[]): string {
  return patterns.length === 0 ? DASH : patterns.map((p) => inlineCode(p, { inTable: true })).join(', ');
}

/** Each found pattern with where it first appeared: seconds after execute and bytes into the output. */
function foundList(t: TestResult): string {
  if (t.patterns_found.length === 0) return DASH;
  const at = new Map(t.patterns.filter((h) => h.found).map((h) => [h.pattern, h]));
  return t.patterns_found
    .map((p) => {
      const hit = at.get(p);
      const where = hit && hit.first_seen_seconds !== null ? ` at ${formatSeconds(hit.first_seen_seconds)}, byte ${count(hit.first_seen_byte)}` : '';
      return `${inlineCode(p, { inTable: true })}${where}`;
    })
    .join('; ');
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

/** Found of expected, and the coverage a pass needed (absent in results from before it was recorded). */
function patternsText(t: TestResult): string {
  const needed = t.pattern_threshold === undefined ? '' : `, ${percent(t.pattern_threshold, 0)} needed`;
  return `${t.patterns_found.length}/${t.patterns_expected} found (${percent(t.pattern_coverage, 0)}${needed})`;
}

/**
 * What the log holds, in words: complete only when it is (every byte in the file); otherwise how
 * much is missing and why — a failed write, or output the disk could not keep up with.
 */
export function logHolds(t: TestResult): { complete: boolean; text: string } {
  const left = t.log_dropped_bytes > 0 ? `${formatBytes(t.log_dropped_bytes)} left out` : null;
  if (t.log_path === null) return { complete: false, text: t.log_error ? `no log was written: ${t.log_error}` : 'no log was written' };
  if (t.log_error) return { complete: false, text: `${t.log_error}${left ? `; ${left}` : ''}` };
  if (left !== null) return { complete: false, text: `${left} (the disk could not keep up)` };
  if (t.log_complete === false) return { complete: false, text: 'not whole' };
  // Results from before the flag was recorded say nothing either way.
  if (t.log_complete === undefined) return { complete: false, text: 'completeness not recorded' };
  return { complete: true, text: 'complete' };
}

/** The log row: where the log is and what it holds; its name says NOT COMPLETE when it is not. */
function logRow(t: TestResult): [string, string] {
  const holds = logHolds(t);
  const words = holds.complete ? holds.text : `**${cell(holds.text)}**`;
  return [holds.complete ? 'Log' : 'Log NOT COMPLETE', t.log_path === null ? words : `${inlineCode(t.log_path, { inTable: true })}: ${words}`];
}

/** Processes that left the command's group; the executor ended them when the command ended. */
function escapedText(list: NonNullable<TestResult['escaped_processes']>): string {
  const shown = list.slice(0, 10).map((e) => `${e.pid} ${inlineCode(e.command, { inTable: true })}`).join(', ');
  return `**${list.length}** left the command's process group (ended at its end): ${shown}${list.length > 10 ? `, and ${list.length - 10} more` : ''}`;
}

function resourcesText(t: TestResult): string {
  const r = t.resources;
  if (!r.measured) return `not measured (${cell(r.why)})`;
  const cpu = r.peak_cpu_ratio === null ? `not measured (${cell(r.cpu_why ?? 'no rate')})` : `${peakCpu(r)} of one core`;
  return `peak CPU ${cpu}, peak memory ${peakMemory(r)} (${r.samples} samples)`;
}

/** A head and a tail in fenced blocks; once when the tail is empty or repeats the end of the head. */
function headAndTail(what: string, head: string, tail: string, where: string): string {
  if (tail === '' || head === tail || head.endsWith(tail)) return `${what}:\n\n${codeBlock(head)}\n`;
  return [
    `${what}: the first ${count(head.length)} characters`,
    '',
    codeBlock(head),
    '',
    `… and the last ${count(tail.length)} characters (${where}):`,
    '',
    codeBlock(tail),
    '',
  ].join('\n');
}

function preview(t: TestResult): string {
  const answer = t.text_preview_head ? headAndTail('Answer preview (the text Claude wrote, unescaped)', t.text_preview_head, t.text_preview_tail ?? '', logHolds(t).complete ? 'the whole answer is in the log, as stream-json' : `the log is NOT complete: ${logHolds(t).text}`) : '';
  if (t.output_bytes === 0 && t.preview_head === '' && t.preview_tail === '') return `${answer}_No output._\n`;
  const holds = logHolds(t);
  const where = holds.complete ? 'the full output is in the log' : `the log is NOT complete: ${holds.text}`;
  const raw = headAndTail(answer ? 'Raw output preview' : 'Output preview', t.preview_head, t.preview_tail, where);
  return answer ? `${answer}\n${raw}` : raw;
}

/**
 * The anchor of a test's section, which the status page links to: headings carry the outcome and
 * the name, so their own anchors change from run to run. An id-only HTML anchor, which GitHub's
 * renderer and ours (web/report-html.ts) both keep.
 */
export function testAnchor(id: string): string {
  return `<a id="test-${id}"></a>`;
}

export function testSection(t: TestResult, index: number): string {
  if (t.outcome === 'not_run') {
    return `${testAnchor(t.id)}\n\n### ${index + 1}. ${OUTCOME_MARK[t.outcome]}: ${inline(t.name)} (${inlineCode(t.id)})\n\n${reasonText(t)}\n`;
  }
  const rows: [string, string][] = [
    ['Outcome', OUTCOME_MARK[t.outcome]],
    ['Reason', reasonText(t)],
    ['Category', cell(t.category)],
    ['Description', cell(t.description)],
    ['Command', inlineCode(t.command, { inTable: true })],
    ['Exit code', exitText(t)],
    ['Duration', `${formatDuration(t.duration_seconds)} of a ${formatSeconds(t.timeout_seconds, 0)} timeout`],
    ['Started / ended', `${cell(t.started_at)} → ${cell(t.ended_at)}`],
    ['Output', `${formatBytes(t.output_bytes)}, ${count(t.output_lines)} lines, ${count(t.output_chunks)} chunks; stderr ${formatBytes(t.stderr_bytes)}`],
    ...(t.last_stderr_line ? [['Last stderr line', inlineCode(t.last_stderr_line, { inTable: true })] as [string, string]] : []),
    ['First output', formatSeconds(t.stream.first_output_seconds)],
    ['Patterns', patternsText(t)],
    ['Patterns found', foundList(t)],
    ['Patterns MISSING', t.patterns_missing.length === 0 ? 'none' : `**${patternList(t.patterns_missing)}**`],
    ['Resources', resourcesText(t)],
    ...pressureRows(t),
    logRow(t),
    ...(t.escaped_processes && t.escaped_processes.length > 0 ? [['Escaped processes', escapedText(t.escaped_processes)] as [string, string]] : []),
  ];
  if (t.malformed_frames + t.server_stall_lines + t.stream_error_lines > 0) {
    rows.push(['Stream problems', `${t.malformed_frames} malformed frames, ${t.server_stall_lines} stall lines, ${t.stream_error_lines} stream error lines`]);
  }
  const env = envNote(t);
  if (env !== null) rows.push(['Env', `**${cell(env)}**`]);
  const notes = Object.entries(t.notifications);
  if (notes.length > 0) rows.push(['Notifications', notes.map(([method, n]) => `${inlineCode(method, { inTable: true })} ×${n}`).join(', ')]);
  if (t.trace_id !== null) rows.push(['Trace', inlineCode(t.trace_id, { inTable: true })]);
  return [
    testAnchor(t.id),
    '',
    `### ${index + 1}. ${OUTCOME_MARK[t.outcome]}: ${inline(t.name)} (${inlineCode(t.id)})`,
    '',
    keyValueTable(rows),
    '',
    ...(t.load ? [loadSection(t.load)] : []),
    ...(t.load?.search ? [capacitySection(t.id, t.load.search)] : []),
    preview(t),
  ].join('\n');
}
