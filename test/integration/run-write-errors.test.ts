/**
 * `stressd run` on a read-only reports dir (a real tmpfs remounted ro): the run still happens,
 * and its summary says, once each, that the test's log and the report could not be written, with
 * EROFS, never a wrong ENOENT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stressdRun } from '../fixtures/stressd-run.ts';
import { mountTmpfs } from '../fixtures/tmpfs.ts';

test('a read-only reports dir: the summary names EROFS for the log and the report', async (t) => {
  const fs = await mountTmpfs(64);
  if (typeof fs === 'string') return t.skip(fs);
  try {
    await fs.readOnly();
    const r = await stressdRun(['--config', 'test/fixtures/daemon/big-output.json', '--reports-dir', fs.dir]);
    // The test passed, but the run's record is not whole: exit code 3, not 0.
    assert.equal(r.code, 3, r.stderr);
    const logLines = r.stdout.split('\n').filter((l) => l.startsWith('log of big NOT complete'));
    assert.equal(logLines.length, 1, r.stdout);
    assert.match(logLines[0] ?? '', /EROFS/);
    assert.match(r.stdout, /report NOT written: EROFS/);
    assert.doesNotMatch(r.stdout, /ENOENT/);
  } finally {
    await fs.remove();
  }
});
