/** The sections the original report lacked: stream timing per test and what Claude says it cost. */
import type { TestResult } from '../result/types.ts';
import { cell, table } from './escape.ts';
import { formatSeconds } from '../result/format.ts';
import { DASH, count, rate, usd } from './format.ts';

export function streamTimingSection(tests: readonly TestResult[]): string {
  const rows = tests.map((t) => {
    const s = t.stream;
    return [
      cell(t.id),
      formatSeconds(s.first_output_seconds),
      formatSeconds(s.first_text_seconds),
      formatSeconds(s.gap_p50_seconds, 3),
      formatSeconds(s.gap_p95_seconds, 3),
      formatSeconds(s.gap_max_seconds, 3),
      formatSeconds(s.longest_silence_seconds),
      rate(s.bytes_per_second, 'B/s'),
      rate(s.lines_per_second, 'lines/s'),
      rate(s.output_tokens_per_second, 'tok/s'),
      formatSeconds(s.completion_lag_seconds, 3),
    ];
  });
  return [
    '## Stream timing',
    '',
    'Measured from the receive time of each `process.output` line: first output and first assistant text from `execute`; ' +
      'gaps between consecutive lines after the first; rates from the first line to the last; completion lag from the last line to `process.completed`.',
    '',
    table(
      ['test', 'first output', 'first text', 'gap p50', 'gap p95', 'gap max', 'longest silence', 'bytes/s', 'lines/s', 'tokens/s', 'completion lag'],
      rows,
      ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
  ].join('\n');
}

function sum(values: readonly (number | null | undefined)[]): number | null {
  const known = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

export function costSection(tests: readonly TestResult[]): string {
  const withClaude = tests.filter((t) => t.claude !== null);
  if (withClaude.length === 0) {
    return '## Cost\n\nNo test printed Claude stream-json with a result line, so there is no model, cost or token count to show.\n';
  }
  const rows = tests.map((t) => {
    const c = t.claude;
    if (c === null) return [cell(t.id), 'not Claude stream-json', DASH, DASH, DASH, DASH, DASH, DASH];
    const u = c.usage;
    return [
      cell(t.id),
      cell(c.model),
      usd(c.total_cost_usd),
      count(c.num_turns),
      count(u?.input_tokens),
      count(u?.output_tokens),
      count(u?.cache_read_input_tokens),
      count(u?.cache_creation_input_tokens),
    ];
  });
  const u = (k: 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens') =>
    count(sum(withClaude.map((t) => t.claude?.usage?.[k])));
  rows.push([
    '**total**',
    DASH,
    usd(sum(withClaude.map((t) => t.claude?.total_cost_usd))),
    count(sum(withClaude.map((t) => t.claude?.num_turns))),
    u('input_tokens'),
    u('output_tokens'),
    u('cache_read_input_tokens'),
    u('cache_creation_input_tokens'),
  ]);
  return [
    '## Cost',
    '',
    'From the final `result` line of each test\'s stream-json (never summed over assistant lines).',
    '',
    table(['test', 'model', 'cost (USD)', 'turns', 'tokens in', 'tokens out', 'cache read', 'cache creation'], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r']),
    '',
  ].join('\n');
}
