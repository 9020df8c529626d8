/**
 * The executor's per-command cost of the orphan safety net (DESIGN §12): N sessions start one
 * short command each at once (`sleep 1`, so they end close together), against the embedded
 * executor in a process of its own (bench/lib/load-executor.ts). Per round: the executor's CPU
 * seconds (utime+stime from /proc) per command, and the wall time until the last
 * `process.completed`. Baseline in the same run: a bare node process that spawns the same N
 * commands (`/bin/sh -c`, detached) and waits for them — the floor of what starting a command costs.
 * BENCH_REAPER_SESSIONS (default 200) and BENCH_REAPER_ROUNDS (default 2) override;
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" profiles the children.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bareSession } from './lib/bare-session.ts';
import { cpuSecondsOf } from './lib/proc-truth.ts';

const SESSIONS = Number(process.env.BENCH_REAPER_SESSIONS ?? 200);
const ROUNDS = Number(process.env.BENCH_REAPER_ROUNDS ?? 2);
const COMMAND = 'sleep 1';

/** Processes on the host: the old per-command sweep read every one of them, per command. */
function processCount(): number {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

/** One execute per session, all at once; resolves when every session got process.completed. */
async function round(url: string): Promise<{ seconds: number; completed: number; peakProcs: number }> {
  const t0 = performance.now();
  let completed = 0;
  let peakProcs = 0;
  const sampler = setInterval(() => (peakProcs = Math.max(peakProcs, processCount())), 100);
  const one = async (): Promise<void> => {
    if (await bareSession(url, COMMAND)) completed++;
  };
  await Promise.all(Array.from({ length: SESSIONS }, one));
  clearInterval(sampler);
  return { seconds: (performance.now() - t0) / 1000, completed, peakProcs };
}

/** The baseline, run in a child: spawn N commands the way the executor does, wait for all, print CPU seconds. */
async function bareSpawns(): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: SESSIONS }, async () => {
      const child = spawn('/bin/sh', ['-c', COMMAND], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      await once(child, 'exit');
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ cpuSeconds: (cpu.user + cpu.system) / 1e6, seconds: (performance.now() - t0) / 1000 })}\n`);
}

function runChild(script: string, args: string[] = []): { proc: ReturnType<typeof spawn>; firstLine: Promise<string> } {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const firstLine = new Promise<string>((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0] ?? '');
    });
    proc.once('exit', (code) => reject(new Error(`${script} exited ${code} before printing`)));
  });
  return { proc, firstLine };
}

if (process.argv[2] === 'bare') {
  await bareSpawns();
  process.exit(0);
}

const rows: string[] = [];
for (let r = 1; r <= ROUNDS; r++) {
  const bare = JSON.parse(await runChild(fileURLToPath(import.meta.url), ['bare']).firstLine) as { cpuSeconds: number; seconds: number };
  rows.push(`| ${r} | bare spawn (baseline) | ${SESSIONS} | ${bare.seconds.toFixed(2)} | ${bare.cpuSeconds.toFixed(2)} | ${((bare.cpuSeconds / SESSIONS) * 1000).toFixed(2)} | |`);
  // A fresh executor per round: its start-up is not counted (CPU is read after it listens).
  const executor = runChild(fileURLToPath(new URL('./lib/load-executor.ts', import.meta.url)));
  const { url, pid } = JSON.parse(await executor.firstLine) as { url: string; pid: number };
  try {
    const cpu0 = cpuSecondsOf(pid);
    const res = await round(url);
    const cpu = cpuSecondsOf(pid) - cpu0;
    rows.push(`| ${r} | executor | ${res.completed} | ${res.seconds.toFixed(2)} | ${cpu.toFixed(2)} | ${((cpu / SESSIONS) * 1000).toFixed(2)} | ${res.peakProcs} |`);
  } finally {
    executor.proc.kill('SIGTERM');
    await once(executor.proc, 'exit');
  }
}
console.log(`${SESSIONS} sessions start \`${COMMAND}\` at once; CPU from /proc (10 ms ticks)\n`);
console.log('| round | who | completed | wall s | CPU s | CPU ms/command | peak processes on host |');
console.log('|---:|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);
