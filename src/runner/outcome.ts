/**
 * Exactly one outcome and ONE failure reason per test. When several things went wrong, the first
 * in this order wins (docs/runner.md explains why):
 *   aborted > timeout > connect_failed > connection_lost > rpc_error
 *   > rate_limited > token_limit > server_stall > stream_error > sut_error > exit_nonzero > pattern_miss
 * Outcome `error` means stressd could not judge the system under test (run aborted, transport or
 * RPC failure); `timeout` our deadline passed; `failed` the test ran and fell short.
 */
import { ErrorCode, StressdError } from '../errors.ts';
import type { ExecuteEnd } from '../client/types.ts';
import type { FailureReason, Outcome } from '../result/types.ts';
import type { PatternSummary } from './patterns.ts';

export interface OutcomeEvidence {
  /** The run's signal fired while this test ran. */
  aborted: boolean;
  /** How execute ended; null when it threw. */
  end: ExecuteEnd | null;
  /** What execute threw, if it did. */
  error: unknown;
  deadlineSeconds: number;
  exitCode: number | null;
  signal: string | null;
  serverStallLines: number;
  streamErrorLines: number;
  /** Detail of a rate-limit signal (cc_executor notification or Claude's own error result); null if none. */
  rateLimited: string | null;
  tokenLimit: string | null;
  /** The stream-json result said is_error. */
  sutError: { subtype: string | null } | null;
  /** The patterns, judged once (patterns.ts summarizePatterns). */
  patterns: PatternSummary;
  /** The last non-blank stderr line, quoted in the detail of a non-zero exit. */
  lastStderrLine?: string | null;
}

export interface Verdict {
  outcome: Outcome;
  reason: FailureReason | null;
  detail: string | null;
}

const v = (outcome: Outcome, reason: FailureReason | null, detail: string | null): Verdict => ({ outcome, reason, detail });

export function decideOutcome(e: OutcomeEvidence): Verdict {
  if (e.aborted) return v('error', 'aborted', 'the run was stopped while this test ran');
  if (e.end?.kind === 'deadline') {
    const confirmed = e.end.confirmed ? 'CANCEL confirmed' : 'CANCEL not confirmed';
    return v('timeout', 'timeout', `no completion within ${e.deadlineSeconds} s; ${confirmed}`);
  }
  // stressd's executor keeps the same deadline (the integer `timeout` we send); should its timer
  // fire before ours, the process ends with terminated_by "deadline": still our timeout.
  if (e.end?.kind === 'completed' && e.end.completed.terminated_by === 'deadline') {
    return v('timeout', 'timeout', `no completion within ${e.deadlineSeconds} s; ended by the executor's deadline`);
  }
  if (e.end === null) return fromError(e.error);
  if (e.end.kind === 'aborted') return v('error', 'aborted', 'the test was cancelled');
  if (e.rateLimited !== null) return v('failed', 'rate_limited', e.rateLimited);
  if (e.tokenLimit !== null) return v('failed', 'token_limit', e.tokenLimit);
  if (e.serverStallLines > 0) return v('failed', 'server_stall', `${e.serverStallLines} "[Stream timed out" line(s) from the server`);
  if (e.streamErrorLines > 0) return v('failed', 'stream_error', `${e.streamErrorLines} "[Stream error:" line(s) from the server`);
  if (e.sutError !== null) return v('failed', 'sut_error', `the stream-json result is an error${e.sutError.subtype ? ` (${e.sutError.subtype})` : ''}`);
  if (e.exitCode !== 0) {
    const how = e.exitCode === null ? `no exit code${e.signal ? ` (signal ${e.signal})` : ''}` : `exit code ${e.exitCode}`;
    return v('failed', 'exit_nonzero', e.lastStderrLine ? `${how}: ${e.lastStderrLine}` : how);
  }
  const p = e.patterns;
  if (p.coverage < p.threshold) {
    return v('failed', 'pattern_miss', `${p.found.length}/${p.hits.length} patterns, below ${p.threshold}; missing: ${p.missing.join(', ')}`);
  }
  return v('passed', null, null);
}

function fromError(error: unknown): Verdict {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StressdError) {
    if (error.code === ErrorCode.connectFailed) return v('error', 'connect_failed', message);
    if (error.code === ErrorCode.connectionLost) return v('error', 'connection_lost', message);
  }
  // RPC errors, protocol violations and anything unexpected: the server did not do what was asked.
  return v('error', 'rpc_error', message);
}
