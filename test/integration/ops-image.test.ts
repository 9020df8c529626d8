/**
 * The image's command, run as the image would run it (its CMD with its ENV, no docker needed):
 * without STRESSD_TOKEN the daemon refuses to listen on 0.0.0.0 and says why, before binding
 * anything. (With a token it would bind 0.0.0.0, which tests here never do.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execForm, imageEnv, readInstructions } from '../fixtures/ops/dockerfile.ts';
import { startChild } from '../fixtures/ops/processes.ts';
import { repoRoot } from '../ops/ops-files.ts';

test("the image's command without STRESSD_TOKEN exits with code 2, naming STRESSD_TOKEN", async () => {
  const instructions = readInstructions(join(repoRoot, 'Dockerfile'));
  const cmd = execForm(instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '');
  assert.ok(cmd !== null && cmd[0] === 'node', 'CMD is not `node …` in exec form');
  const dir = await mkdtemp(join(tmpdir(), 'stressd-image-'));
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...imageEnv(instructions), STRESSD_REPORTS_DIR: join(dir, 'reports') };
  delete env.STRESSD_TOKEN;
  const daemon = startChild(process.execPath, cmd.slice(1), { cwd: repoRoot, env });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      if (daemon.child.exitCode !== null) return resolve(daemon.child.exitCode);
      const timer = setTimeout(() => reject(new Error(`the daemon did not exit within 20 s: ${daemon.output()}`)), 20_000);
      daemon.child.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    assert.equal(code, 2, daemon.output());
    assert.match(daemon.output(), /STRESSD_TOKEN/);
  } finally {
    await daemon.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
