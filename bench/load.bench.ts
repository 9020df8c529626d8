/**
 * Load: 1, 10, 50, 100 and 200 concurrent sessions of a Claude-like stream (bench/lib/claude-like.sh:
 * the init line at once, then 5-word lines at 40 tokens/s after a 0.5 s first-token delay, 8 s of
 * text) against the embedded executor in a process of its own. Per step, stressd (runLoadTest, in
 * its own process) and the baseline in the same run (the same number of bare `ws` clients that only
 * count frames, in their own process): CPU seconds, RSS per session, frames/s, and the error of the
 * first-output instant against the simulator's own write time (p50/p99).
 * Goals: 200 sessions under 300 MB RSS, first-output error p99 under 20 ms, CPU per frame within 2×
 * the bare clients'. BENCH_LOAD_STEPS=1,10 and BENCH_LOAD_SECONDS=8 override the steps and length.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NODE_MEMORY_FLAGS } from '../src/executor/child.ts';
import { driveBare, driveStressd, type DriverArgs, type LoadFigure } from './lib/load-drivers.ts';

const STEPS = (process.env.BENCH_LOAD_STEPS ?? '1,10,50,100,200').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 8);
/** The ramp's two stages, seconds: 0 → N, then N held. */
const [RAMP_S, HOLD_S] = (process.env.BENCH_LOAD_RAMP ?? '10,10').split(',').map(Number) as [number, number];
const SHAPES = (process.env.BENCH_LOAD_SHAPES ?? 'burst,ramp').split(',') as ('burst' | 'ramp')[];
/** Rounds of the judged step (the most sessions), bare and stressd alternating; its median round is the one shown. */
const ROUNDS = Number(process.env.BENCH_LOAD_ROUNDS ?? 3);
const INTERVAL_S = 5 / 40;
const SIM = fileURLToPath(new URL('./lib/claude-like.sh', import.meta.url));
const COMMAND = `bash ${SIM} 0.5 ${INTERVAL_S} ${Math.round(SECONDS / INTERVAL_S)}`;
const WARMUP_COMMAND = `bash ${SIM} 0.1 ${INTERVAL_S} 8`;
const MB = 1024 * 1024;

function child(args: string[], nodeFlags: readonly string[] = []): { done: Promise<string>; kill: () => void; firstLine: Promise<string> } {
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) reaches every child: Node refuses
  // profiling flags in NODE_OPTIONS.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeFlags, ...extra, '--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onLine: (line: string) => void = () => undefined;
  const firstLine = new Promise<string>((resolve) => (onLine = resolve));
  proc.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('\n')) onLine(out.split('\n')[0] ?? '');
  });
  const done = new Promise<string>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args.join(' ')} exited ${code}: ${out}`))));
  });
  return { done, firstLine, kill: () => proc.kill('SIGTERM') };
}

async function measureInChild(mode: 'stressd' | 'bare', a: DriverArgs): Promise<LoadFigure> {
  // stressd runs with the memory settings it ships with (npm start, the image); the bare clients with Node's defaults.
  const out = await child([fileURLToPath(import.meta.url), mode, JSON.stringify(a)], mode === 'stressd' ? NODE_MEMORY_FLAGS : []).done;
  return JSON.parse(out.trim().split('\n').at(-1) ?? '') as LoadFigure;
}

function row(n: number, shape: string, f: LoadFigure): string {
  // Per session at the peak: the ramp's peak holds N sessions, however many started in all.
  const rss = (f.peakRss - f.baseRss) / n / MB;
  const cells = [
    n, shape, f.mode, `${f.passed}/${f.sessions}`, f.seconds.toFixed(1), f.cpuSeconds.toFixed(2), ((f.cpuSeconds / f.frames) * 1e6).toFixed(0),
    (f.peakRss / MB).toFixed(0), rss.toFixed(2), (f.frames / f.seconds).toFixed(0), pct(f.errorsMs, 0.5).toFixed(1), pct(f.errorsMs, 0.99).toFixed(1),
  ];
  return `| ${cells.join(' | ')} |`;
}

function pct(values: readonly number[], p: number): number {
  const s = [...values].sort((x, y) => x - y);
  return s.length === 0 ? NaN : (s[Math.max(0, Math.ceil(p * s.length) - 1)] as number);
}

const mode = process.argv[2];
if (mode === 'stressd' || mode === 'bare') {
  const a = JSON.parse(process.argv[3] ?? '{}') as DriverArgs;
  const figure = mode === 'stressd' ? await driveStressd(a) : await driveBare(a);
  process.stdout.write(`${JSON.stringify(figure)}\n`);
  process.exit(0);
} else {
  const executor = child([fileURLToPath(new URL('./lib/load-executor.ts', import.meta.url))]);
  const { url, pid } = JSON.parse(await executor.firstLine) as { url: string; pid: number };
  const rows: string[] = [];
  const verdicts: boolean[] = [];
  try {
    for (const n of STEPS) {
      for (const shape of SHAPES) {
        const stages = shape === 'ramp' ? [{ duration_s: RAMP_S, sessions: n }, { duration_s: HOLD_S, sessions: n }] : null;
        const a: DriverArgs = { sessions: n, stages, url, executorPid: pid, command: COMMAND, warmupCommand: WARMUP_COMMAND };
        const judged = n === Math.max(...STEPS);
        // Several rounds, alternating, so that a machine getting busier or quieter shifts both alike.
        const rounds: { bare: LoadFigure; stressd: LoadFigure; ratio: number }[] = [];
        for (let r = 0; r < (judged ? ROUNDS : 1); r++) {
          const b = await measureInChild('bare', a);
          const st = await measureInChild('stressd', a);
          rounds.push({ bare: b, stressd: st, ratio: st.cpuSeconds / st.frames / (b.cpuSeconds / b.frames) });
        }
        const byRatio = [...rounds].sort((x, y) => x.ratio - y.ratio);
        const { bare, stressd } = byRatio[Math.floor(byRatio.length / 2)] as (typeof rounds)[number];
        if (rounds.length > 1) console.error(`${shape}, ${n} sessions: CPU per frame vs the bare clients, round by round: ${rounds.map((r) => `${r.ratio.toFixed(2)}×`).join(', ')} (median shown)`);
        for (const f of [bare, stressd]) rows.push(row(n, shape, f));
        if (!judged) continue;
        const perFrame = stressd.cpuSeconds / stressd.frames / (bare.cpuSeconds / bare.frames);
        const p99 = pct(stressd.errorsMs, 0.99);
        const ok = stressd.peakRss < 300 * MB && p99 < 20 && perFrame <= 2;
        // The goals are judged where N sessions run concurrently as a load test runs them (the ramp);
        // N started in one instant is the worst case, shown beside it.
        if (shape === 'ramp' || !SHAPES.includes('ramp')) verdicts.push(ok);
        console.error(`${shape}, ${n} sessions: stressd peak RSS ${(stressd.peakRss / MB).toFixed(0)} MB (goal < 300), first-output error p99 ${p99.toFixed(1)} ms (goal < 20; bare clients ${pct(bare.errorsMs, 0.99).toFixed(1)}), CPU per frame ${perFrame.toFixed(2)}× the bare clients' (goal ≤ 2): ${ok ? 'met' : 'NOT met'}`);
      }
    }
  } finally {
    executor.kill();
    await executor.done.catch(() => undefined);
  }
  console.log(`Claude-like stream: \`${COMMAND}\` (first line at once, text after 0.5 s, 40 tokens/s for ${SECONDS} s); ramp: 0 → N in ${RAMP_S} s, N held ${HOLD_S} s\n`);
  console.log('| sessions | shape | client | completed | s | CPU s | CPU µs/frame | peak RSS MB | RSS MB/session | frames/s | first-output error p50 ms | p99 ms |');
  console.log('|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
  process.exitCode = verdicts.every(Boolean) ? 0 : 1;
}
