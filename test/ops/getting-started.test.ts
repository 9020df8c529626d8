/**
 * Follows docs/getting-started.md as a new user would: every block the page marks with a
 * `<!-- test: … -->` comment is run, in order, in a scratch copy of the checkout (its `dist/` and
 * `configs/` linked in), with `npx stressd` meaning this checkout's CLI (src/ through tsx):
 *   run        a ```sh block that must exit 0 (its output is kept for the next `output`)
 *   fails      a ```sh block that must exit non-zero
 *   write F    a block whose text is written to the file F
 *   output     each non-empty line must appear in what the previous command printed
 *   background a ```sh block started and left running (executor, daemon) until it logs `listening`;
 *              its `--port N` becomes an ephemeral port, and `:N` in later blocks the port it got
 *   yaml       a ```yaml block that must parse, and whose scrape target is the daemon's port
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { parse } from 'yaml';

const REPO = join(import.meta.dirname, '..', '..');
const DOC = join(REPO, 'docs', 'getting-started.md');

interface Step {
  kind: string;
  arg: string;
  body: string;
  line: number;
}

/** The marked blocks of the page, in order. */
function markedSteps(markdown: string): Step[] {
  const lines = markdown.split('\n');
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const mark = /^<!-- test: (\S+)(?: (.+?))? -->$/.exec(lines[i] ?? '');
    if (!mark) continue;
    const open = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const close = lines.findIndex((l, j) => j > open && l === '```');
    assert.ok(open === i + 1 && close > open, `docs/getting-started.md:${i + 1}: a test mark must be followed by a fenced block`);
    steps.push({ kind: mark[1] ?? '', arg: mark[2] ?? '', body: lines.slice(open + 1, close).join('\n'), line: i + 1 });
    i = close;
  }
  return steps;
}

function shell(body: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const child = spawn('sh', ['-e', '-c', body], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`did not finish within 90 s: ${body}\n${out}`));
    }, 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Starts a long-running command and resolves with the port its `listening` line names. */
function background(body: string, cwd: string, env: NodeJS.ProcessEnv, started: ChildProcess[]): Promise<number> {
  const child = spawn('sh', ['-c', `exec ${body}`], { cwd, env: { ...env, STRESSD_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line within 60 s from: ${body}\n${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${body}\n${err}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let entry: { msg?: unknown; port?: unknown; url?: unknown };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg !== 'listening') return;
      clearTimeout(timer);
      const port = typeof entry.port === 'number' ? entry.port : Number(new URL(String(entry.url)).port);
      resolve(port);
    });
  });
}

test('docs/getting-started.md, followed step by step, works and prints what it says', async (t) => {
  const steps = markedSteps(await readFile(DOC, 'utf8'));
  assert.ok(steps.filter((s) => s.kind === 'run').length >= 5, 'the page lost its runnable steps');
  const dir = await mkdtemp(join(tmpdir(), 'stressd-first-suite-'));
  const started: ChildProcess[] = [];
  t.after(async () => {
    await Promise.all(started.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => {
      c.once('exit', r);
      c.kill('SIGTERM');
    }))));
    await rm(dir, { recursive: true, force: true });
  });
  await symlink(join(REPO, 'dist'), join(dir, 'dist'));
  await symlink(join(REPO, 'configs'), join(dir, 'configs'));
  const shim = join(dir, '.bin');
  await mkdir(shim);
  await writeFile(join(shim, 'npx'), `#!/bin/sh\n[ "$1" = stressd ] || { echo "npx here runs only stressd" >&2; exit 127; }\nshift\nexec "${process.execPath}" --import "${join(REPO, 'node_modules/tsx/dist/loader.mjs')}" "${join(REPO, 'src/cli.ts')}" "$@"\n`);
  await chmod(join(shim, 'npx'), 0o755);
  // A machine without curl (a slim image) gets a stand-in for the one use the page makes of it: `curl -s URL`.
  if ((await shell('command -v curl', dir, process.env)).code !== 0) {
    await writeFile(join(shim, 'curl'), `#!/bin/sh\nfor a; do url="$a"; done\nexec "${process.execPath}" -e 'fetch(process.argv[1]).then(async (r) => process.stdout.write(await r.text()))' "$url"\n`);
    await chmod(join(shim, 'curl'), 0o755);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shim}:${process.env.PATH ?? ''}` };
  for (const key of Object.keys(env)) if ((key.startsWith('STRESSD_') || key.startsWith('OTEL_')) && env[key] !== undefined) delete env[key];

  const ports = new Map<string, string>();
  const localise = (text: string): string => [...ports].reduce((s, [doc, real]) => s.replaceAll(`:${doc}`, `:${real}`), text);
  let last = '';
  for (const step of steps) {
    const where = `docs/getting-started.md:${step.line} (${step.kind})`;
    if (step.kind === 'write') {
      await writeFile(join(dir, step.arg), `${step.body}\n`);
    } else if (step.kind === 'run' || step.kind === 'fails') {
      const { code, out } = await shell(localise(step.body), dir, env);
      if (step.kind === 'run') assert.equal(code, 0, `${where}: exit ${code}\n${out}`);
      else assert.notEqual(code, 0, `${where}: expected a failure\n${out}`);
      last = out;
    } else if (step.kind === 'output') {
      for (const line of step.body.split('\n').filter((l) => l.trim() !== '')) {
        assert.ok(last.includes(localise(line)), `${where}: "${localise(line)}" is not in what the command printed:\n${last}`);
      }
    } else if (step.kind === 'background') {
      const docPort = /--port (\d+)/.exec(step.body)?.[1];
      assert.ok(docPort, `${where}: a background step names its --port`);
      const port = await background(step.body.replace(`--port ${docPort}`, '--port 0'), dir, env, started);
      ports.set(docPort, String(port));
    } else if (step.kind === 'yaml') {
      const config = parse(step.body) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
      const target = config.scrape_configs[0]?.static_configs[0]?.targets[0] ?? '';
      assert.equal(config.scrape_configs[0]?.job_name, 'stressd');
      assert.ok(ports.has(target.split(':')[1] ?? ''), `${where}: the scrape target ${target} is not the daemon's port`);
    } else {
      assert.fail(`${where}: unknown test mark`);
    }
  }

  // What the page says about the files: the partial run's report is there, latest.* is the whole run's.
  const files = await readdir(join(dir, 'reports', 'first'));
  const runs = await Promise.all(files.filter((f) => f.endsWith('.json') && f !== 'latest.json').sort().map(async (f) => JSON.parse(await readFile(join(dir, 'reports', 'first', f), 'utf8')) as { id: string; only?: string[] }));
  assert.deepEqual(runs.map((r) => r.only ?? null), [['hello_sim'], null, null]);
  const latest = JSON.parse(await readFile(join(dir, 'reports', 'first', 'latest.json'), 'utf8')) as { id: string };
  assert.equal(latest.id, runs[2]?.id);
  assert.ok(files.includes(`${runs[0]?.id ?? ''}.md`) && files.includes('latest.md'));
});
