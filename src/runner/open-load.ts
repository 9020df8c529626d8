/**
 * The open model (DESIGN section 14): sessions start when their arrival is due, whatever the
 * executor is doing, as k6's arrival-rate executors and wrk2 do, so queueing is not hidden by a
 * closed loop that slows down with the system (coordinated omission). Each session's figures are
 * measured from its intended start: a late timer in stressd counts against the latency too. An
 * arrival that finds `max_in_flight` sessions running is dropped and counted, never queued.
 */
import { performance } from 'node:perf_hooks';
import type { LoadConfig, SuiteTest } from '../config/types.ts';
import type { TestResult } from '../result/types.ts';
import { arrivalTimes, ratePieces } from './arrivals.ts';
import type { TimelinePoint } from './load-stats.ts';
import { runTest, type TestRunContext } from './test-run.ts';

export interface OpenDriven {
  results: TestResult[];
  peakActive: number;
  timeline: TimelinePoint[];
  dropped: number;
}

/** True when the load asks for arrivals (a `rate`, or stages of rates) rather than sessions. */
export function isOpenLoad(load: LoadConfig): boolean {
  return load.rate !== null || (load.stages?.some((s) => s.rate !== undefined) ?? false);
}

/** The session's figures moved to its intended start: `lateS` is how late it really started. */
export function fromIntendedStart(r: TestResult, lateS: number): TestResult {
  if (lateS <= 0) return r;
  const add = (v: number | null): number | null => (v === null ? null : Math.round((v + lateS) * 1e6) / 1e6);
  return { ...r, duration_seconds: add(r.duration_seconds) ?? r.duration_seconds, stream: { ...r.stream, first_output_seconds: add(r.stream.first_output_seconds), first_text_seconds: add(r.stream.first_text_seconds) } };
}

export function driveOpen(test: SuiteTest, load: LoadConfig, sessionCtx: TestRunContext, signal: AbortSignal | undefined, onSession?: (r: TestResult, index: number) => void): Promise<OpenDriven> {
  const due = arrivalTimes({ pieces: ratePieces(load), arrivals: load.arrivals, seed: load.seed });
  const cap = load.max_in_flight;
  const results: TestResult[] = [];
  const timeline: TimelinePoint[] = [{ t: 0, sessions: 0, active: 0, failed: 0 }];
  const t0 = performance.now();
  let next = 0;
  let active = 0;
  let peakActive = 0;
  let dropped = 0;
  let arrivedInSecond = 0;
  let failedInSecond = 0;
  let started = 0;
  const elapsed = (): number => (performance.now() - t0) / 1000;

  return new Promise<OpenDriven>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearInterval(second);
      timeline.push({ t: Math.ceil(elapsed()), sessions: arrivedInSecond, active, failed: failedInSecond });
      resolve({ results, peakActive, timeline, dropped });
    };
    const second = setInterval(() => {
      timeline.push({ t: timeline.length, sessions: arrivedInSecond, active, failed: failedInSecond });
      arrivedInSecond = 0;
      failedInSecond = 0;
    }, 1000);
    const maybeDone = (): void => {
      if (active === 0 && (next >= due.length || signal?.aborted)) finish();
    };
    const arrive = (intendedS: number): void => {
      arrivedInSecond++;
      if (active >= cap) {
        dropped++;
        return;
      }
      const index = ++started;
      const lateS = Math.max(0, elapsed() - intendedS);
      active++;
      peakActive = Math.max(peakActive, active);
      const session: SuiteTest = { ...test, id: `${test.id}.s${index}`, name: `${test.name} (session ${index})`, load: null };
      runTest(session, { ...sessionCtx, sessionIndex: index }).then((raw) => {
        active--;
        const r = fromIntendedStart(raw, lateS);
        results.push(r);
        if (r.outcome !== 'passed') failedInSecond++;
        try {
          onSession?.(r, index);
        } catch {
          // A hook is an observer: it must not end the load.
        }
        maybeDone();
      }, (err: unknown) => {
        active--;
        process.emitWarning(`stressd load: session ${index} of ${test.id} threw: ${err instanceof Error ? err.message : String(err)}`);
        maybeDone();
      });
    };
    const tick = (): void => {
      if (signal?.aborted) {
        next = due.length;
        maybeDone();
        return;
      }
      const now = elapsed();
      while (next < due.length && (due[next] as number) <= now) arrive(due[next++] as number);
      if (next < due.length) timer = setTimeout(tick, Math.max(0, ((due[next] as number) - elapsed()) * 1000));
      else maybeDone();
    };
    signal?.addEventListener('abort', tick, { once: true });
    tick();
  });
}
