#!/usr/bin/env node
// `prepare` (npm install, npm ci, and `npx stressd`): `npm run build` unless dist/ is already newer
// than every source it is built from. `npx stressd` links this checkout into npm's cache and runs
// `prepare` there first: a full compile on every cold cache made the first `npx stressd` take 12 s
// (docs/benchmarks.md, "Start-up of the CLI"). STRESSD_FORCE_BUILD=1 builds regardless.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time under `path` (a file's own, or the newest of a directory's files). */
function newest(path) {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), 0);
}

let built = -1;
try {
  built = statSync(join(root, 'dist', 'cli.js')).mtimeMs;
} catch {
  // no build yet
}
const inputs = ['src', 'package.json', 'tsconfig.json', 'tsconfig.build.json'].map((p) => newest(join(root, p)));
if (process.env.STRESSD_FORCE_BUILD !== '1' && built > Math.max(...inputs)) {
  process.stdout.write('stressd: dist/ is newer than src/, build skipped (STRESSD_FORCE_BUILD=1 builds anyway)\n');
  process.exit(0);
}
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
