/**
 * The one TestResult of a test under load: its verdict and `load` figures from all sessions,
 * sums of what adds up (output, stream problems, notifications, cost), and the preview, patterns
 * and stream shape of one representative session (the first that passed, else the first to end).
 */
import type { SuiteTest } from '../config/types.ts';
import type { ClaudeStreamInfo, LoadResult, ResourcePeaks, TestResult } from '../result/types.ts';
import type { LoadVerdict } from './load-stats.ts';
import { testIdentity } from './test-result.ts';

export interface LoadResultInput {
  test: SuiteTest;
  sessions: readonly TestResult[];
  verdict: LoadVerdict;
  load: LoadResult;
  startedAt: Date;
  durationSeconds: number;
  resources: ResourcePeaks;
  ids: { traceId: string | null; spanId: string | null };
}

const sum = (sessions: readonly TestResult[], pick: (t: TestResult) => number): number => sessions.reduce((acc, s) => acc + pick(s), 0);

export function assembleLoadResult(input: LoadResultInput): TestResult {
  const { test, sessions, verdict, load } = input;
  const rep = sessions.find((s) => s.outcome === 'passed') ?? sessions[0];
  const notifications: Record<string, number> = {};
  for (const s of sessions) for (const [k, n] of Object.entries(s.notifications)) notifications[k] = (notifications[k] ?? 0) + n;
  return {
    ...testIdentity(test, verdict),
    exit_code: rep?.exit_code ?? null,
    signal: rep?.signal ?? null,
    started_at: input.startedAt.toISOString(),
    ended_at: new Date(input.startedAt.getTime() + input.durationSeconds * 1000).toISOString(),
    duration_seconds: input.durationSeconds,
    timeout_seconds: test.timeout,
    output_bytes: sum(sessions, (s) => s.output_bytes),
    output_lines: sum(sessions, (s) => s.output_lines),
    output_chunks: sum(sessions, (s) => s.output_chunks),
    stderr_bytes: sum(sessions, (s) => s.stderr_bytes),
    last_stderr_line: rep?.last_stderr_line ?? null,
    malformed_frames: sum(sessions, (s) => s.malformed_frames),
    server_stall_lines: sum(sessions, (s) => s.server_stall_lines),
    stream_error_lines: sum(sessions, (s) => s.stream_error_lines),
    patterns_expected: rep?.patterns_expected ?? test.expected_patterns.length,
    patterns_found: rep ? [...rep.patterns_found] : [],
    patterns_missing: rep ? [...rep.patterns_missing] : [...test.expected_patterns],
    pattern_coverage: rep?.pattern_coverage ?? (test.expected_patterns.length === 0 ? 1 : 0),
    ...(rep?.pattern_threshold === undefined ? {} : { pattern_threshold: rep.pattern_threshold }),
    patterns: rep ? [...rep.patterns] : [],
    // The gauges read first_output_seconds: under load it is the sessions' median.
    stream: { ...(rep?.stream ?? emptyStream()), first_output_seconds: load.first_output_seconds.p50 },
    claude: sumClaude(sessions, rep?.claude ?? null),
    resources: input.resources,
    preview_head: rep?.preview_head ?? '',
    preview_tail: rep?.preview_tail ?? '',
    text_preview_head: rep?.text_preview_head ?? null,
    text_preview_tail: rep?.text_preview_tail ?? null,
    log_path: rep?.log_path ?? null,
    // The representative's log is one of many: complete only when every session's is.
    log_complete: sessions.length > 0 && sessions.every((s) => s.log_complete === true),
    log_error: sessions.find((s) => s.log_error)?.log_error ?? null,
    log_waited_lines: sum(sessions, (s) => s.log_waited_lines),
    log_dropped_bytes: sum(sessions, (s) => s.log_dropped_bytes),
    notifications,
    ...(sessions.some((s) => s.escaped_processes) ? { escaped_processes: sessions.flatMap((s) => s.escaped_processes ?? []) } : {}),
    trace_id: input.ids.traceId,
    span_id: input.ids.spanId,
    ...(rep?.versions ? { versions: rep.versions } : {}),
    load,
  };
}

/** Cost and tokens add up over sessions (the budget counts every one); the rest is the representative's. */
function sumClaude(sessions: readonly TestResult[], rep: ClaudeStreamInfo | null): ClaudeStreamInfo | null {
  if (rep === null) return null;
  const infos = sessions.map((s) => s.claude).filter((c): c is ClaudeStreamInfo => c !== null);
  const total = (pick: (c: ClaudeStreamInfo) => number | null | undefined): number | null => {
    const values = infos.map(pick).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
  };
  const cost = total((c) => c.total_cost_usd);
  return {
    ...rep,
    total_cost_usd: cost === null ? null : Math.round(cost * 1e7) / 1e7,
    usage: rep.usage === null ? null : {
      input_tokens: total((c) => c.usage?.input_tokens),
      output_tokens: total((c) => c.usage?.output_tokens),
      cache_read_input_tokens: total((c) => c.usage?.cache_read_input_tokens),
      cache_creation_input_tokens: total((c) => c.usage?.cache_creation_input_tokens),
    },
  };
}

function emptyStream(): TestResult['stream'] {
  return {
    first_output_seconds: null, first_text_seconds: null, gap_p50_seconds: null, gap_p95_seconds: null, gap_max_seconds: null,
    longest_silence_seconds: null, bytes_per_second: null, lines_per_second: null, output_tokens_per_second: null, completion_lag_seconds: null,
  };
}
