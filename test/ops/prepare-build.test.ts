/**
 * `prepare` builds only when dist/ is older than its sources (bin/build-if-stale.js): `npx stressd`
 * runs `prepare` on every cold npm cache, and a full compile there took the first call to 12 s.
 * Run on a copy of the script in a scratch package whose `build` only writes dist/cli.js.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');

test('prepare skips the build when dist/ is newer than src/, and builds when a source is newer', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-prepare-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'src', 'config'), { recursive: true });
  await mkdir(join(dir, 'dist'));
  await copyFile(join(REPO, 'bin', 'build-if-stale.js'), join(dir, 'bin', 'build-if-stale.js'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', type: 'module', scripts: { build: "node -e \"require('fs').writeFileSync('dist/cli.js', 'built')\"" } }));
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) await writeFile(join(dir, f), '{}');
  await writeFile(join(dir, 'src', 'config', 'load.ts'), 'export {};\n');
  await writeFile(join(dir, 'dist', 'cli.js'), 'old');
  const past = new Date(Date.now() - 60_000);
  for (const f of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'src/config/load.ts']) await utimes(join(dir, f), past, past);

  const skipped = await run(process.execPath, ['bin/build-if-stale.js'], { cwd: dir, env: { ...process.env, STRESSD_FORCE_BUILD: '' } });
  assert.match(skipped.stdout, /build skipped/);
  assert.equal(await readFile(join(dir, 'dist', 'cli.js'), 'utf8'), 'old');

  // A source edited after the build: built again.
  await writeFile(join(dir, 'src', 'config', 'load.ts'), 'export const x = 1;\n');
  const future = new Date(Date.now() + 60_000);
  await utimes(join(dir, 'src', 'config', 'load.ts'), future, future);
  await run(process.execPath, ['bin/build-if-stale.js'], { cwd: dir, env: { ...process.env, STRESSD_FORCE_BUILD: '' } });
  assert.equal(await readFile(join(dir, 'dist', 'cli.js'), 'utf8'), 'built');
});
