/**
 * Start-up time and idle memory of the daemon with its embedded executor: the compiled build
 * (`node dist/cli.js`, what `npm start`, the bin and the image run) against the baseline of the
 * TypeScript sources through tsx (`node --import tsx src/cli.ts`), rounds interleaved. Needs
 * `npm run build` first. Also times `stressd verify` (a one-shot command) both ways.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROUNDS = 5;
/** Idle: after the daemon said it listens, the executor is up and nothing is scheduled soon. */
const IDLE_MS = 3_000;

const MODES = {
  'tsx (sources, baseline)': ['--import', 'tsx', 'src/cli.ts'],
  'compiled (dist/)': ['dist/cli.js'],
} as const;
type Mode = keyof typeof MODES;

function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The pid and every descendant (the executor, and under tsx its esbuild helpers). */
function tree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i] ?? -1) ?? []));
  return out;
}

interface Round {
  listenMs: number;
  rssMb: number;
  processes: number;
}

async function daemonRound(mode: Mode): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'stressd-startup-'));
  const started = performance.now();
  const env = { ...process.env, STRESSD_LOG_FORMAT: 'json', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
  const child = spawn(process.execPath, [...MODES[mode], 'daemon', '--config', 'configs/demo.json', '--port', '0', '--reports-dir', dir], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const listenMs = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode}: no "listening" within 60 s`)), 60_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('"msg":"listening"')) {
        clearTimeout(timer);
        resolve(performance.now() - started);
      }
    });
  });
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const pids = tree(child.pid ?? -1);
  const rssMb = pids.reduce((sum, pid) => sum + rssKb(pid), 0) / 1024;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  rmSync(dir, { recursive: true, force: true });
  return { listenMs, rssMb, processes: pids.length };
}

function verifyMs(mode: Mode): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [...MODES[mode], 'verify', '--config', 'configs/demo.json'], { cwd: root, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${mode}: stressd verify exited ${String(result.status)}`);
  return performance.now() - started;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

if (!existsSync(join(root, 'dist/cli.js'))) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}
const rounds = new Map<Mode, Round[]>();
const verifies = new Map<Mode, number[]>();
for (let i = 0; i < ROUNDS; i++) {
  for (const mode of Object.keys(MODES) as Mode[]) {
    const round = await daemonRound(mode);
    rounds.set(mode, [...(rounds.get(mode) ?? []), round]);
    verifies.set(mode, [...(verifies.get(mode) ?? []), verifyMs(mode)]);
    console.error(`${mode} round ${i + 1}: listening after ${round.listenMs.toFixed(0)} ms, idle RSS ${round.rssMb.toFixed(1)} MB in ${round.processes} processes`);
  }
}
console.log('| daemon + executor | to "listening", ms | idle RSS, MB | processes | `stressd verify`, ms |');
console.log('|---|---:|---:|---:|---:|');
for (const mode of Object.keys(MODES) as Mode[]) {
  const rs = rounds.get(mode) ?? [];
  const cells = [median(rs.map((r) => r.listenMs)).toFixed(0), median(rs.map((r) => r.rssMb)).toFixed(1), String(median(rs.map((r) => r.processes))), median(verifies.get(mode) ?? []).toFixed(0)];
  console.log(`| ${mode} | ${cells.join(' | ')} |`);
}
console.log(`\nMedians of ${ROUNDS} interleaved rounds; RSS summed over the daemon's process tree ${IDLE_MS / 1000} s after it listens.`);
