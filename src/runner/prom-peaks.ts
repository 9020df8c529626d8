/**
 * Resource peaks from a Prometheus that already watches the executor (node_exporter,
 * process-exporter, cAdvisor): after a test, the suite's CPU and memory queries are templated with
 * the test's window and labels and asked of the HTTP API over that window; the peak of each is the
 * figure. A Prometheus that is down, answers an error or has no samples gives `measured: false`
 * with the reason: a missing figure is never a 0 and never fails the test.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResourcePeaks } from '../result/types.ts';

export interface PrometheusSource {
  /** Base URL of the Prometheus server (http://host:9090). */
  url: string;
  /** An instant-vector expression of the target's CPU, in cores (a rate of CPU seconds); null: not asked. */
  cpu: string | null;
  /** An instant-vector expression of the target's memory, in bytes; null: not asked. */
  memory: string | null;
  /** How often Prometheus scrapes the target: the step of the range query and the wait after a test. */
  scrape_interval_s: number;
  /** Extra `{{name}}` values for the queries (a job, an instance, a process group). */
  labels: Readonly<Record<string, string>>;
}

/** The placeholders stressd fills in itself; `labels` adds more. */
export const TEMPLATE_NAMES = ['window', 'rate_window', 'interval', 'start', 'end', 'suite', 'test', 'category'] as const;

export interface PromWindow {
  start: Date;
  end: Date;
  suite: string;
  test: string;
  category: string | null;
}

const QUERY_TIMEOUT_MS = 10_000;

/** `{{name}}` → its value; values are escaped for a PromQL string, as labels are quoted there. */
export function templateQuery(query: string, src: PrometheusSource, w: PromWindow): string {
  const seconds = Math.max(1, Math.ceil((w.end.getTime() - w.start.getTime()) / 1000));
  const values: Record<string, string> = {
    ...src.labels,
    window: `${seconds}s`,
    // Prometheus's own advice: a rate over at least four scrapes.
    rate_window: `${Math.max(4 * src.scrape_interval_s, 1)}s`,
    interval: `${src.scrape_interval_s}s`,
    start: String(w.start.getTime() / 1000),
    end: String(w.end.getTime() / 1000),
    suite: w.suite,
    test: w.test,
    category: w.category ?? '',
  };
  return query.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined ? whole : v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
}

type Peak = { value: number } | { why: string };

/**
 * The peaks of the source's queries over the test's window. Waits one scrape interval first (plus
 * a little), so the scrape after the test's end is in; `signal` cuts the wait short.
 */
export async function prometheusPeaks(src: PrometheusSource, w: PromWindow, signal?: AbortSignal): Promise<ResourcePeaks> {
  const queries = {
    cpu: src.cpu === null ? null : templateQuery(src.cpu, src, w),
    memory: src.memory === null ? null : templateQuery(src.memory, src, w),
  };
  const origin = { measured_by: 'prometheus' as const, queries };
  try {
    await sleep(src.scrape_interval_s * 1000 + 250, undefined, signal ? { signal } : {});
  } catch {
    return { measured: false, why: 'the run was stopped before Prometheus was asked', ...origin };
  }
  // The range reaches one scrape past the end: a rate's last point covers the test's last seconds.
  const range = { start: w.start.getTime() / 1000, end: w.end.getTime() / 1000 + src.scrape_interval_s };
  const [cpu, memory] = await Promise.all([
    queries.cpu === null ? null : rangePeak(src, queries.cpu, range),
    queries.memory === null ? null : rangePeak(src, queries.memory, range),
  ]);
  const whys = [cpu, memory].flatMap((p, i) => (p !== null && 'why' in p ? [`${i === 0 ? 'cpu' : 'memory'}: ${p.why}`] : []));
  const cpuValue = cpu !== null && 'value' in cpu ? cpu.value : null;
  const memoryValue = memory !== null && 'value' in memory ? memory.value : null;
  if (memoryValue === null && cpuValue === null) {
    return { measured: false, why: whys.length > 0 ? whys.join('; ') : 'no cpu or memory query is configured', ...origin };
  }
  if (memoryValue === null) {
    // A CPU peak alone is worth keeping, but peak_memory_bytes cannot be a made-up 0.
    return { measured: false, why: `memory not measured (${whys.join('; ') || 'no memory query'}); cpu peak ${round(cpuValue ?? 0)} cores`, ...origin };
  }
  return {
    measured: true,
    peak_cpu_ratio: cpuValue === null ? null : round(cpuValue),
    ...(cpuValue === null ? { cpu_why: whys[0] ?? 'no cpu query is configured' } : {}),
    peak_memory_bytes: Math.round(memoryValue),
    samples: 0,
    executor_peak_cpu_ratio: null,
    executor_peak_memory_bytes: null,
    ...origin,
  };
}

interface RangeAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: { values?: [number, string][] }[] };
}

/** The peak of one query over the range; several series are summed at each step (a query for one target may return one per process). */
async function rangePeak(src: PrometheusSource, query: string, range: { start: number; end: number }): Promise<Peak> {
  const url = new URL('api/v1/query_range', src.url.endsWith('/') ? src.url : `${src.url}/`);
  url.search = new URLSearchParams({ query, start: String(range.start), end: String(range.end), step: `${src.scrape_interval_s}s` }).toString();
  let answer: RangeAnswer;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
    answer = (await res.json()) as RangeAnswer;
    if (!res.ok || answer.status !== 'success') {
      return { why: `Prometheus at ${src.url} answered ${res.status}: ${answer.error ?? 'no error text'}` };
    }
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    return { why: `Prometheus at ${src.url} did not answer (${cause})` };
  }
  const sums = new Map<number, number>();
  for (const series of answer.data?.result ?? []) {
    for (const [t, v] of series.values ?? []) {
      const n = Number(v);
      if (Number.isFinite(n)) sums.set(t, (sums.get(t) ?? 0) + n);
    }
  }
  if (sums.size === 0) return { why: `Prometheus at ${src.url} has no samples of ${JSON.stringify(query)} over the test's window` };
  return { value: Math.max(...sums.values()) };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
