import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register as globalRegistry } from 'prom-client';
import { createMetrics, type StressdMetrics } from '../../src/telemetry/metrics.ts';
import { DURATION_BUCKETS } from '../../src/telemetry/metric-defs.ts';
import { parsePromText, samples, valueOf, type Exposition } from '../fixtures/prom-text.ts';
import { runResult, testResult } from './results.ts';

const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function quiet(): { warnings: unknown[]; metrics: StressdMetrics } {
  const warnings: unknown[] = [];
  const metrics = createMetrics({ collectDefaults: false, logger: { warn: (obj) => warnings.push(obj) } });
  return { warnings, metrics };
}

async function scrape(metrics: StressdMetrics, accept?: string): Promise<Exposition> {
  const res = await metrics.metricsResponse(accept);
  assert.equal(res.status, 200);
  return parsePromText(res.body);
}

const T = { suite: 'complex', test: 'python_checklist' };

describe('stressd metrics', () => {
  it('declares every metric of the design with its type', async () => {
    const { metrics } = quiet();
    const exp = await scrape(metrics);
    const expected: Record<string, string> = {
      stressd_test_duration_seconds: 'histogram',
      stressd_test_first_output_seconds: 'histogram',
      stressd_load_session_duration_seconds: 'histogram',
      stressd_load_sessions: 'histogram', // deprecated name, kept one release
      stressd_load_first_output_seconds: 'histogram',
      stressd_test_inter_chunk_gap_seconds: 'histogram',
      stressd_test_last_duration_seconds: 'gauge',
      stressd_test_last_output_bytes: 'gauge',
      stressd_test_last_output_chunks: 'gauge',
      stressd_test_last_peak_memory_bytes: 'gauge',
      stressd_test_last_peak_rss_sum_bytes: 'gauge',
      stressd_test_last_peak_cpu_ratio: 'gauge',
      stressd_test_last_success: 'gauge',
      stressd_test_last_pattern_coverage_ratio: 'gauge',
      stressd_test_last_first_output_seconds: 'gauge',
      stressd_test_last_first_text_seconds: 'gauge',
      stressd_test_last_gap_p95_seconds: 'gauge',
      stressd_test_last_gap_max_seconds: 'gauge',
      stressd_test_last_output_tokens_per_second: 'gauge',
      stressd_test_last_cost_usd: 'gauge',
      stressd_test_last_tokens: 'gauge',
      stressd_test_runs_total: 'counter',
      stressd_test_failures_total: 'counter',
      stressd_test_cost_usd_total: 'counter',
      stressd_sut_info: 'gauge',
      stressd_run_last_timestamp_seconds: 'gauge',
      stressd_run_next_timestamp_seconds: 'gauge',
      stressd_run_last_duration_seconds: 'gauge',
      stressd_run_last_success_ratio: 'gauge',
      stressd_run_last_graduated: 'gauge',
      stressd_runs_total: 'counter',
      stressd_run_in_progress: 'gauge',
      stressd_run_skipped_total: 'counter',
      stressd_run_queued_total: 'counter',
      stressd_executor_restarts_total: 'counter',
      stressd_config_reload_failures_total: 'counter',
      stressd_config_last_reload_success: 'gauge',
      stressd_test_escaped_processes: 'gauge',
      stressd_run_last_write_errors: 'gauge',
      stressd_history_unreadable_files: 'gauge',
      stressd_log_write_errors_total: 'counter',
      stressd_report_write_errors_total: 'counter',
      stressd_build_info: 'gauge',
      stressd_test_regressed: 'gauge',
      stressd_test_baseline_seconds: 'gauge',
      stressd_test_baseline_bytes: 'gauge',
      stressd_test_baseline_ratio: 'gauge',
      stressd_test_baseline_usd: 'gauge',
      stressd_test_capacity_sessions: 'gauge',
      stressd_test_capacity_arrivals_per_second: 'gauge',
      stressd_test_capacity_step_first_output_p95_seconds: 'gauge',
      stressd_test_capacity_step_error_ratio: 'gauge',
      stressd_test_capacity_step_held: 'gauge',
      stressd_load_dropped_total: 'counter',
      stressd_test_baseline_tokens_per_second: 'gauge',
      stressd_test_baseline_sessions: 'gauge',
      stressd_test_baseline_arrivals_per_second: 'gauge',
      stressd_test_baseline: 'gauge', // deprecated
      stressd_suite_graduated_runs_ratio: 'gauge',
      stressd_suite_success_failure_ratio: 'gauge', // deprecated
      stressd_test_host_pressure: 'gauge',
      stressd_suite_graduated: 'gauge',
      stressd_run_cost_usd_total: 'counter',
      stressd_budget_exhausted: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) {
      assert.equal(exp.families.get(name)?.type, type, `${name} should be a ${type}`);
    }
    const ours = [...exp.families.keys()].filter((n) => n.startsWith('stressd_'));
    assert.deepEqual(ours.sort(), Object.keys(expected).sort());
  });

  it('records every per-test figure when a test ends', async () => {
    const { metrics, warnings } = quiet();
    metrics.onTestEnd('complex', testResult());
    const exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_test_last_duration_seconds', T), 123.5);
    assert.equal(valueOf(exp, 'stressd_test_last_output_bytes', T), 48_000);
    assert.equal(valueOf(exp, 'stressd_test_last_output_chunks', T), 910);
    assert.equal(valueOf(exp, 'stressd_test_last_peak_memory_bytes', T), 350_000_000);
    assert.equal(valueOf(exp, 'stressd_test_last_peak_cpu_ratio', T), 0.85);
    assert.equal(valueOf(exp, 'stressd_test_last_success', T), 1);
    assert.equal(valueOf(exp, 'stressd_test_last_pattern_coverage_ratio', T), 0.75);
    assert.equal(valueOf(exp, 'stressd_test_last_first_output_seconds', T), 2.25);
    assert.equal(valueOf(exp, 'stressd_test_last_first_text_seconds', T), 4.5);
    assert.equal(valueOf(exp, 'stressd_test_last_gap_p95_seconds', T), 0.4);
    assert.equal(valueOf(exp, 'stressd_test_last_gap_max_seconds', T), 7);
    assert.equal(valueOf(exp, 'stressd_test_last_output_tokens_per_second', T), 31.5);
    assert.equal(valueOf(exp, 'stressd_test_last_cost_usd', T), 0.125);
    assert.equal(valueOf(exp, 'stressd_test_cost_usd_total', T), 0.125);
    assert.equal(valueOf(exp, 'stressd_test_last_tokens', { ...T, kind: 'input' }), 12);
    assert.equal(valueOf(exp, 'stressd_test_last_tokens', { ...T, kind: 'output' }), 3800);
    assert.equal(valueOf(exp, 'stressd_test_last_tokens', { ...T, kind: 'cache_read' }), 15_000);
    assert.equal(valueOf(exp, 'stressd_test_last_tokens', { ...T, kind: 'cache_creation' }), 900);
    assert.equal(valueOf(exp, 'stressd_sut_info', { suite: 'complex', model: 'claude-sonnet-4-5', version: '2.0.14' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { ...T, outcome: 'passed' }), 1);
    assert.equal(samples(exp, 'stressd_test_failures_total').length, 0, 'a pass is not a failure');
    assert.equal(valueOf(exp, 'stressd_test_duration_seconds_count', { ...T, outcome: 'passed' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_duration_seconds_sum', { ...T, outcome: 'passed' }), 123.5);
    assert.equal(valueOf(exp, 'stressd_test_first_output_seconds_sum', T), 2.25);
    assert.equal(valueOf(exp, 'stressd_test_inter_chunk_gap_seconds_sum', T), 7.44, 'every gap, not per-test summaries');
    assert.equal(valueOf(exp, 'stressd_test_inter_chunk_gap_seconds_count', T), 4);
    // Exactly suite and test: no category label when the config has none.
    assert.deepEqual(samples(exp, 'stressd_test_last_success')[0]?.labels, T);
    assert.deepEqual(warnings, []);
  });

  it('labels a categorised test with its category and counts a failure by reason', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('all', testResult({ id: 'hello', category: 'simple', outcome: 'timeout', reason: 'timeout' }));
    metrics.onTestEnd('all', testResult({ id: 'hello', category: 'simple', outcome: 'failed', reason: 'pattern_miss' }));
    const exp = await scrape(metrics);
    const L = { suite: 'all', test: 'hello', category: 'simple' };
    assert.deepEqual(samples(exp, 'stressd_test_last_success')[0]?.labels, L);
    assert.equal(valueOf(exp, 'stressd_test_last_success', L), 0);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { ...L, outcome: 'timeout' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_runs_total', { ...L, outcome: 'failed' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_failures_total', { ...L, reason: 'timeout' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_failures_total', { ...L, reason: 'pattern_miss' }), 1);
    assert.equal(valueOf(exp, 'stressd_test_cost_usd_total', L), 0.25, 'cost accumulates over executions');
  });

  it('removes a last-value series when the newer execution has no such figure', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult());
    metrics.onTestEnd('complex', testResult({ resources: { measured: false, why: 'remote executor' }, claude: null, stream: { ...testResult().stream, first_output_seconds: null } }));
    const exp = await scrape(metrics);
    assert.equal(samples(exp, 'stressd_test_last_peak_memory_bytes').length, 0);
    assert.equal(samples(exp, 'stressd_test_last_peak_cpu_ratio').length, 0);
    assert.equal(samples(exp, 'stressd_test_last_first_output_seconds').length, 0);
    assert.equal(samples(exp, 'stressd_test_last_cost_usd').length, 0);
    assert.equal(samples(exp, 'stressd_test_last_tokens').length, 0);
    assert.equal(valueOf(exp, 'stressd_test_first_output_seconds_count', T), 1, 'only the execution with a first output was observed');
  });

  it('replaces the sut_info series when the model changes', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult());
    const base = testResult().claude;
    assert.ok(base);
    metrics.onTestEnd('complex', testResult({ claude: { ...base, model: 'claude-opus-4-1' } }));
    const info = samples(await scrape(metrics), 'stressd_sut_info');
    assert.deepEqual(info.map((s) => s.labels), [{ suite: 'complex', model: 'claude-opus-4-1', version: '2.0.14', claude_version: '2.0.14', executor: '', executor_version: '' }]);
  });

  it('labels sut_info with the executor too, and a test without Claude keeps the suite\'s model', async () => {
    const { metrics } = quiet();
    const executor = { name: 'stressd-executor', version: '0.9.0' };
    metrics.onTestEnd('complex', testResult({ versions: { executor, model: 'claude-sonnet-4-5', claude_code_version: '2.0.14', command_hash: 'abc' } }));
    metrics.onTestEnd('complex', testResult({ id: 'shell', claude: null, versions: { executor: { ...executor, version: '1.0.0' }, model: null, claude_code_version: null, command_hash: 'def' } }));
    const info = samples(await scrape(metrics), 'stressd_sut_info');
    assert.equal(info.length, 1, 'one series per suite');
    assert.equal(info[0]?.labels.executor_version, '1.0.0');
    assert.equal(info[0]?.labels.executor, 'stressd-executor');
    assert.equal(info[0]?.labels.model, testResult().claude?.model);
    assert.equal(info[0]?.labels.claude_version, '2.0.14');
  });

  it('records the run gauges and its result when a run ends', async () => {
    const { metrics } = quiet();
    const run = runResult({ tests: [testResult(), testResult({ id: 'b', outcome: 'failed', reason: 'exit_nonzero' })], graduated: false });
    metrics.onRunStart(run);
    assert.equal(valueOf(await scrape(metrics), 'stressd_run_in_progress', { suite: 'complex' }), 1);
    metrics.onRunEnd(run);
    const exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_run_in_progress', { suite: 'complex' }), 0);
    assert.equal(valueOf(exp, 'stressd_run_last_timestamp_seconds', { suite: 'complex' }), Date.parse('2026-11-24T10:25:00.000Z') / 1000);
    assert.equal(valueOf(exp, 'stressd_run_last_duration_seconds', { suite: 'complex' }), 600);
    assert.equal(valueOf(exp, 'stressd_run_last_success_ratio', { suite: 'complex' }), 0.5);
    assert.equal(valueOf(exp, 'stressd_run_last_graduated', { suite: 'complex' }), 0);
    assert.equal(valueOf(exp, 'stressd_runs_total', { suite: 'complex', result: 'not_graduated' }), 1);
    assert.equal(samples(exp, 'stressd_test_runs_total').length, 0, 'onRunEnd leaves per-test metrics to onTestEnd');

    metrics.onRunEnd(runResult({ graduated: true }));
    metrics.onRunEnd(runResult({ status: 'aborted', graduated: false }));
    const after = await scrape(metrics);
    assert.equal(valueOf(after, 'stressd_runs_total', { suite: 'complex', result: 'graduated' }), 1);
    assert.equal(valueOf(after, 'stressd_runs_total', { suite: 'complex', result: 'aborted' }), 1);
  });

  it('counts a test whose log could not be written whole, and a report that could not be written, per suite', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult({ log_complete: false, log_error: 'ENOSPC: no space left on device, write' }));
    metrics.onTestEnd('complex', testResult({ log_complete: true, log_error: null }));
    metrics.onReportWriteError('complex');
    const exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_log_write_errors_total', { suite: 'complex' }), 1);
    assert.equal(valueOf(exp, 'stressd_report_write_errors_total', { suite: 'complex' }), 1);
  });

  it('records the schedule, skipped triggers, executor restarts and build info', async () => {
    const { metrics } = quiet();
    metrics.setNextRun('complex', new Date('2026-11-24T11:00:00Z'));
    metrics.onRunSkipped('complex');
    metrics.onRunSkipped('complex');
    metrics.onRunQueued('simple');
    metrics.onExecutorRestart();
    let exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_run_queued_total', { suite: 'simple' }), 1);
    assert.equal(valueOf(exp, 'stressd_run_next_timestamp_seconds', { suite: 'complex' }), Date.parse('2026-11-24T11:00:00Z') / 1000);
    assert.equal(valueOf(exp, 'stressd_run_skipped_total', { suite: 'complex' }), 2);
    assert.equal(valueOf(exp, 'stressd_executor_restarts_total'), 1);
    const build = samples(exp, 'stressd_build_info');
    assert.equal(build.length, 1);
    assert.equal(build[0]?.labels.node, process.version);
    assert.match(build[0]?.labels.version ?? '', /^\d+\.\d+\.\d+/);
    metrics.setNextRun('complex', null);
    exp = await scrape(metrics);
    assert.equal(samples(exp, 'stressd_run_next_timestamp_seconds').length, 0);
  });

  it('uses duration buckets from half a second up to 600 s', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult({ duration_seconds: 95 }));
    const buckets = samples(await scrape(metrics), 'stressd_test_duration_seconds_bucket');
    assert.deepEqual(buckets.map((b) => b.labels.le), [...DURATION_BUCKETS.map(String), '+Inf']);
    assert.deepEqual(buckets.map((b) => b.value), [...DURATION_BUCKETS.map((le) => (95 <= le ? 1 : 0)), 1]);
  });

  it('serves the test span\'s trace and span id as an exemplar in OpenMetrics and not in classic text', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult({ duration_seconds: 95 }));
    const classic = await metrics.metricsResponse('text/plain');
    assert.match(classic.contentType, /^text\/plain; version=0\.0\.4/);
    assert.doesNotMatch(classic.body, / # \{/);
    assert.ok(parsePromText(classic.body).families.get('stressd_test_duration_seconds'));

    const open = await metrics.metricsResponse(OPENMETRICS_ACCEPT);
    assert.match(open.contentType, /^application\/openmetrics-text; version=1\.0\.0/);
    const exp = parsePromText(open.body);
    assert.equal(exp.eof, true);
    const withExemplar = samples(exp, 'stressd_test_duration_seconds_bucket').filter((s) => s.exemplar);
    assert.equal(withExemplar.length, 1);
    assert.equal(withExemplar[0]?.labels.le, '120');
    assert.deepEqual(withExemplar[0]?.exemplar?.labels, { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7' });
    assert.equal(withExemplar[0]?.exemplar?.value, 95);
  });

  it('keeps the trace id in the exemplar when the span id is missing or malformed', async () => {
    const { metrics } = quiet();
    metrics.onTestEnd('complex', testResult({ duration_seconds: 5, span_id: null }));
    metrics.onTestEnd('other', testResult({ duration_seconds: 5, span_id: 'not-a-span-id' }));
    const exp = parsePromText((await metrics.metricsResponse(OPENMETRICS_ACCEPT)).body);
    const exemplars = samples(exp, 'stressd_test_duration_seconds_bucket').flatMap((s) => (s.exemplar ? [s.exemplar.labels] : []));
    assert.deepEqual(exemplars, [{ trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }]);
  });

  it('keeps counters named _total in both formats, whichever is scraped first', async () => {
    const { metrics } = quiet();
    metrics.onRunSkipped('complex');
    for (const accept of [OPENMETRICS_ACCEPT, undefined, OPENMETRICS_ACCEPT, undefined]) {
      const exp = await scrape(metrics, accept);
      assert.equal(valueOf(exp, 'stressd_run_skipped_total', { suite: 'complex' }), 1, `after ${accept ?? 'classic'}`);
      const family = accept ? 'stressd_run_skipped' : 'stressd_run_skipped_total';
      assert.equal(exp.families.get(family)?.type, 'counter');
    }
  });

  it('never puts a run id in a label', async () => {
    const { metrics } = quiet();
    const run = runResult();
    metrics.onRunStart(run);
    for (const t of run.tests) metrics.onTestEnd(run.suite, t);
    metrics.onRunEnd(run);
    metrics.hydrateFromHistory([run]);
    for (const accept of [undefined, OPENMETRICS_ACCEPT]) {
      for (const family of (await scrape(metrics, accept)).families.values()) {
        for (const s of family.samples) {
          assert.ok(!Object.keys(s.labels).some((k) => /run_?id/i.test(k)), `${s.name} has a run id label`);
          assert.ok(!Object.values(s.labels).includes(run.id), `${s.name} carries the run id`);
        }
      }
    }
  });

  it('logs and goes on when given bad input, and never throws', async () => {
    const { metrics, warnings } = quiet();
    const bad: unknown[] = [
      null,
      {},
      { id: 'x', outcome: 'passed', duration_seconds: NaN, stream: null, claude: { total_cost_usd: 'free' } },
      testResult({ trace_id: 'f'.repeat(300) }),
      testResult({ duration_seconds: 4000 }),
      testResult({ duration_seconds: -1 as number, output_bytes: Infinity }),
    ];
    for (const t of bad) assert.doesNotThrow(() => metrics.onTestEnd('complex', t as never));
    assert.doesNotThrow(() => metrics.onRunStart(null as never));
    assert.doesNotThrow(() => metrics.onRunEnd({} as never));
    assert.doesNotThrow(() => metrics.setNextRun('complex', new Date('not a date')));
    assert.doesNotThrow(() => metrics.hydrateFromHistory([null, {}, { status: 'finished' }] as never));
    assert.doesNotThrow(() => metrics.hydrateFromHistory(null as never));
    assert.ok(warnings.length > 0, 'failures are logged');
    const exp = await scrape(metrics, OPENMETRICS_ACCEPT);
    assert.equal(valueOf(exp, 'stressd_test_duration_seconds_count', { ...T, outcome: 'passed' }), 2, 'the valid observations still count');
    assert.deepEqual(new Set(samples(exp, 'stressd_test_runs_total').map((s) => s.labels.test)), new Set(['python_checklist', 'x']), 'no series for a result without id');
  });

  it('does not throw when the logger itself throws', () => {
    const metrics = createMetrics({ collectDefaults: false, logger: { warn: () => { throw new Error('logger down'); } } });
    assert.doesNotThrow(() => metrics.onTestEnd('complex', null as never));
  });

  it('restores last-value gauges from history, newest winning, with counters at zero', async () => {
    const { metrics } = quiet();
    const older = runResult({ id: 'a', started_at: '2026-11-24T09:00:00Z', ended_at: '2026-11-24T09:10:00Z', tests: [testResult({ duration_seconds: 100 }), testResult({ id: 'only_old', duration_seconds: 50 })] });
    const newer = runResult({ id: 'b', started_at: '2026-11-24T10:00:00Z', ended_at: '2026-11-24T10:10:00Z', graduated: false, tests: [testResult({ duration_seconds: 200, outcome: 'failed', reason: 'pattern_miss' })] });
    const running = runResult({ id: 'c', status: 'running', started_at: '2026-11-24T11:00:00Z', ended_at: null, tests: [testResult({ duration_seconds: 999 })] });
    metrics.hydrateFromHistory([newer, running, older]);
    const exp = await scrape(metrics);
    assert.equal(valueOf(exp, 'stressd_test_last_duration_seconds', T), 200);
    assert.equal(valueOf(exp, 'stressd_test_last_success', T), 0);
    assert.equal(valueOf(exp, 'stressd_test_last_duration_seconds', { suite: 'complex', test: 'only_old' }), 50);
    assert.equal(valueOf(exp, 'stressd_run_last_timestamp_seconds', { suite: 'complex' }), Date.parse('2026-11-24T10:10:00Z') / 1000);
    assert.equal(valueOf(exp, 'stressd_run_last_graduated', { suite: 'complex' }), 0);
    assert.equal(valueOf(exp, 'stressd_run_in_progress', { suite: 'complex' }), 0);
    assert.equal(samples(exp, 'stressd_runs_total').length, 0);
    assert.equal(samples(exp, 'stressd_test_runs_total').length, 0);
    assert.equal(samples(exp, 'stressd_test_duration_seconds_count').length, 0);
    assert.equal(samples(exp, 'stressd_test_inter_chunk_gap_seconds_count').length, 0, 'the gap histogram starts at zero');
  });

  it('uses its own registry, so two instances and the global registry stay apart', async () => {
    const a = createMetrics({ collectDefaults: false });
    const b = createMetrics({ collectDefaults: false });
    a.onRunSkipped('x');
    assert.equal(valueOf(await scrape(a), 'stressd_run_skipped_total', { suite: 'x' }), 1);
    assert.equal(samples(await scrape(b), 'stressd_run_skipped_total').length, 0);
    assert.equal(globalRegistry.getSingleMetric('stressd_run_skipped_total'), undefined);
  });

  it('adds prom-client default process metrics unless told not to', async () => {
    const withDefaults = await scrape(createMetrics());
    assert.ok(withDefaults.families.has('process_cpu_user_seconds_total'));
    assert.ok(withDefaults.families.has('nodejs_eventloop_lag_seconds'));
    const without = await scrape(quiet().metrics);
    assert.ok(!without.families.has('process_cpu_user_seconds_total'));
  });
});
