/**
 * `stressd run --push-gateway` against the real thing: Debian's prometheus-pushgateway (no
 * persistence) on an ephemeral port, scraped every second by Debian's Prometheus with
 * honor_labels, as docs/scaling.md tells operators to configure it. The run uses the embedded
 * executor; what it pushed is read back through Prometheus' query API.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stressdRun, type RunCliOptions, type RunExit } from '../fixtures/stressd-run.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { freePort, promQuery, startChild, waitFor, type Child, type PromResult } from '../fixtures/ops/processes.ts';

const pushgatewayBin = requireTool('prometheus-pushgateway');
const prometheusBin = requireTool('prometheus');
const skip = pushgatewayBin === undefined ? skipReason('prometheus-pushgateway') : prometheusBin === undefined ? skipReason('prometheus') : false;
const SUITE = 'pushed_suite';

/** `stressd run …` with the push flags' environment and, optionally, a hand on its stderr. */
function runPushed(args: string[], env: NodeJS.ProcessEnv = {}, onStderr?: RunCliOptions['onStderr']): Promise<RunExit> {
  return stressdRun(args, { env, ...(onStderr ? { onStderr } : {}) });
}

describe('stressd run --push-gateway, read back through a real Pushgateway and Prometheus', { skip }, () => {
  let dir = '';
  let pushgateway: Child | null = null;
  let prometheus: Child | null = null;
  let gateway = '';
  let prom = '';
  let config = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stressd-push-'));
    config = join(dir, 'suite.json');
    await writeFile(config, JSON.stringify({
      suite: SUITE,
      executor: 'embedded',
      pause_between_tests: 0,
      tests: [
        { id: 'hello', name: 'Hello', command: 'echo hello world', expected_patterns: ['hello'], timeout: 20 },
        { id: 'long', name: 'Long', command: 'echo started; sleep 30', expected_patterns: ['started'], timeout: 60 },
      ],
    }));
    const gwPort = await freePort();
    gateway = `http://127.0.0.1:${gwPort}`;
    // No --persistence.file: the Pushgateway keeps pushes in memory only, nothing is written.
    pushgateway = startChild(pushgatewayBin ?? 'prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${gwPort}`], { cwd: dir, env: process.env });
    await waitFor('the Pushgateway to be ready', 20_000, async () => ((await fetch(`${gateway}/-/ready`)).ok ? true : undefined));

    const promPort = await freePort();
    prom = `http://127.0.0.1:${promPort}`;
    await writeFile(join(dir, 'prometheus.yml'), [
      'global:',
      '  scrape_interval: 1s',
      'scrape_configs:',
      '  - job_name: pushgateway',
      '    honor_labels: true',
      '    static_configs:',
      `      - targets: ['127.0.0.1:${gwPort}']`,
      '',
    ].join('\n'));
    prometheus = startChild(prometheusBin ?? 'prometheus', [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`,
    ], { cwd: dir, env: process.env });
    await waitFor('Prometheus to be ready', 30_000, async () => ((await fetch(`${prom}/-/ready`)).ok ? true : undefined));
  });

  after(async () => {
    await Promise.all([prometheus?.stop(), pushgateway?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The one series `query` returns once Prometheus has scraped it, with its value. */
  const series = (query: string): Promise<PromResult> =>
    waitFor(`Prometheus to return ${query}`, 20_000, async () => {
      const r = await promQuery(prom, query);
      return r.length === 1 ? r[0] : undefined;
    });

  it('pushes a finished run once, under job "stressd" and its suite, and Prometheus keeps the pushed labels', async () => {
    const r = await runPushed(['--config', config, '--only', 'hello', '--reports-dir', join(dir, 'reports'), '--push-gateway', `${gateway}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`pushed the metrics of run \\S+ \\(finished\\) to ${gateway}/metrics/job/stressd/suite/${SUITE}`));

    const graduated = await series(`stressd_run_last_graduated{suite="${SUITE}"}`);
    // honor_labels: the push's job wins over the scrape job's name, and no instance is invented.
    assert.deepEqual(graduated.metric, { __name__: 'stressd_run_last_graduated', job: 'stressd', suite: SUITE });
    assert.equal(graduated.value?.[1], '1');
    assert.equal((await series(`stressd_runs_total{job="stressd",suite="${SUITE}",result="graduated"}`)).value?.[1], '1');
    assert.equal((await series(`stressd_test_last_success{suite="${SUITE}",test="hello"}`)).value?.[1], '1');
    assert.equal((await series(`stressd_test_duration_seconds_count{suite="${SUITE}",test="hello",outcome="passed"}`)).value?.[1], '1');
    assert.equal((await series(`stressd_build_info{job="stressd",suite="${SUITE}"}`)).value?.[1], '1');
    const ended = Number((await series(`stressd_run_last_timestamp_seconds{suite="${SUITE}"}`)).value?.[1]);
    const pushed = Number((await series(`push_time_seconds{job="stressd",suite="${SUITE}"}`)).value?.[1]);
    assert.ok(ended > 0 && pushed >= ended - 1 && pushed - ended < 30, `run ended at ${ended}, pushed at ${pushed}`);
    // Only the run's own metrics: no process metrics of a process that has exited.
    assert.deepEqual(await promQuery(prom, `process_cpu_user_seconds_total{job="stressd"}`), []);
    assert.deepEqual(await promQuery(prom, `stressd_run_next_timestamp_seconds{suite="${SUITE}"}`), []);
  });

  it('on SIGTERM pushes the aborted run, replacing the group, and still exits 1 with the partial report', async () => {
    let sent = false;
    // --json sends the progress (and "long started") to stderr, where the test watches for it.
    const r = await runPushed(['--config', config, '--reports-dir', join(dir, 'reports'), '--json'], { STRESSD_PUSH_GATEWAY: gateway }, (text, kill) => {
      if (!sent && /long started/.test(text)) {
        sent = true;
        kill('SIGTERM');
      }
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /pushed the metrics of run \S+ \(aborted\)/);
    assert.equal((JSON.parse(r.stdout) as { status: string }).status, 'aborted');
    assert.match(r.stderr, /report: /);
    assert.equal((await series(`stressd_runs_total{suite="${SUITE}",result="aborted"}`)).value?.[1], '1');
    // A PUT replaces the whole group: the first run's counter is gone from the Pushgateway, so
    // Prometheus marks it stale at the next scrape.
    await waitFor('the graduated run to be replaced', 20_000, async () =>
      (await promQuery(prom, `stressd_runs_total{suite="${SUITE}",result="graduated"}`)).length === 0 ? true : undefined);
    // An aborted run sets no run gauge and none of the test it cut short (docs/telemetry.md,
    // "Aborted runs"): with the group replaced, they are absent, never a false 0.
    assert.deepEqual(await promQuery(prom, `stressd_run_last_graduated{suite="${SUITE}"}`), []);
    assert.deepEqual(await promQuery(prom, `stressd_test_last_success{suite="${SUITE}",test="long"}`), []);
  });

  it('a Pushgateway that is down is reported with its address (credentials hidden), and the verdict still decides the exit', async () => {
    const closed = await freePort();
    const r = await runPushed(['--config', config, '--only', 'hello', '--reports-dir', join(dir, 'reports'), '--push-gateway', `http://ci:s3cret@127.0.0.1:${closed}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`push to http://\\*\\*\\*@127\\.0\\.0\\.1:${closed}/metrics/job/stressd/suite/${SUITE} failed: .*ECONNREFUSED`));
    assert.doesNotMatch(r.stderr + r.stdout, /s3cret/);
  });

  it('a URL that is not http(s) is bad input: exit 2 before anything runs', async () => {
    const r = await runPushed(['--config', config, '--reports-dir', join(dir, 'reports'), '--push-gateway', 'ws://127.0.0.1:9091']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--push-gateway \(STRESSD_PUSH_GATEWAY\): expected an http:\/\/ or https:\/\/ URL of a Pushgateway, found "ws:\/\/127\.0\.0\.1:9091"/);
    assert.doesNotMatch(r.stdout + r.stderr, /test\(s\) on/);
  });
});
