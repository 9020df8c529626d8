/**
 * Memory: 1 GiB of output (100-character lines from `head -c … /dev/zero | tr | fold`) streamed
 * through the whole runner (client, pattern matcher, Claude reader, timing, capture to a log file),
 * against a baseline in the same run: the same pipe read by a bare ws client that only counts.
 * Each side runs in its own process (this file re-invoked with `runner` or `baseline`), next to its
 * own embedded executor (spawnExecutor), and reports its peak RSS (sampled every 50 ms, and
 * process.resourceUsage().maxRSS). Target: the runner's peak RSS < 150 MB, with the whole output in
 * its log (log_dropped_bytes 0, the file as long as the output): it fails otherwise.
 * BENCH_MEMORY_BYTES overrides the size (default 1 GiB).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnExecutor } from '../src/executor/child.ts';
import { startRun } from '../src/runner/runner.ts';
import { parseSuite } from '../src/config/load.ts';

const BYTES = Number(process.env.BENCH_MEMORY_BYTES ?? 1024 ** 3);
const COMMAND = `head -c ${BYTES} /dev/zero | tr '\\0' 'x' | fold -w 100`;
const MB = 1024 * 1024;

interface Figure {
  mode: string;
  seconds: number;
  outputBytes: number;
  lines: number;
  peakRss: number;
  maxRss: number;
  /** Runner only: what the log on disk holds, and what the capture left out of it (the disk lagging). */
  logBytes: number | null;
  logDroppedBytes: number | null;
}

function rssSampler(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss);
  };
}

async function measureRunner(): Promise<Figure> {
  const executor = await spawnExecutor();
  const reportsDir = mkdtempSync(join(tmpdir(), 'stressd-bench-memory-'));
  const stop = rssSampler();
  try {
    const { suite } = parseSuite({
      suite: 'bench', pause_between_tests: 0, timeout: 900, graduation: { min_pass_rate: 1 },
      tests: [{ id: 'gib', name: '1 GiB', command: COMMAND, expected_patterns: ['xxxx', 'never-there'] }],
    }, 'bench.json');
    const t0 = performance.now();
    const run = await startRun({ suite, executor: { url: executor.url, token: executor.token, localPid: executor.pid }, reportsDir, trigger: 'cli' }).done;
    const seconds = (performance.now() - t0) / 1000;
    const t = run.tests[0];
    if (!t || t.exit_code !== 0) throw new Error(`the bench command did not complete: ${t?.reason} ${t?.reason_detail}`);
    const logBytes = t.log_path === null ? 0 : statSync(t.log_path).size;
    return {
      mode: 'runner', seconds, outputBytes: t.output_bytes, lines: t.output_lines, peakRss: stop(), maxRss: process.resourceUsage().maxRSS * 1024,
      logBytes, logDroppedBytes: t.log_dropped_bytes,
    };
  } finally {
    stop();
    await executor.close();
    rmSync(reportsDir, { recursive: true, force: true });
  }
}

async function measureBaseline(): Promise<Figure> {
  const executor = await spawnExecutor();
  const stop = rssSampler();
  try {
    const t0 = performance.now();
    const { bytes, lines } = await new Promise<{ bytes: number; lines: number }>((resolve, reject) => {
      const ws = new WebSocket(executor.url, { headers: { authorization: `Bearer ${executor.token}` }, perMessageDeflate: false });
      let bytes = 0;
      let lines = 0;
      ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'execute', params: { command: COMMAND, timeout: 900 }, id: 1 })));
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { method?: string; params?: { data?: string } };
        if (msg.method === 'process.output') {
          lines++;
          bytes += Buffer.byteLength(msg.params?.data ?? '');
        } else if (msg.method === 'ping') ws.send('{"jsonrpc":"2.0","method":"pong"}');
        else if (msg.method === 'process.completed') {
          ws.close();
          resolve({ bytes, lines });
        }
      });
      ws.on('error', reject);
    });
    return { mode: 'baseline', seconds: (performance.now() - t0) / 1000, outputBytes: bytes, lines, peakRss: stop(), maxRss: process.resourceUsage().maxRSS * 1024, logBytes: null, logDroppedBytes: null };
  } finally {
    stop();
    await executor.close();
  }
}

function measureInChild(mode: 'runner' | 'baseline'): Promise<Figure> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Figure);
      else reject(new Error(`${mode} measurement exited ${code}: ${out}`));
    });
  });
}

const mode = process.argv[2];
if (mode === 'runner' || mode === 'baseline') {
  const figure = mode === 'runner' ? await measureRunner() : await measureBaseline();
  process.stdout.write(`${JSON.stringify(figure)}\n`);
} else {
  const baseline = await measureInChild('baseline');
  const runner = await measureInChild('runner');
  console.log(`${(BYTES / MB).toFixed(0)} MiB of 100-character lines: \`${COMMAND}\`\n`);
  console.log('| path | seconds | output MiB | lines | peak RSS MB (sampled) | maxRSS MB | log bytes on disk | log_dropped_bytes |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const n = (v: number | null): string => (v === null ? '–' : v.toLocaleString('en'));
  for (const f of [baseline, runner]) {
    console.log(`| ${f.mode} | ${f.seconds.toFixed(1)} | ${(f.outputBytes / MB).toFixed(0)} | ${f.lines.toLocaleString('en')} | ${(f.peakRss / MB).toFixed(1)} | ${(f.maxRss / MB).toFixed(1)} | ${n(f.logBytes)} | ${n(f.logDroppedBytes)} |`);
  }
  const small = runner.maxRss < 150 * MB;
  // Bounded memory must not be bought by dropping output: the log holds every byte received.
  const whole = runner.logDroppedBytes === 0 && runner.logBytes === runner.outputBytes;
  console.log(`\nrunner maxRSS ${(runner.maxRss / MB).toFixed(1)} MB: ${small ? 'under' : 'OVER'} the 150 MB target (baseline ${(baseline.maxRss / MB).toFixed(1)} MB)`);
  console.log(`runner log: ${whole ? 'complete' : 'INCOMPLETE'} (${n(runner.logBytes)} bytes on disk for ${n(runner.outputBytes)} received, ${n(runner.logDroppedBytes)} dropped)`);
  process.exitCode = small && whole ? 0 : 1;
}
