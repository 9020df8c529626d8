/** TestResult / RunResult values for telemetry tests: the shared builder with a Claude-like test. */
import { GapCounter } from '../../src/result/gap-buckets.ts';
import type { GapHistogram, RunResult, TestResult } from '../../src/result/types.ts';
import { runResult as baseRun, testResult as baseTest } from '../fixtures/run-result.ts';

/** The gap histogram the runner would report for these gaps (ms). */
export function gapHistogram(gapsMs: readonly number[]): GapHistogram {
  const counter = new GapCounter();
  for (const ms of gapsMs) counter.record(ms);
  return counter.snapshot();
}

export function testResult(overrides: Partial<TestResult> = {}): TestResult {
  return baseTest({
    id: 'python_checklist',
    name: 'Python checklist',
    description: null,
    category: null,
    command: 'claude -p "write a checklist"',
    outcome: 'passed',
    reason: null,
    reason_detail: null,
    exit_code: 0,
    signal: null,
    started_at: '2026-11-24T10:15:00.000Z',
    ended_at: '2026-11-24T10:17:03.000Z',
    duration_seconds: 123.5,
    timeout_seconds: 300,
    output_bytes: 48_000,
    output_lines: 900,
    output_chunks: 910,
    stderr_bytes: 0,
    malformed_frames: 0,
    server_stall_lines: 0,
    stream_error_lines: 0,
    patterns_expected: 4,
    patterns_found: ['python', 'production', 'checklist'],
    patterns_missing: ['pytest'],
    pattern_coverage: 0.75,
    patterns: [],
    stream: {
      first_output_seconds: 2.25,
      first_text_seconds: 4.5,
      gap_p50_seconds: 0.02,
      gap_p95_seconds: 0.4,
      gap_max_seconds: 7,
      longest_silence_seconds: 7,
      bytes_per_second: 400,
      lines_per_second: 7.5,
      output_tokens_per_second: 31.5,
      completion_lag_seconds: 0.1,
      gap_histogram: gapHistogram([20, 20, 400, 7000]),
    },
    claude: {
      model: 'claude-sonnet-4-5',
      session_id: 's-1',
      claude_version: '2.0.14',
      total_cost_usd: 0.125,
      num_turns: 1,
      duration_ms: 120_000,
      duration_api_ms: 118_000,
      is_error: false,
      subtype: 'success',
      usage: { input_tokens: 12, output_tokens: 3800, cache_read_input_tokens: 15_000, cache_creation_input_tokens: 900 },
    },
    resources: {
      measured: true,
      peak_cpu_ratio: 0.85,
      peak_memory_bytes: 350_000_000,
      samples: 240,
      executor_peak_cpu_ratio: 0.1,
      executor_peak_memory_bytes: 80_000_000,
    },
    preview_head: '',
    preview_tail: '',
    log_path: null,
    log_waited_lines: 0,
    log_dropped_bytes: 0,
    notifications: {},
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    span_id: '00f067aa0ba902b7',
        ...overrides,
  });
}

export function runResult(overrides: Partial<RunResult> = {}): RunResult {
  return baseRun({
    id: '20261124T101500Z-3f9a',
    suite: 'complex',
    executor: 'embedded',
    ended_at: '2026-11-24T10:25:00.000Z',
    duration_seconds: 600,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    ...overrides,
    tests: overrides.tests ?? [testResult()],
  });
}
