/**
 * `stressd run` on a read-only reports dir (a real tmpfs remounted ro): the run still happens,
 * and its summary says, once each, that the test's log and the report could not be written, with
 * EROFS, never a wrong ENOENT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mountTmpfs } from '../fixtures/tmpfs.ts';

function stressdRun(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', STRESSD_EXECUTOR_ALLOW: '' };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stressd run did not exit within 60 s; stderr: ${stderr}`));
    }, 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('a read-only reports dir: the summary names EROFS for the log and the report', async (t) => {
  const fs = await mountTmpfs(64);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    await fs.readOnly();
    const r = await stressdRun(['--config', 'test/fixtures/daemon/big-output.json', '--reports-dir', fs.dir]);
    assert.equal(r.code, 0, r.stderr);
    const logLines = r.stdout.split('\n').filter((l) => l.startsWith('log of big NOT complete'));
    assert.equal(logLines.length, 1, r.stdout);
    assert.match(logLines[0] ?? '', /EROFS/);
    assert.match(r.stdout, /report NOT written: EROFS/);
    assert.doesNotMatch(r.stdout, /ENOENT/);
  } finally {
    await fs.remove();
  }
});
