/**
 * The status page at `/`: plain server-rendered HTML and CSS, no build step, no external assets,
 * refreshed every 10 s by a meta tag. Every interpolated string is HTML-escaped.
 */
import type { LiveProgress, RunResult } from '../result/types.ts';
import { PALETTE, renderDurationChart } from './chart.ts';
import { formatBytes, formatDuration } from '../result/format.ts';
import { escapeHtml as e, relativeTime } from './html.ts';
import { renderConfigSection, type ConfigStatus } from './config-section.ts';
import { renderSuitesSection, runNowForm, type SuiteRow } from './suites-section.ts';
import { renderTestView, type ChangeNote } from './test-view.ts';

export interface StatusPageModel {
  suite: { name: string; description: string | null; tests: number };
  schedule: string | null;
  nextRun: Date | null;
  now: Date;
  executor: { url: string; pid: number | null; restarts: number };
  current: { run: RunResult; live: LiveProgress | null } | null;
  /** Finished runs, newest first. */
  runs: readonly RunResult[];
  version: string;
  /** Set when the daemon runs several suites: their table replaces the one-suite schedule section. */
  suites?: readonly SuiteRow[];
  /** Files in the reports dir that history could not read back (kept on disk): path and first problem. */
  unreadable?: readonly { path: string; problem: string }[];
  /** A trace UI URL with `{trace_id}` (STRESSD_TRACE_URL, e.g. http://jaeger:16686/trace/{trace_id}); absent: no trace links. */
  traceUrl?: string | null;
  /** The token the "Run now" forms carry (csrf.ts); without it the daemon refuses the form. */
  csrf?: string;
  /** The latest change point of each test's measures (analysis over history); absent: none shown. */
  changes?: readonly ChangeNote[];
  /** When the running config was loaded and whether the files on disk differ; absent: not shown. */
  config?: ConfigStatus;
}

export type Verdict = 'graduated' | 'not graduated' | 'aborted' | 'running';

export function verdictOf(run: Pick<RunResult, 'status' | 'graduated'>): Verdict {
  if (run.status === 'running') return 'running';
  if (run.status === 'aborted') return 'aborted';
  return run.graduated ? 'graduated' : 'not graduated';
}

/** Exported for the Content-Security-Policy's style hash (headers.ts). */
// The body scrolls, not the viewport, as in the report (report-html.ts): #fragment links render in
// headless Chromium's screenshots.
export const STATUS_CSS = `
html{height:100%;overflow:hidden}
body{font:14px/1.45 system-ui,sans-serif;margin:0;height:100%;overflow:auto;color:#111827;background:#f9fafb}
main{max-width:1000px;margin:0 auto;padding:16px 24px}
h1{font-size:20px;margin:8px 0} h2{font-size:16px;margin:20px 0 8px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:12px 16px;margin:12px 0}
table{border-collapse:collapse;width:100%} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #f3f4f6}
th{font-weight:600;color:#374151} .muted{color:#6b7280} code{font-size:13px}
.v{font-weight:600;padding:1px 6px;border-radius:4px}
.v-graduated{background:#dcfce7;color:#166534} .v-not-graduated{background:#fee2e2;color:#991b1b}
.v-aborted{background:#fef3c7;color:#92400e} .v-running{background:#dbeafe;color:#1e40af}
.o-passed{color:#166534} .o-failed,.o-error{color:#991b1b} .o-timeout{color:#92400e}
progress{width:240px} .chart{width:100%;max-width:640px;height:auto;font-size:11px;fill:#374151}
.legend{display:inline-block;margin-right:12px} .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
${PALETTE.map((c, k) => `.legend i.c${k}{background:${c}}`).join(' ')}
.lg-failed{background:#dc2626} .lg-aborted{background:#d97706} .o-not_run{color:#6b7280}
.rv{font-weight:600} .rv-regressed{color:#991b1b} .rv-improved{color:#166534} .rv-noise{color:#6b7280;font-weight:400}
ul.changes{margin:.3em 0 0;padding-left:1.1em;font-size:.9em}
form.run-now{display:inline} form.run-now button{font:inherit;padding:2px 10px;cursor:pointer}
`;

function verdictBadge(run: Pick<RunResult, 'status' | 'graduated'>): string {
  const v = verdictOf(run);
  return `<span class="v v-${v.replace(' ', '-')}">${e(v)}</span>`;
}

function scheduleSection(m: StatusPageModel): string {
  const schedule = m.schedule
    ? `<code>${e(m.schedule)}</code>`
    : '<span class="muted">none — runs start only on manual triggers (POST /api/runs)</span>';
  const next = m.nextRun
    ? `${e(m.nextRun.toISOString())} <span class="muted">(${e(relativeTime(m.nextRun, m.now))})</span>`
    : '<span class="muted">–</span>';
  return `<section><table>
<tr><th>Suite</th><td>${e(m.suite.name)} <span class="muted">(${m.suite.tests} tests)</span>${m.suite.description ? `<br><span class="muted">${e(m.suite.description)}</span>` : ''}</td></tr>
<tr><th>Schedule</th><td>${schedule}</td></tr>
<tr><th>Next run</th><td id="next-run">${next}</td></tr>
<tr><th>Executor</th><td><code>${e(m.executor.url)}</code>${m.executor.pid !== null ? ` <span class="muted">pid ${m.executor.pid}</span>` : ''}${m.executor.restarts > 0 ? ` <span class="muted">(${m.executor.restarts} restarts)</span>` : ''}</td></tr>
${overRunsRows(m.runs[0])}
</table>
${runNowForm(m.csrf ?? '', null, m.current !== null)}</section>`;
}

/** Graduation over runs and the budget, as the newest run recorded them. */
function overRunsRows(last: RunResult | undefined): string {
  if (!last) return '';
  const rows: string[] = [];
  const r = last.success_ratio;
  if (r) rows.push(`<tr><th>Over runs</th><td id="success-ratio"><span class="v v-${r.graduated ? 'graduated' : 'not-graduated'}">${r.graduated ? 'ratio met' : 'ratio not met'}</span> ${e(r.text)}</td></tr>`);
  const b = last.budget;
  if (b) {
    const limit = (v: number | null): string => (v === null ? 'unlimited' : `$${v.toFixed(2)}`);
    const exhausted = b.exhausted_by === null ? '' : ` <strong>exhausted (${e(b.exhausted_by)}): ${e(b.reason ?? '')}</strong>`;
    rows.push(`<tr><th>Cost</th><td>$${b.run_cost_usd.toFixed(4)} last run (budget ${limit(b.max_cost_usd_per_run)}), $${b.day_cost_usd.toFixed(4)} that day (budget ${limit(b.max_cost_usd_per_day)})${exhausted}</td></tr>`);
  }
  return rows.join('\n');
}

function currentSection(m: StatusPageModel): string {
  if (!m.current) return '<section id="current"><h2>Run in progress</h2><p class="muted">No run in progress.</p></section>';
  const { run } = m.current;
  // Before the live status heard the run start (a moment after the trigger), show it as starting.
  const live: LiveProgress = m.current.live ?? {
    runId: run.id, index: 0, total: run.tests_total, test: null, testStartedAt: null, elapsed_seconds: 0, output_bytes: 0, output_lines: 0,
  };
  const done = run.tests.length;
  const testLine = live.test
    ? `test ${live.index}/${live.total}: <strong>${e(live.test.name)}</strong> <code>${e(live.test.id)}</code> — ${e(formatDuration(live.elapsed_seconds))}, ${e(formatBytes(live.output_bytes))}, ${live.output_lines} lines`
    : `<span class="muted">${done === 0 ? 'starting…' : done < live.total ? 'pausing between tests…' : 'writing the report…'}</span>`;
  const rows = run.tests
    .map((t) => `<tr><td><code>${e(t.id)}</code></td><td class="o-${e(t.outcome)}">${e(t.outcome)}</td><td>${e(formatDuration(t.duration_seconds))}</td><td>${e(formatBytes(t.output_bytes))}</td></tr>`)
    .join('');
  return `<section id="current"><h2>Run in progress: <code>${e(run.id)}</code> ${verdictBadge(run)}</h2>
<p>Started ${e(run.started_at)} <span class="muted">(${e(relativeTime(new Date(run.started_at), m.now))}, trigger ${e(run.trigger)})</span></p>
<p><progress max="${live.total}" value="${done}"></progress> ${done}/${live.total} done</p>
<p>${testLine}</p>
${rows ? `<table><tr><th>Test</th><th>Outcome</th><th>Duration</th><th>Output</th></tr>${rows}</table>` : ''}
</section>`;
}

/** Tests an aborted run never started: counted in the total, said here so "1/6" is not read as five failures. */
function notRun(r: RunResult): string {
  const n = r.tests.filter((t) => t.outcome === 'not_run').length;
  return n === 0 ? '' : ` <span class="muted">(${n} not run)</span>`;
}

/** Each test that did not pass, with its reason (the detail on hover), and confirmed regressions. */
function failedTests(r: RunResult): string {
  const failed = r.tests
    .filter((t) => t.outcome !== 'passed')
    .map((t) => `<code>${e(t.id)}</code> <span class="o-${e(t.outcome)}" title="${e(t.reason_detail ?? '')}">${e(t.reason ?? t.outcome)}</span>`);
  const regressed = r.tests.flatMap((t) => (t.regressions ?? []).filter((x) => x.verdict === 'regressed').map((x) => `<code>${e(t.id)}</code> <span class="rv rv-regressed">${e(x.measure)} regressed</span>`));
  const all = [...failed, ...regressed, ...recordProblems(r)];
  return all.length === 0 ? '<span class="muted">none</span>' : all.join('<br>');
}

/** What the run's record lacks (files not written) and what its tests left behind (escaped processes). */
function recordProblems(r: RunResult): string[] {
  const unwritten = (r.write_errors ?? []).map((w) =>
    `<span class="o-error" title="${e(w.path ?? '')}">${e(w.file === 'log' ? `log of ${w.test ?? '?'}` : w.file)} NOT written: ${e(w.error)}</span>`);
  const escaped = r.tests.filter((t) => (t.escaped_processes ?? []).length > 0).map((t) => {
    const list = t.escaped_processes ?? [];
    return `<code>${e(t.id)}</code> <span class="o-timeout" title="${e(list.map((p) => `${p.pid} ${p.command}`).join('\n'))}">${list.length} escaped process${list.length === 1 ? '' : 'es'}</span>`;
  });
  return [...unwritten, ...escaped];
}

/** Files history could not read back: kept on disk, not in the runs above, and said here rather than dropped in silence. */
function unreadableSection(m: StatusPageModel): string {
  const files = m.unreadable ?? [];
  if (files.length === 0) return '';
  const rows = files.slice(0, 50).map((f) => `<tr><td><code>${e(f.path)}</code></td><td>${e(f.problem)}</td></tr>`).join('\n');
  return `<section id="unreadable"><h2>Unreadable files (${files.length})</h2>
<p class="muted">Kept in the reports dir, but not in history, the baselines or graduation until they can be read.</p>
<table><tr><th>File</th><th>Problem</th></tr>
${rows}
</table></section>`;
}

function runsSection(m: StatusPageModel): string {
  if (m.runs.length === 0) return '<section id="runs"><h2>Last runs</h2><p class="muted">No runs yet.</p></section>';
  const rows = m.runs
    .slice(0, 20)
    .map((r) => {
      const id = encodeURIComponent(r.id);
      return `<tr><td><code>${e(r.id)}</code></td><td>${verdictBadge(r)}</td><td>${r.tests_passed}/${r.tests_total}${notRun(r)}</td>` +
        `<td>${failedTests(r)}</td><td>${e(formatDuration(r.duration_seconds))}</td><td>${e(r.trigger)}${r.only ? ` <span class="partial" title="stressd run --only ${e(r.only.join(','))}: not counted over runs">partial</span>` : ''}</td>` +
        `<td><a href="/api/runs/${id}/report.html">report</a> · <a href="/api/runs/${id}/report">markdown</a> · <a href="/api/runs/${id}">json</a></td></tr>`;
    })
    .join('\n');
  return `<section id="runs"><h2>Last runs</h2><table>
<tr><th>Run</th><th>Verdict</th><th>Passed</th><th>Failed, and why; what is missing</th><th>Duration</th><th>Trigger</th><th>Report</th></tr>
${rows}
</table></section>`;
}

export function renderStatusPage(m: StatusPageModel): string {
  const last = m.runs[0];
  const title = `stressd — ${m.suite.name}${last ? ` — ${verdictOf(last)}` : ''}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="10">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STATUS_CSS}</style></head>
<body><main>
<h1>stressd <span class="muted">${e(m.version)}</span></h1>
${m.suites ? renderSuitesSection(m.suites, m.now, m.executor, m.csrf ?? '') : scheduleSection(m)}
${currentSection(m)}
${m.config ? renderConfigSection(m.config, m.now) : ''}
${renderTestView({ runs: m.runs, now: m.now, traceUrl: m.traceUrl ?? null, changes: m.changes ?? [] })}
${runsSection(m)}
${unreadableSection(m)}
<section><h2>Per-test durations, last runs</h2>${renderDurationChart(m.runs)}</section>
<p class="muted">Rendered ${e(m.now.toISOString())} · <a href="/metrics">metrics</a> · <a href="/api/runs">runs JSON</a> · <a href="/readyz">readiness</a></p>
</main></body></html>
`;
}
