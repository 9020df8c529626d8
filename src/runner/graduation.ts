/**
 * The run's verdict: graduated when no test timed out (unless allowed), the pass rate reaches
 * min_pass_rate, and every measured peak stays under the configured bounds. Each unmet criterion
 * is one sentence in `reasons`.
 */
import type { GraduationCriteria } from '../config/types.ts';
import type { GraduationVerdict, TestResult } from '../result/types.ts';
import { verdictCriteria } from '../result/verdict-criteria.ts';

type Measured = Pick<TestResult, 'id' | 'outcome' | 'resources'> & Partial<Pick<TestResult, 'reason'>>;

const MB = 1024 * 1024;

export function judgeRun(all: readonly Measured[], criteria: GraduationCriteria, aborted = false): GraduationVerdict & { graduated: boolean } {
  // Tests that never started are no evidence either way; the pass rate is over the tests that ran.
  const tests = all.filter((t) => t.outcome !== 'not_run');
  const reasons: string[] = [];
  const passed = tests.filter((t) => t.outcome === 'passed').length;
  const passRate = tests.length === 0 ? 0 : passed / tests.length;
  if (aborted) reasons.push('the run was aborted before every test ran');
  if (tests.length === 0) reasons.push('no test ran');
  else if (passRate < criteria.min_pass_rate) {
    reasons.push(`pass rate ${percent(passRate)} (${passed}/${tests.length}) is below the required ${percent(criteria.min_pass_rate)}`);
  }
  // A suite only partly run (e.g. the cost budget stopped it) says nothing about the rest.
  const notRun = all.filter((t) => t.outcome === 'not_run');
  if (notRun.length > 0) {
    const why = [...new Set(notRun.map((t) => t.reason ?? 'not started'))].join(', ');
    reasons.push(`${notRun.length} test(s) did not run (${why}): ${notRun.map((t) => t.id).join(', ')}`);
  }
  const timedOut = tests.filter((t) => t.outcome === 'timeout').map((t) => t.id);
  if (!criteria.allow_timeouts && timedOut.length > 0) {
    reasons.push(`${timedOut.length} test(s) timed out (${timedOut.join(', ')}) and timeouts are not allowed`);
  }
  if (criteria.max_peak_memory_mb !== null) {
    const bound = criteria.max_peak_memory_mb;
    for (const t of tests) {
      if (t.resources.measured && t.resources.peak_memory_bytes > bound * MB) {
        reasons.push(`${t.id} peaked at ${(t.resources.peak_memory_bytes / MB).toFixed(1)} MB of memory, over the ${bound} MB bound`);
      }
    }
  }
  if (criteria.max_peak_cpu_percent !== null) {
    const bound = criteria.max_peak_cpu_percent;
    for (const t of tests) {
      const cpu = t.resources.measured ? t.resources.peak_cpu_ratio : null;
      if (cpu !== null && cpu * 100 > bound) {
        reasons.push(`${t.id} peaked at ${(cpu * 100).toFixed(0)}% CPU, over the ${bound}% bound`);
      }
    }
  }
  return {
    graduated: reasons.length === 0,
    pass_rate: passRate,
    reasons,
    criteria: verdictCriteria(criteria),
  };
}

function percent(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
