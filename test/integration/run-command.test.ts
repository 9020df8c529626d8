import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExecutor } from '../../src/executor/server.ts';
import { eventually, isAlive } from '../fixtures/runner/suite.ts';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Exit { code: number | null; stdout: string; stderr: string }

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'stressd-run-cmd-'));
  dirs.push(d);
  return d;
}

async function writeConfig(dir: string, config: unknown): Promise<string> {
  const path = join(dir, 'suite.json');
  await writeFile(path, JSON.stringify(config));
  return path;
}

/** `stressd run …` as a real process; `onStdout` may act on the output as it arrives. */
function stressdRun(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void, ms = 60_000, env: NodeJS.ProcessEnv = {}): Promise<Exit> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'run', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      STRESSD_EXECUTOR_ALLOW: '',
      STRESSD_EXECUTOR_HEARTBEAT_MS: '',
      STRESSD_EXECUTOR_TOKEN: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`stressd run did not exit within ${ms} ms; stderr: ${stderr}`));
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const config = (tests: unknown[]) => ({ suite: 'cli_suite', timeout: 20, pause_between_tests: 0, tests });

test('a graduating run exits 0 and --json prints exactly the report JSON written to disk', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([
    { id: 'hello', name: 'Hello', command: 'echo hello world', expected_patterns: ['hello'] },
    { id: 'again', name: 'Again', command: 'echo hello again', expected_patterns: ['again'] },
  ]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { id: string; graduated: boolean; tests: unknown[] };
  assert.equal(printed.graduated, true);
  assert.equal(printed.tests.length, 2);
  const onDisk: unknown = JSON.parse(await readFile(join(dir, 'reports', 'cli_suite', `${printed.id}.json`), 'utf8'));
  assert.deepEqual(printed, onDisk);
  assert.match(r.stderr, /GRADUATED/);
});

test('a run that does not graduate exits 1 and says why', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([{ id: 'bad', name: 'Bad', command: 'echo nope; exit 4', expected_patterns: [] }]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /bad FAILED \(exit_nonzero: exit code 4\)/);
  assert.match(r.stdout, /NOT GRADUATED: pass rate 0%/);
  const files = await readdir(join(dir, 'reports', 'cli_suite'));
  assert.ok(files.includes('latest.md'));
});

test('--only runs just the named test; an unknown name is bad input (exit 2) naming it', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([
    { id: 'bad', name: 'Bad', command: 'echo nope; exit 4', expected_patterns: [] },
    { id: 'good', name: 'Good', command: 'echo fine', expected_patterns: ['fine'] },
  ]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--only', 'good', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const run = JSON.parse(r.stdout) as { tests: { id: string }[] };
  assert.deepEqual(run.tests.map((t) => t.id), ['good']);

  const unknown = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--only', 'goood']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /--only: no test or category named "goood" in suite cli_suite; known: bad, good/);
});

test('a bad config exits 2 with one message per problem naming the file and the JSON path', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, { timeout: 'soon', tests: [{ id: 'x', command: '' }] });
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports')]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr, `stressd: config error in ${cfg} (2 problems):\n  ${cfg}:1:2: $.timeout: expected a positive integer (seconds), found "soon"\n  ${cfg}:1:38: $.tests[0].command: expected a non-empty command string, found ""\n`);
  assert.equal(r.stdout, '');
});

test('a refused executor URL runs, records connect_failed and exits 1', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([{ id: 'far', name: 'Far', command: 'echo hi' }]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--executor', 'ws://127.0.0.1:1/ws/mcp', '--json']);
  assert.equal(r.code, 1, r.stderr);
  const run = JSON.parse(r.stdout) as { tests: { reason: string; resources: { measured: boolean } }[] };
  assert.equal(run.tests[0]?.reason, 'connect_failed');
  assert.equal(run.tests[0]?.resources.measured, false);
});

test("the embedded executor of a run keeps to STRESSD_EXECUTOR_ALLOW: a command outside it is refused", async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([
    { id: 'allowed', name: 'Allowed', command: 'echo allowed', expected_patterns: ['allowed'] },
    { id: 'refused', name: 'Refused', command: 'uname -a' },
  ]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--json'], undefined, 60_000, { STRESSD_EXECUTOR_ALLOW: 'echo, printf' });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /the embedded executor \(ws:\/\/127\.0\.0\.1:\d+\/ws\/mcp, allowing only echo, printf\)/);
  const run = JSON.parse(r.stdout) as { tests: { id: string; outcome: string; reason: string | null; reason_detail: string | null }[] };
  assert.deepEqual(run.tests.map((t) => [t.id, t.outcome, t.reason]), [['allowed', 'passed', null], ['refused', 'error', 'rpc_error']]);
  assert.match(run.tests[1]?.reason_detail ?? '', /'uname' is not allowed/);
});

test('a bad STRESSD_EXECUTOR_HEARTBEAT_MS is bad input: exit 2, saying what was expected and found', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([{ id: 'x', name: 'X', command: 'echo x' }]));
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports')], undefined, 60_000, { STRESSD_EXECUTOR_HEARTBEAT_MS: 'often' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /STRESSD_EXECUTOR_HEARTBEAT_MS: expected a whole number of milliseconds above 0, found "often"/);
});

test('a remote executor that needs a token is reached with STRESSD_EXECUTOR_TOKEN', async () => {
  const dir = await tmp();
  const server = await startExecutor({ port: 0, token: 'sesame' });
  try {
    const cfg = await writeConfig(dir, config([{ id: 'far', name: 'Far', command: 'echo over there', expected_patterns: ['there'] }]));
    const args = ['--config', cfg, '--reports-dir', join(dir, 'reports'), '--executor', server.url, '--json'];
    const ok = await stressdRun(args, undefined, 60_000, { STRESSD_EXECUTOR_TOKEN: 'sesame' });
    assert.equal(ok.code, 0, ok.stderr);
    const refused = await stressdRun(args, undefined, 60_000, { STRESSD_EXECUTOR_TOKEN: 'wrong' });
    assert.equal(refused.code, 1, refused.stderr);
    assert.equal((JSON.parse(refused.stdout) as { tests: { reason: string }[] }).tests[0]?.reason, 'connect_failed');
  } finally {
    await server.close();
  }
});

test('SIGTERM mid-run aborts the test in flight, writes the partial report and exits 1', async () => {
  const dir = await tmp();
  const cfg = await writeConfig(dir, config([
    { id: 'long', name: 'Long', command: 'echo "pid $$"; sleep 30' },
    { id: 'skipped', name: 'Skipped', command: 'echo never' },
  ]));
  let sent = false;
  const r = await stressdRun(['--config', cfg, '--reports-dir', join(dir, 'reports'), '--json'], (text, child) => {
    if (!sent && /long started/.test(text)) {
      sent = true;
      setTimeout(() => child.kill('SIGTERM'), 700);
    }
  });
  assert.equal(r.code, 1, r.stderr);
  const run = JSON.parse(r.stdout) as { id: string; status: string; tests_total: number; tests: { id: string; outcome: string; reason: string; preview_head: string }[] };
  assert.equal(run.status, 'aborted');
  assert.deepEqual(run.tests.map((t) => [t.id, t.outcome, t.reason]), [['long', 'error', 'aborted'], ['skipped', 'not_run', 'aborted']]);
  assert.equal(run.tests_total, 2);
  const onDisk = JSON.parse(await readFile(join(dir, 'reports', 'cli_suite', `${run.id}.json`), 'utf8')) as { status: string };
  assert.equal(onDisk.status, 'aborted');
  const pid = Number(/pid (\d+)/.exec(run.tests[0]?.preview_head ?? '')?.[1]);
  assert.ok(pid > 0);
  await eventually('the command to be ended with the run', () => !isAlive(pid));
});
