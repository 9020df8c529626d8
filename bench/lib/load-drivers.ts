/**
 * The two sides of bench/load.bench.ts, each run in a process of its own: stressd (N sessions of
 * one test under load through runLoadTest, as a run would) and the baseline (N bare `ws` clients
 * that send execute and only count frames). Both follow the same plan (src/runner/load-plan.ts):
 * N at once (`burst`), or k6's ramping shape (`ramp`: 0 → N, then N held, a session that ends
 * replaced). Both report CPU seconds, peak RSS, frames and the first-output error against the
 * simulator's truth: the init line carries its write time ($EPOCHREALTIME); the error is when the
 * client saw that line minus when it was written. Both warm up first (a few short sessions in the
 * same process), so what is measured is the steady cost a daemon pays, not a first call's JIT.
 */
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSuite } from '../../src/config/load.ts';
import { LoadSchema } from '../../src/config/schema.ts';
import type { LoadConfig } from '../../src/config/types.ts';
import { runLoadTest } from '../../src/runner/load.ts';
import { bareSession } from './bare-session.ts';
import { loadPlan } from '../../src/runner/load-plan.ts';

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
  /** null: all sessions at once; else the ramp's stages (sessions replaced as they end). */
  stages: { duration_s: number; sessions: number }[] | null;
  url: string;
  executorPid: number;
  command: string;
  /** A short command for the warm-up sessions. */
  warmupCommand: string;
}

const WARMUP_SESSIONS = 5;

function loadOf(a: DriverArgs): LoadConfig {
  return LoadSchema.parse(a.stages === null ? { sessions: a.sessions, min_pass_ratio: 0.95 } : { stages: [...a.stages], min_pass_ratio: 0.95 });
}

const TRUTH = /"t":"(\d+)\.(\d+)"/;

/** The simulator's write time of its first line, epoch milliseconds. */
function truthMs(text: string): number | null {
  const m = TRUTH.exec(text);
  return m ? Number(m[1]) * 1000 + Number(`0.${m[2]}`) * 1000 : null;
}

function measure(): () => { cpuSeconds: number; peakRss: number; baseRss: number; seconds: number } {
  // memoryUsage.rss() reads one number; memoryUsage() walks the heap spaces, a cost of its own.
  const baseRss = process.memoryUsage.rss();
  let peak = baseRss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return () => {
    clearInterval(timer);
    const cpu = process.cpuUsage(cpu0);
    return { cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRss: Math.max(peak, process.memoryUsage.rss()), baseRss, seconds: (performance.now() - t0) / 1000 };
  };
}

export async function driveStressd(a: DriverArgs): Promise<LoadFigure> {
  // The per-session test span's `first_output` event is stressd's own measured instant.
  const exporter = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const reportsDir = mkdtempSync(join(tmpdir(), 'stressd-bench-load-'));
  const { suite } = parseSuite({
    suite: 'bench', executor: a.url, pause_between_tests: 0, timeout: 120, graduation: { min_pass_rate: 1 },
    tests: [{ id: 'sim', name: 'sim', command: a.command, expected_patterns: ['alpha'], load: loadOf(a) }],
  }, 'bench.json');
  const test = suite.tests[0]!;
  const ctx = {
    suite, runId: 'bench', executor: { url: a.url, localPid: a.executorPid }, reportsDir, signal: undefined, traceContext: context.active(), onProgress: () => undefined,
  };
  await runLoadTest({ ...test, id: 'warmup', command: a.warmupCommand, load: LoadSchema.parse({ sessions: WARMUP_SESSIONS, min_pass_ratio: 0 }) }, ctx);
  exporter.reset();
  const truths = new Map<string, number>();
  let frames = 0;
  const stop = measure();
  const result = await runLoadTest(test, ctx, {
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
  return { mode: 'stressd', sessions: result.load?.sessions ?? 0, passed: result.load?.outcomes.passed ?? 0, frames, errorsMs, ...m };
}

export async function driveBare(a: DriverArgs): Promise<LoadFigure> {
  let frames = 0;
  let passed = 0;
  let errorsMs: number[] = [];
  const one = async (command: string): Promise<void> => {
    let first = true;
    const completed = await bareSession(a.url, command, (text) => {
      const output = text.includes('"process.output"');
      // The same count as stressd's output_chunks: process.output notifications only.
      if (output) frames++;
      if (first && output) {
        first = false;
        const seen = performance.timeOrigin + performance.now();
        const truth = truthMs(text.replace(/\\"/g, '"'));
        if (truth !== null) errorsMs.push(seen - truth);
      }
    });
    if (completed) passed++;
  };
  await Promise.all(Array.from({ length: WARMUP_SESSIONS }, () => one(a.warmupCommand)));
  frames = 0;
  passed = 0;
  errorsMs = [];
  const stop = measure();
  const started = await followPlan(loadOf(a), () => one(a.command));
  return { mode: 'bare', sessions: started, passed, frames, errorsMs, ...stop() };
}

/** Runs sessions as runLoadTest does: the plan's target re-read every 100 ms and whenever one ends. Resolves with how many started. */
function followPlan(load: LoadConfig, session: () => Promise<void>): Promise<number> {
  const plan = loadPlan(load);
  const t0 = performance.now();
  let active = 0;
  let started = 0;
  return new Promise((resolve) => {
    const fill = (): void => {
      const t = (performance.now() - t0) / 1000;
      const may = (): boolean => (plan.total !== null ? started < plan.total : t < (plan.endS ?? 0));
      while (active < plan.targetAt(t) && may()) {
        active++;
        started++;
        void session().then(() => {
          active--;
          fill();
        });
      }
      if (active === 0 && !may()) {
        clearInterval(ticker);
        resolve(started);
      }
    };
    const ticker = setInterval(fill, 100);
    fill();
  });
}
