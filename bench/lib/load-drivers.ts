/**
 * The two sides of bench/load.bench.ts, each run in a process of its own: stressd (N sessions of
 * one test under load through runLoadTest, as a run would) and the baseline (N bare `ws` clients
 * that send execute and only count frames). Both report CPU seconds, peak RSS, frames and the
 * first-output error against the simulator's truth: the init line carries its write time
 * ($EPOCHREALTIME); the error is when the client saw that line minus when it was written.
 */
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { Suite, SuiteTest } from '../../src/config/types.ts';
import { runLoadTest } from '../../src/runner/load.ts';

export interface LoadFigure {
  mode: 'stressd' | 'bare';
  sessions: number;
  passed: number;
  seconds: number;
  cpuSeconds: number;
  baseRss: number;
  peakRss: number;
  frames: number;
  /** Milliseconds, one per session that saw its first line. */
  errorsMs: number[];
}

export interface DriverArgs {
  sessions: number;
  url: string;
  executorPid: number;
  command: string;
}

const TRUTH = /"t":"(\d+)\.(\d+)"/;

/** The simulator's write time of its first line, epoch milliseconds. */
function truthMs(text: string): number | null {
  const m = TRUTH.exec(text);
  return m ? Number(m[1]) * 1000 + Number(`0.${m[2]}`) * 1000 : null;
}

function measure(): () => { cpuSeconds: number; peakRss: number; baseRss: number; seconds: number } {
  const baseRss = process.memoryUsage().rss;
  let peak = baseRss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    clearInterval(timer);
    const cpu = process.cpuUsage(cpu0);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss: Math.max(peak, process.memoryUsage().rss), baseRss, seconds: (performance.now() - t0) / 1000 };
  };
}

export async function driveStressd(a: DriverArgs): Promise<LoadFigure> {
  // The per-session test span's `first_output` event is stressd's own measured instant.
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const reportsDir = mkdtempSync(join(tmpdir(), 'stressd-bench-load-'));
  const test: SuiteTest = { id: 'sim', name: 'sim', command: a.command, expected_patterns: ['alpha'], description: null, category: null, timeout: 120, load: { sessions: a.sessions, stages: null, min_pass_ratio: 0.95 } };
  const suite: Suite = {
    suite: 'bench', task_list_id: null, description: null, path: null, executor: a.url, schedule: null, pause_between_tests: 0, pattern_threshold: 0.8,
    sample_interval_ms: 500, timeout: 120, graduation: { min_pass_rate: 1, allow_timeouts: false, max_peak_memory_mb: null, max_peak_cpu_percent: null }, tests: [test],
  };
  const truths = new Map<string, number>();
  let frames = 0;
  const stop = measure();
  const result = await runLoadTest(test, {
    suite, runId: 'bench', executor: { url: a.url, localPid: a.executorPid }, reportsDir, signal: undefined, traceContext: context.active(), onProgress: () => undefined,
  }, {
    onSession: (r) => {
      frames += r.output_chunks;
      const t = truthMs(r.preview_head);
      if (r.span_id !== null && t !== null) truths.set(r.span_id, t);
    },
  });
  const m = stop();
  const errorsMs: number[] = [];
  for (const span of exporter.getFinishedSpans()) {
    const truth = truths.get(span.spanContext().spanId);
    const seen = span.events.find((e) => e.name === 'first_output')?.time;
    if (truth === undefined || seen === undefined) continue;
    errorsMs.push(seen[0] * 1000 + seen[1] / 1e6 - truth);
  }
  rmSync(reportsDir, { recursive: true, force: true });
  return { mode: 'stressd', sessions: a.sessions, passed: result.load?.outcomes.passed ?? 0, frames, errorsMs, ...m };
}

export async function driveBare(a: DriverArgs): Promise<LoadFigure> {
  let frames = 0;
  let passed = 0;
  const errorsMs: number[] = [];
  const stop = measure();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const ws = new WebSocket(a.url, { perMessageDeflate: false });
      let first = true;
      ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'execute', params: { command: a.command, timeout: 120 }, id: 1 })));
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        const output = text.includes('"process.output"');
        // The same count as stressd's output_chunks: process.output notifications only.
        if (output) frames++;
        if (first && output) {
          first = false;
          const seen = performance.timeOrigin + performance.now();
          const truth = truthMs(text.replace(/\\"/g, '"'));
          if (truth !== null) errorsMs.push(seen - truth);
        }
        if (text.includes('"process.completed"')) {
          passed++;
          ws.close();
        } else if (text.includes('"method":"ping"')) ws.send('{"jsonrpc":"2.0","method":"pong"}');
      });
      ws.on('close', () => resolve());
      ws.on('error', () => resolve());
    });
  await Promise.all(Array.from({ length: a.sessions }, one));
  return { mode: 'bare', sessions: a.sessions, passed, frames, errorsMs, ...stop() };
}
