/**
 * The status page's table of suites, shown when one daemon runs several (DESIGN section 4): each
 * suite's schedule, next run, and the run going, the trigger waiting, or the last result.
 */
import type { RunResult } from '../result/types.ts';
import { formatDuration } from '../result/format.ts';
import { escapeHtml as e, relativeTime } from './html.ts';
import { CSRF_FIELD } from './login.ts';

export interface SuiteRow {
  name: string;
  tests: number;
  schedule: string | null;
  nextRun: Date | null;
  /** The run in flight, if any. */
  running: RunResult | null;
  /** A trigger waits for max_concurrent_runs. */
  queued: boolean;
  /** The newest recorded run of the suite. */
  last: RunResult | null;
}

/** A "Run now" button: a form posting to /api/runs with the page's CSRF token (and the suite, when named). */
export function runNowForm(csrf: string, suite: string | null, disabled: boolean): string {
  return `<form class="run-now" method="post" action="/api/runs"><input type="hidden" name="${CSRF_FIELD}" value="${e(csrf)}">` +
    `${suite === null ? '' : `<input type="hidden" name="suite" value="${e(suite)}">`}` +
    `<button type="submit"${disabled ? ' disabled title="a run is in progress"' : ''}>Run now</button></form>`;
}

function badge(v: string): string {
  return `<span class="v v-${e(v.replace(' ', '-'))}">${e(v)}</span>`;
}

function lastCell(run: RunResult | null): string {
  if (!run) return '<span class="muted">no runs yet</span>';
  const v = run.status === 'aborted' ? 'aborted' : run.graduated ? 'graduated' : 'not graduated';
  const id = encodeURIComponent(run.id);
  return `${badge(v)} ${run.tests_passed}/${run.tests_total} <span class="muted">${e(formatDuration(run.duration_seconds))}</span> ` +
    `<a href="/api/runs/${id}/report.html">report</a>`;
}

function stateCell(row: SuiteRow): string {
  if (row.running) return `${badge('running')} <code>${e(row.running.id)}</code>`;
  if (row.queued) return '<span class="muted">queued (max_concurrent_runs reached)</span>';
  return '<span class="muted">idle</span>';
}

export function renderSuitesSection(rows: readonly SuiteRow[], now: Date, executor: { url: string; pid: number | null; restarts: number }, csrf: string): string {
  const body = rows
    .map((r) => {
      const schedule = r.schedule ? `<code>${e(r.schedule)}</code>` : '<span class="muted">manual only</span>';
      const next = r.nextRun ? `${e(r.nextRun.toISOString())} <span class="muted">(${e(relativeTime(r.nextRun, now))})</span>` : '<span class="muted">–</span>';
      return `<tr data-suite="${e(r.name)}"><td>${e(r.name)} <span class="muted">(${r.tests} tests)</span></td><td>${schedule}</td>` +
        `<td>${next}</td><td>${stateCell(r)}</td><td>${lastCell(r.last)}</td>` +
        `<td><a href="/api/runs?suite=${encodeURIComponent(r.name)}">runs</a> ${runNowForm(csrf, r.name, r.running !== null || r.queued)}</td></tr>`;
    })
    .join('\n');
  return `<section id="suites"><h2>Suites</h2><table>
<tr><th>Suite</th><th>Schedule</th><th>Next run</th><th>Now</th><th>Last result</th><th>API</th></tr>
${body}
</table>
<p>Executor <code>${e(executor.url)}</code>${executor.pid !== null ? ` <span class="muted">pid ${executor.pid}</span>` : ''}${executor.restarts > 0 ? ` <span class="muted">(${executor.restarts} restarts)</span>` : ''}</p>
</section>`;
}
