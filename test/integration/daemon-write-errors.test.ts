/**
 * Writes that fail are never silent (DESIGN section 13), through the real daemon on a real tiny
 * disk: a reports dir on a 64 KiB tmpfs that the test's output fills (ENOSPC), and one remounted
 * read-only (EROFS). The test says its log is not complete and why, the report says so, the
 * daemon logs it once, both counters count, and the report nobody could write is served from memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import type { RunResult, TestResult } from '../../src/result/types.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { parsePromText, valueOf } from '../fixtures/prom-text.ts';
import { mountTmpfs, type Tmpfs } from '../fixtures/tmpfs.ts';

const CONFIG = 'test/fixtures/daemon/big-output.json';
const SUITE = 'daemon_big_output';
const OUTPUT_BYTES = 30_000 * 11;

interface Ran {
  daemon: DaemonProcess;
  run: RunResult;
  big: TestResult;
}

/** A daemon on `fs`, one run at start, to its end as the API tells it; then `check`, then stop and unmount. */
async function withRun(t: { skip(why: string): void }, prepare: (fs: Tmpfs) => Promise<void>, check: (r: Ran, fs: Tmpfs) => Promise<void>): Promise<void> {
  const fs = await mountTmpfs(64);
  if (typeof fs === 'string') return t.skip(fs);
  let daemon: DaemonProcess | null = null;
  try {
    await prepare(fs);
    const d = spawnDaemon(['--config', CONFIG, '--reports-dir', fs.dir, '--run-on-start']);
    daemon = d;
    await d.ready;
    const summary = await waitFor(async () => {
      const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
      return body.find((r) => r.status !== 'running');
    }, 'a finished run', 60_000);
    const run = (await getJson<RunResult>(`${d.url}/api/runs/${summary.id}`)).body;
    const big = run.tests[0] ?? assert.fail('no test result');
    await check({ daemon: d, run, big }, fs);
  } finally {
    await daemon?.stop();
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

test('a full disk: the test says its log is not complete (ENOSPC) with the bytes left out, the report says so, both counters count', (t) =>
  withRun(
    t,
    async () => undefined,
    async ({ daemon, run, big }, fs) => {
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
    },
  ));

test('a read-only reports dir: the log and the report fail with EROFS, never a wrong ENOENT, and the report is served from memory', (t) =>
  withRun(
    t,
    (fs) => fs.readOnly(),
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
    },
  ));
