/** A misspelt key fails `verify`, `run` and `daemon` alike, with one prefix and shape (issue 27 point 2). */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stressdCli } from '../fixtures/stressd-run.ts';

describe('config errors across commands', () => {
  it('refuses `expected_paterns` in verify, run and daemon with the same message and a non-zero exit', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'stressd-typo-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'typo.json');
    await writeFile(config, '{\n  "suite": "typo",\n  "tests": [\n    { "id": "a", "command": "echo a", "expected_paterns": ["a"] }\n  ]\n}\n');
    const expected = `stressd: config error in ${config} (1 problem):\n  ${config}:4:39: $.tests[0].expected_paterns: unknown key; did you mean \`expected_patterns\`?\n`;
    const env = { STRESSD_REPORTS_DIR: join(dir, 'reports') };
    const exits = await Promise.all([
      stressdCli('verify', ['--config', config], { env }),
      stressdCli('run', ['--config', config], { env }),
      stressdCli('daemon', ['--config', config, '--port', '0'], { env }),
    ]);
    for (const [i, exit] of exits.entries()) {
      const name = ['verify', 'run', 'daemon'][i];
      assert.equal(exit.code, 2, `${name}: ${exit.stderr}`);
      assert.equal(exit.stderr, expected, `${name} says it differently`);
      assert.equal(exit.stdout, '', `${name} printed on stdout`);
    }
  });

  it('says "no such file" for a missing config in all three', async () => {
    const missing = join(tmpdir(), 'stressd-surely-missing', 'x.json');
    const exits = await Promise.all(['verify', 'run', 'daemon'].map((c) => stressdCli(c, ['--config', missing])));
    for (const exit of exits) {
      assert.equal(exit.code, 2, exit.stderr);
      assert.equal(exit.stderr, `stressd: config error in ${missing} (1 problem):\n  ${missing}: $: no such file\n`);
    }
  });
});
