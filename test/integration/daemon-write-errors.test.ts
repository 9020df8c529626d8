/**
 * Writes that fail are never silent (DESIGN section 13), through the real daemon on a real tiny
 * disk: a reports dir on a tmpfs that fills mid-run (ENOSPC), and one remounted read-only (EROFS).
 * The test says its log is not complete and why, the report says so, the daemon logs it once, both
 * counters count, the report nobody could write is served from memory, the API and the page say
 * which file was not written, and after a restart (space freed) the run is still `finished` with
 * its write errors, never `aborted`.
 *
 * The fill is deterministic, not a race: the test's command waits until the journal holds it (the
 * journal sink is fed asynchronously, so it may write at any point of the output otherwise), then
 * prints more than the disk holds, then fills what is left to exactly 0 bytes free before it
 * exits. Before, a 64 KiB tmpfs was filled by the output alone and the journal's test-start write
 * raced it: the output could meet ENOSPC while the journal's padded temp file (32 KiB of spare
 * room) briefly held the space, the log then stopped writing, the temp file went, and the report
 * written at the run's end found room (seen once under a busy loop on both cores).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import type { RunResult, TestResult } from '../../src/result/types.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, valueOf } from '../fixtures/prom-text.ts';
import { mountTmpfs, type Tmpfs } from '../fixtures/tmpfs.ts';

const CONFIG = 'test/fixtures/daemon/big-output.json';
const SUITE = 'daemon_big_output';
const OUTPUT_BYTES = 30_000 * 11;
/** Room for two padded journals (the run's start, the test's start) and part of the output, never all of it. */
const FULL_DISK_KB = 256;

/**
 * big-output.json's suite with a command that fills `dir` in order: it waits (up to 20 s) for the
 * journal to name it as the test in flight, prints OUTPUT_BYTES, then fills the disk to 0 bytes free.
 */
async function fillingConfig(dir: string): Promise<{ path: string; remove(): Promise<void> }> {
  const configDir = await mkdtemp(join(tmpdir(), 'stressd-write-errors-config-'));
  const command = [
    `i=0; until grep -qs '"current_test": {' '${dir}/${SUITE}/'*.json; do i=$((i+1)); [ $i -gt 1000 ] && exit 9; sleep 0.02; done`,
    'yes 0123456789 | head -n 30000',
    `cat /dev/zero > '${dir}/filler.bin' 2>/dev/null`,
    'exit 0',
  ].join('; ');
  const suite = {
    suite: SUITE, executor: 'embedded', pause_between_tests: 0, sample_interval_ms: 100, timeout: 30,
    tests: [{ id: 'big', name: 'Big output', command, expected_patterns: ['0123456789'] }],
  };
  const path = join(configDir, 'suite.json');
  await writeFile(path, JSON.stringify(suite));
  return { path, remove: () => rm(configDir, { recursive: true, force: true }) };
}

interface Ran {
  daemon: DaemonProcess;
  run: RunResult;
  big: TestResult;
}

interface Setup {
  sizeKb: number;
  /** The suite's config file for this disk (and what to remove after). */
  config(fs: Tmpfs): Promise<{ path: string; remove(): Promise<void> }>;
  prepare(fs: Tmpfs): Promise<void>;
}

/** A daemon on `fs`, one run at start, to its end as the API tells it; then `check`, then stop and unmount. */
async function withRun(t: { skip(why: string): void }, setup: Setup, check: (r: Ran, fs: Tmpfs, config: string) => Promise<void>): Promise<void> {
  const fs = await mountTmpfs(setup.sizeKb);
  if (typeof fs === 'string') return t.skip(fs);
  let daemon: DaemonProcess | null = null;
  let config: { path: string; remove(): Promise<void> } | null = null;
  try {
    config = await setup.config(fs);
    await setup.prepare(fs);
    const d = spawnDaemon(['--config', config.path, '--reports-dir', fs.dir, '--run-on-start']);
    daemon = d;
    await d.ready;
    const summary = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
      return body.find((r) => r.status !== 'running');
    }, 'a finished run', 60_000);
    const run = (await getJson<RunResult>(`${d.url}/api/runs/${summary.id}`)).body;
    const big = run.tests[0] ?? assert.fail('no test result');
    await check({ daemon: d, run, big }, fs, config.path);
  } finally {
    await daemon?.stop();
    await config?.remove();
    await fs.remove();
  }
}

async function counters(url: string): Promise<{ log: number; report: number }> {
  const expo = parsePromText(await (await fetch(`${url}/metrics`)).text());
  return {
    log: valueOf(expo, 'stressd_log_write_errors_total', { suite: SUITE }),
    report: valueOf(expo, 'stressd_report_write_errors_total', { suite: SUITE }),
  };
}

/** The report as the API serves it: from the file when there is one, else rendered from memory. */
async function servedReport(url: string, id: string): Promise<string> {
  const res = await fetch(`${url}/api/runs/${id}/report`);
  assert.equal(res.status, 200);
  return res.text();
}

const fixedConfig = async (): Promise<{ path: string; remove(): Promise<void> }> => ({ path: CONFIG, remove: async () => undefined });

/** The status page as a browser asks for it. */
async function page(url: string): Promise<string> {
  const res = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
  assert.equal(res.status, 200);
  return res.text();
}

test('a full disk: the log is not complete (ENOSPC), the report is not written; the record, the API and the page say so, and a restart keeps it finished', (t) =>
  withRun(
    t,
    { sizeKb: FULL_DISK_KB, config: (fs) => fillingConfig(fs.dir), prepare: async () => undefined },
    async ({ daemon, run, big }, fs, config) => {
      assert.equal(big.output_bytes, OUTPUT_BYTES);
      assert.equal(big.log_complete, false);
      assert.match(big.log_error ?? '', /^ENOSPC\b/);
      const onDisk = (await stat(big.log_path ?? assert.fail('no log path'))).size;
      assert.equal(onDisk + big.log_dropped_bytes, OUTPUT_BYTES, `on disk ${onDisk} + dropped ${big.log_dropped_bytes}`);

      // The disk is full: the report could not be written, and the API still serves it, saying why the log is short.
      const files = await readdir(join(fs.dir, SUITE));
      assert.ok(!files.includes(`${run.id}.md`), files.join(', '));
      const md = await servedReport(daemon.url, run.id);
      assert.match(md, /Log NOT COMPLETE.*ENOSPC/);
      assert.deepEqual(await counters(daemon.url), { log: 1, report: 1 });

      const said = daemon.logs.filter((l) => l.msg === 'test log not complete');
      assert.equal(said.length, 1, 'logged once');
      assert.match(String(said[0]?.log_error), /^ENOSPC\b/);
      const reportFailure = daemon.logs.find((l) => l.msg === 'report sink failed');
      assert.match(JSON.stringify(reportFailure?.err ?? null), /ENOSPC/);

      // The record says which files were not written and why: the API's run, its summary, the page, the gauge.
      assert.equal(run.status, 'finished');
      const unwritten = (run.write_errors ?? []).map((w) => `${w.file}: ${w.error.split(':')[0] ?? ''}`);
      assert.ok(unwritten.includes('log: ENOSPC'), unwritten.join(', '));
      assert.ok(unwritten.includes('report: ENOSPC'), unwritten.join(', '));
      const summary = (await getJson<RunSummary[]>(`${daemon.url}/api/runs`)).body.find((r) => r.id === run.id);
      assert.deepEqual(summary?.write_errors, run.write_errors, 'the list says it too');
      const html = await page(daemon.url);
      assert.match(html, /report NOT written: ENOSPC/);
      assert.match(html, /log of big NOT written: ENOSPC/);
      const expo = parsePromText(await (await fetch(`${daemon.url}/metrics`)).text());
      assert.ok(valueOf(expo, 'stressd_run_last_write_errors', { suite: SUITE }) >= 2);

      // Space freed, the daemon restarted: the run is read back from its JSON (written over the
      // journal's room in place) as finished with its write errors, not turned into `aborted`.
      await daemon.stop();
      await rm(join(fs.dir, 'filler.bin'));
      const again = spawnDaemon(['--config', config, '--reports-dir', fs.dir]);
      try {
        await again.ready;
        assert.deepEqual(again.logs.filter((l) => l.msg === 'history: skipped a file'), []);
        const restored = (await getJson<RunResult>(`${again.url}/api/runs/${run.id}`)).body;
        assert.equal(restored.status, 'finished');
        assert.equal(restored.abort_cause ?? null, null);
        assert.equal(restored.tests_passed, 1);
        assert.equal(restored.tests[0]?.outcome, 'passed');
        const after = (restored.write_errors ?? []).map((w) => `${w.file}: ${w.error.split(':')[0] ?? ''}`);
        assert.ok(after.includes('log: ENOSPC') && after.includes('report: ENOSPC'), after.join(', '));
        assert.match(await page(again.url), /report NOT written: ENOSPC/);
      } finally {
        await again.stop();
      }
    },
  ));

test('a disk the output alone fills, whatever the order of the writes: after a restart the run is finished with its write errors, never aborted', (t) =>
  withRun(
    t,
    // 64 KiB: no room for two padded journals, so the journal's test-start write races the output.
    { sizeKb: 64, config: fixedConfig, prepare: async () => undefined },
    async ({ daemon, run, big }, fs) => {
      assert.equal(run.status, 'finished');
      assert.equal(big.log_complete, false);
      assert.match(big.log_error ?? '', /^ENOSPC\b/);
      await daemon.stop();
      const again = spawnDaemon(['--config', CONFIG, '--reports-dir', fs.dir]);
      try {
        await again.ready;
        assert.deepEqual(again.logs.filter((l) => l.msg === 'history: skipped a file'), []);
        const restored = (await getJson<RunResult>(`${again.url}/api/runs/${run.id}`)).body;
        assert.deepEqual([restored.status, restored.tests_passed, restored.tests[0]?.outcome], ['finished', 1, 'passed']);
        const files = (restored.write_errors ?? []).map((w) => w.file);
        assert.ok(files.includes('log'), files.join(', '));
      } finally {
        await again.stop();
      }
    },
  ));

test('a read-only reports dir: the log and the report fail with EROFS, never a wrong ENOENT, and the report is served from memory', (t) =>
  withRun(
    t,
    { sizeKb: 64, config: fixedConfig, prepare: (fs) => fs.readOnly() },
    async ({ daemon, run, big }) => {
      assert.equal(big.log_complete, false);
      assert.equal(big.log_path, null);
      assert.match(big.log_error ?? '', /^EROFS\b/);
      assert.equal(big.log_dropped_bytes, OUTPUT_BYTES);
      assert.equal(big.outcome, 'passed', 'the test itself still ran and is judged on its output');
      const md = await servedReport(daemon.url, run.id);
      assert.match(md, /Log NOT COMPLETE.*EROFS/);
      assert.deepEqual(await counters(daemon.url), { log: 1, report: 1 });
      const reportFailure = JSON.stringify(daemon.logs.find((l) => l.msg === 'report sink failed')?.err ?? null);
      assert.match(reportFailure, /EROFS/);
      assert.doesNotMatch(reportFailure, /ENOENT/);
      const unwritten = (run.write_errors ?? []).map((w) => `${w.file}: ${w.error.split(':')[0] ?? ''}`);
      assert.ok(unwritten.includes('report: EROFS') && unwritten.includes('json: EROFS'), unwritten.join(', '));
      assert.match(await page(daemon.url), /json NOT written: EROFS/);
    },
  ));
