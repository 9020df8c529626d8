/**
 * The daemon's logger as a person and a pipeline see it: under util-linux's `script` stdout is a
 * real pseudo-terminal and the lines are readable, in the local time of TZ; a pipe, or
 * STRESSD_LOG_FORMAT=json on the terminal, gets pino's JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { findTool } from '../fixtures/tools.ts';
import { repoRoot } from '../ops/ops-files.ts';

const script = findTool('script');
const skip = script ? false : 'util-linux script is not installed';
const LOG = `import { createLogger } from './src/logger.ts'; createLogger().info({ suite: 'demo' }, 'listening');`;
const NODE = `${process.execPath} --import tsx --input-type=module -e "${LOG}"`;

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${String(code)}: ${out}`));
    });
  });
}

/** HH:MM now in a zone, as the pretty line should print it. */
function hourMinute(timeZone: string): string[] {
  const fmt = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);
  return [fmt(Date.now()), fmt(Date.now() + 60_000)];
}

test('on a terminal: a readable line in local time, coloured level', { skip }, async () => {
  // +05:30 tells local time from UTC whatever zone the machine is in.
  const out = await run(script ?? 'script', ['-qfec', NODE, '/dev/null'], { TZ: 'Asia/Kolkata', STRESSD_LOG_FORMAT: '', NO_COLOR: undefined });
  const line = out.split(/\r?\n/).find((l) => l.includes('listening')) ?? '';
  const ESC = String.fromCharCode(27);
  assert.equal(line.slice(12), ` ${ESC}[32mINFO ${ESC}[0m listening suite=demo`, JSON.stringify(out));
  assert.match(line.slice(0, 12), /^\d\d:\d\d:\d\d\.\d{3}$/);
  assert.ok(hourMinute('Asia/Kolkata').includes(line.slice(0, 5)), `${line.slice(0, 5)} is not Asia/Kolkata time`);
});

test('on a terminal with STRESSD_LOG_FORMAT=json, and on a pipe: JSON lines', { skip }, async () => {
  const tty = await run(script ?? 'script', ['-qfec', NODE, '/dev/null'], { STRESSD_LOG_FORMAT: 'json' });
  const piped = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', LOG], { STRESSD_LOG_FORMAT: '' });
  for (const out of [tty, piped]) {
    const entry = JSON.parse(out.trim().split(/\r?\n/).at(-1) ?? '') as { msg: string; time: number; suite: string };
    assert.equal(entry.msg, 'listening');
    assert.equal(entry.suite, 'demo');
    assert.equal(typeof entry.time, 'number');
  }
});
