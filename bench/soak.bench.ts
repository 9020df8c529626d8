/**
 * Soak: N scheduled runs (default 1,000; `--runs 60` or BENCH_SOAK_RUNS for a short one) of a
 * tiny suite, one a second (cron `* * * * * *`), one failing test, against the real daemon
 * (`stressd daemon`) and its embedded executor. The daemon's and the executor's RSS and open file
 * descriptors are read from /proc after every run. The baseline is the same run's state after
 * warm-up (the first 10% of runs, at least 10): it passes when both stay flat from there (the
 * median of the last window within 10 MB and 10 fds of the median of the first window after
 * warm-up) and the suite's reports folder never holds more runs than its retention (`max_runs` 50).
 * The daemon is started with the memory settings its launchers use (NODE_MEMORY_FLAGS, MALLOC_ENV).
 * `--heap` adds a diagnosis through the inspectors (heap after a forced GC, objects counted by
 * constructor at the end of warm-up and at the end; bench/lib/soak-heap.ts) and gives no RSS verdict.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MALLOC_ENV, NODE_MEMORY_FLAGS } from '../src/executor/child.ts';
import { heapWatch, type HeapWatch } from './lib/soak-heap.ts';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const argRuns = process.argv.indexOf('--runs');
const RUNS = Number(argRuns >= 0 ? process.argv[argRuns + 1] : (process.env.BENCH_SOAK_RUNS ?? 1000));
if (!Number.isInteger(RUNS) || RUNS < 20) throw new Error(`soak: --runs: expected an integer of at least 20, found ${String(RUNS)}`);
const WARMUP = Math.max(10, Math.ceil(RUNS / 10));
const MAX_RUNS_KEPT = 50;
// `--heap`: a diagnosis through the inspectors (bench/lib/soak-heap.ts) instead of an RSS verdict.
const HEAP = process.argv.includes('--heap');
const MB = 1024 * 1024;

interface Sample {
  run: number;
  daemonRss: number;
  daemonFds: number;
  executorRss: number;
  executorFds: number;
  keptRuns: number;
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

function fdsOf(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return readlinkSync(`/proc/${pid}/fd/${fd}`) !== '';
    } catch {
      return false;
    }
  }).length;
}

const work = mkdtempSync(join(tmpdir(), 'stressd-soak-'));
const reports = join(work, 'reports');
const config = join(work, 'soak.json');
writeFileSync(config, JSON.stringify({
  suite: 'soak',
  pause_between_tests: 0,
  sample_interval_ms: 200,
  retention: { max_runs: MAX_RUNS_KEPT },
  tests: [{ id: 'fails', command: 'echo soak-output; exit 1', expected_patterns: ['soak-output'], timeout: 30 }],
}));

// The daemon as its launchers start it (Dockerfile, npm scripts: docs/operations.md); it starts its executor the same way.
const env = { ...process.env, ...MALLOC_ENV };
for (const k of Object.keys(env)) if (k.startsWith('STRESSD_') || k.startsWith('OTEL_')) delete env[k];
const daemon = spawn(process.execPath, [...NODE_MEMORY_FLAGS, ...(HEAP ? ['--inspect=127.0.0.1:0'] : []), '--import', 'tsx', 'src/cli.ts', 'daemon', '--port', '0', '--config', config, '--reports-dir', reports, '--schedule', '* * * * * *'], {
  cwd: REPO, env, stdio: ['ignore', 'pipe', HEAP ? 'pipe' : 'inherit'],
});
const heap: HeapWatch | null = HEAP
  ? heapWatch({ daemonUrl: inspectorUrl(daemon.stderr), every: 50, snapshotAt: [WARMUP, RUNS] })
  : null;
let heapDone = Promise.resolve();
let executorPid = 0;
let ended = 0;
let skipped = 0;
const samples: Sample[] = [];
const started = Date.now();
const finished = new Promise<void>((resolve, reject) => {
  daemon.once('exit', (code, signal) => reject(new Error(`daemon exited (code ${code}, signal ${signal}) after ${ended} runs`)));
  createInterface({ input: daemon.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let l: Record<string, unknown>;
    try {
      l = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (l.msg === 'embedded executor started' || l.msg === 'embedded executor restarted') executorPid = Number(l.executorPid);
    if (l.msg === 'run skipped: a run of this suite is still going') skipped++;
    if (l.msg !== 'run ended') return;
    ended++;
    const keptRuns = readdirSync(join(reports, 'soak')).filter((n) => n.endsWith('.json') && n !== 'latest.json').length;
    samples.push({ run: ended, daemonRss: rssOf(daemon.pid as number), daemonFds: fdsOf(daemon.pid as number), executorRss: rssOf(executorPid), executorFds: fdsOf(executorPid), keptRuns });
    if (ended % 50 === 0) process.stderr.write(`soak: ${ended}/${RUNS} runs, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    if (heap) {
      const run = ended;
      heapDone = heapDone.then(() => heap.onRun(run, executorPid)).catch(reject);
    }
    if (ended >= RUNS) void heapDone.then(resolve);
  });
});

try {
  await finished;
} finally {
  heap?.close();
  daemon.kill('SIGTERM');
  await new Promise((r) => daemon.once('exit', r));
}

const after = samples.slice(WARMUP - 1);
// A garbage collection moves RSS by several MB from one sample to the next: "flat" compares the
// median of the first window after warm-up with the median of the last one.
const WINDOW = Math.max(5, Math.ceil(after.length / 20));
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? 0;
const spread = (pick: (s: Sample) => number): { min: number; max: number; first: number; last: number } => {
  const v = after.map(pick);
  return { min: Math.min(...v), max: Math.max(...v), first: median(v.slice(0, WINDOW)), last: median(v.slice(-WINDOW)) };
};
const figures = {
  daemonRss: spread((s) => s.daemonRss),
  executorRss: spread((s) => s.executorRss),
  daemonFds: spread((s) => s.daemonFds),
  executorFds: spread((s) => s.executorFds),
};
const maxKept = Math.max(...samples.map((s) => s.keptRuns));
const mb = (n: number): string => (n / MB).toFixed(1);
console.log(`soak: ${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(0)} s (${skipped} ticks skipped while a run went on), warm-up ${WARMUP} runs`);
console.log(`(medians of ${WINDOW} samples right after warm-up and at the end; min/max over every sample after warm-up)`);
console.log('| process | measure | after warm-up | at the end | growth | min | max | bound on growth |');
console.log('|---|---|---|---|---|---|---|---|');
for (const [who, rss, fds] of [['daemon', figures.daemonRss, figures.daemonFds], ['executor', figures.executorRss, figures.executorFds]] as const) {
  console.log(`| ${who} | RSS MB | ${mb(rss.first)} | ${mb(rss.last)} | ${mb(rss.last - rss.first)} | ${mb(rss.min)} | ${mb(rss.max)} | 10 |`);
  console.log(`| ${who} | open fds | ${fds.first} | ${fds.last} | ${fds.last - fds.first} | ${fds.min} | ${fds.max} | 10 |`);
}
console.log(`reports folder: at most ${maxKept} runs kept (retention max_runs ${MAX_RUNS_KEPT}, sampled before the pass of the run just written)`);
if (heap) console.log(['', ...heap.report(WARMUP), '', 'RSS not judged: a --heap run forces collections and takes snapshots, which move it.'].join('\n'));
const failures: string[] = [];
const grew = (f: { first: number; last: number }, bound: number): boolean => Math.abs(f.last - f.first) > bound;
if (!HEAP && grew(figures.daemonRss, 10 * MB)) failures.push('daemon RSS moved by more than 10 MB');
if (!HEAP && grew(figures.executorRss, 10 * MB)) failures.push('executor RSS moved by more than 10 MB');
if (grew(figures.daemonFds, 10)) failures.push('daemon fds moved by more than 10');
if (grew(figures.executorFds, 10)) failures.push('executor fds moved by more than 10');
// Sampled at "run ended", which comes before that run's retention pass: one over is the run just written.
if (maxKept > MAX_RUNS_KEPT + 1) failures.push(`the reports folder held ${maxKept} runs, over retention's ${MAX_RUNS_KEPT} (+1 just written)`);
writeFileSync(join(tmpdir(), `stressd-soak-${RUNS}.json`), JSON.stringify(samples));
rmSync(work, { recursive: true, force: true });
console.log(failures.length === 0 ? 'PASS' : `FAIL: ${failures.join('; ')}`);
process.exitCode = failures.length === 0 ? 0 : 1;

/** The daemon's inspector address from its stderr (which is passed on). */
function inspectorUrl(stderr: NodeJS.ReadableStream | null): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!stderr) return reject(new Error('soak --heap: the daemon has no stderr'));
    createInterface({ input: stderr }).on('line', (line) => {
      const url = /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
      if (url) resolve(url);
      else process.stderr.write(`${line}\n`);
    });
  });
}
