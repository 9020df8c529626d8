/**
 * Measure the system, not the measurer. Run: `npm run bench -- truth`.
 * (a) Known loads under stressd's sampler beside the truth from /proc and from the load itself:
 *     one core for 10 s holding 200 MiB, 50 forked sleepers of 10 MiB, a 0.6 s burst.
 * (b) A single-threaded Python server with a fixed cost per write streams 10 MB of 100-byte lines
 *     to stressd's client and to bare ws / Python websockets clients, in the same run.
 * Goals: stressd's rate ≥ the bare Python client's; memory within 10 % of PSS for the sleepers;
 * CPU within 5 % of the truth; the burst measured.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { knownLoads } from './lib/known-loads.ts';
import { slowStream, type StreamRun } from './lib/slow-stream.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MB = 1e6;
const LINES = Number(process.env.BENCH_LINES ?? 100_000);
const COST_US = Number(process.env.BENCH_COST_US ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const f = (x: number | null | undefined, digits = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(digits));

console.log('### (a) known loads (sampler at 500 ms after 2 s of 100 ms)\n');
console.log('| load | wall s | truth CPU s | sampler CPU s | truth rate | sampler peak | truth PSS MB | sampler memory MB (method) | RSS sum MB | samples |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
let ok = true;
for (const r of await knownLoads(join(here, '..'))) {
  const p = r.peaks;
  if (!p.measured) {
    console.log(`| ${r.load} | ${f(r.wall)} | ${f(r.truthCpu)} | not measured: ${p.why} | | | | | | |`);
    ok = false;
    continue;
  }
  console.log(
    `| ${r.load} | ${f(r.wall)} | ${f(r.truthCpu)} | ${f(p.cpu_seconds)} | ${f(r.truthRate)} | ${f(p.peak_cpu_ratio)} | ${f(r.truthPss === null ? null : r.truthPss / MB, 1)} | ` +
      `${f(p.peak_memory_bytes / MB, 1)} (${p.memory_method}) | ${f((p.peak_rss_sum_bytes ?? NaN) / MB, 1)} | ${p.samples} |`,
  );
  if (r.truthPss !== null && Math.abs(p.peak_memory_bytes - r.truthPss) > 0.1 * r.truthPss) ok = false;
  if (r.truthCpu !== null && r.truthCpu > 1 && Math.abs((p.cpu_seconds ?? 0) - r.truthCpu) > 0.05 * r.truthCpu) ok = false;
}

console.log(`\n### (b) ${LINES} lines of 100 bytes through a single-threaded Python server burning ${COST_US} µs per write, ${ROUNDS} rounds interleaved\n`);
const runs = await slowStream(join(here, 'lib'), LINES, 100, COST_US, ROUNDS);
console.log('| client | lines/s (median) | server CPU µs/frame (median) | server context switches (median) | frames per read |');
console.log('|---|---|---|---|---|');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const rate = new Map<string, number>();
for (const name of [...new Set(runs.map((r) => r.client))]) {
  const mine = runs.filter((r: StreamRun) => r.client === name);
  const lps = median(mine.map((r) => r.lines / r.seconds));
  rate.set(name, lps);
  const reads = mine[0]?.reads;
  console.log(
    `| ${name} | ${f(lps, 0)} | ${f(median(mine.map((r) => r.serverCpuPerFrameUs)), 1)} | ${f(median(mine.map((r) => r.serverSwitches)), 0)} | ` +
      `${reads ? f(median(mine.map((r) => r.lines / (r.reads ?? 1))), 1) : '—'} |`,
  );
}
const ratio = (rate.get('stressd (coalesced, 2 ms)') ?? 0) / (rate.get('bare Python websockets') ?? Infinity);
console.log(`\nstressd (coalesced) ÷ bare Python client: ${f(ratio)} (goal ≥ 1.00)`);
if (ratio < 1) ok = false;
console.log(ok ? '\nall goals met' : '\nnot every goal met (see the tables)');
