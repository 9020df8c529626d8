/**
 * The product build: `npm start`, the bin and the image run compiled JavaScript from dist/ with
 * plain node: no tsx loader and no esbuild helper in the process tree, SIGTERM reaches the daemon
 * and it stops cleanly with its embedded executor. dist/ is what `npm install` (prepare) built;
 * when it is missing or older than src/, this test builds it first.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../ops/ops-files.ts';
import { startChild, waitFor } from '../fixtures/ops/processes.ts';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

before(() => {
  let built = 0;
  try {
    built = statSync(join(repoRoot, 'dist/cli.js')).mtimeMs;
  } catch {
    // not built yet
  }
  if (built < newest(join(repoRoot, 'src'))) execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'ignore', timeout: 300_000 });
});

/** The command lines of a process and its descendants. */
function commandLines(pid: number): string[] {
  const out: string[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() ?? -1;
    try {
      out.push(readFileSync(`/proc/${current}/cmdline`, 'utf8').split('\0').join(' ').trim());
      const children = readFileSync(`/proc/${current}/task/${current}/children`, 'utf8').trim();
      if (children !== '') queue.push(...children.split(' ').map(Number));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

test('npm start runs node on dist/ directly', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
  // Node's own flags (the young generation's cap, docs/operations.md) may come before the script.
  assert.match(pkg.scripts.start ?? '', /^node (--[\w=-]+ )*dist\/cli\.js daemon /);
  // `npm run build` when dist/ is older than src/ (bin/build-if-stale.js; test/ops/prepare-build.test.ts).
  assert.equal(pkg.scripts.prepare, 'node bin/build-if-stale.js');
  assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json');
  assert.equal(pkg.dependencies.tsx, undefined, 'tsx is a development tool, not a runtime dependency');
  assert.ok(pkg.devDependencies.tsx);
});

test('the bin runs the compiled CLI', async () => {
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['bin/stressd.js', 'verify', '--config', 'configs/demo.json'], { cwd: repoRoot, timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
  assert.match(out, /^suite: +demo$/m);
});

test("npm start's daemon: no tsx or esbuild in its tree, and SIGTERM stops it and its executor", async () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  // The start script is plain words (no quotes, no variables): split on blanks.
  const [command, ...args] = pkg.scripts.start.trim().split(/\s+/);
  assert.equal(command, 'node');
  const dir = mkdtempSync(join(tmpdir(), 'stressd-start-'));
  const env: NodeJS.ProcessEnv = { ...process.env, STRESSD_LOG_FORMAT: 'json' };
  for (const key of Object.keys(env)) if (key.startsWith('OTEL_') || (key.startsWith('STRESSD_') && key !== 'STRESSD_LOG_FORMAT')) delete env[key];
  const daemon = startChild(process.execPath, [...args, '--host', '127.0.0.1', '--port', '0', '--reports-dir', dir], { cwd: repoRoot, env });
  try {
    await waitFor('the daemon to listen with its executor', 60_000, async () => {
      if (daemon.child.exitCode !== null) throw new Error(`daemon exited: ${daemon.output()}`);
      return daemon.lines.some((l) => l.includes('"msg":"listening"')) ? true : undefined;
    });
    const lines = commandLines(daemon.child.pid ?? -1);
    assert.ok(lines.some((l) => / dist\/cli\.js executor /.test(l) || /\/dist\/cli\.js executor /.test(l)), `no compiled executor in ${JSON.stringify(lines)}`);
    assert.deepEqual(lines.filter((l) => /tsx|esbuild/.test(l)), []);
    daemon.child.kill('SIGTERM');
    const code = await waitFor('the daemon to exit', 30_000, async () => (daemon.child.exitCode ?? undefined));
    assert.equal(code, 0, daemon.output());
    assert.ok(daemon.lines.some((l) => l.includes('"msg":"stopped"')));
  } finally {
    await daemon.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
