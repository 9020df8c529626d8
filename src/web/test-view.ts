/**
 * The status page's per-test view: for each test its last outcome and reason, when it last passed,
 * its durations over the last runs, its verdicts against the baseline, where its measures last
 * shifted and what changed there (the change points analysis found), and links to its log, its
 * section of the report and its trace.
 */
import type { RegressionRecord, RunResult, TestResult } from '../result/types.ts';
import { escapeHtml as e, relativeTime } from './html.ts';
import { renderSparkline, type SparkPoint } from './sparkline.ts';
import { renderCapacityPlots } from './capacity-plot.ts';

const SPARK_RUNS = 20;

export interface TestViewOptions {
  /** Finished runs, newest first. */
  runs: readonly RunResult[];
  now: Date;
  /** A trace UI URL with `{trace_id}` (STRESSD_TRACE_URL); null: no trace links. */
  traceUrl: string | null;
  /** Change points to show, per test (analysis's ChangePoint has these fields); absent: none. */
  changes?: readonly ChangeNote[];
}

/** One change point as the view shows it: "duration +25 % since run X at T; Claude model changed there from A to B". */
export interface ChangeNote {
  test: string;
  measure: string;
  run_id: string;
  text: string;
}

/** Test ids in the newest run's order, then any older ones. */
function testIdsOf(runs: readonly RunResult[]): { id: string; name: string }[] {
  const seen = new Map<string, string>();
  for (const run of runs.slice(0, SPARK_RUNS)) for (const t of run.tests) if (!seen.has(t.id)) seen.set(t.id, t.name);
  return [...seen].map(([id, name]) => ({ id, name }));
}

export function traceLink(template: string | null, traceId: string | null): string | null {
  if (template === null || traceId === null || !/^[0-9a-f]{32}$/.test(traceId)) return null;
  return template.replaceAll('{trace_id}', traceId);
}

function pointOf(run: RunResult, t: TestResult): SparkPoint | null {
  if (t.outcome === 'not_run') return null;
  const aborted = run.status === 'aborted' || t.reason === 'aborted';
  const kind = t.outcome === 'passed' ? 'passed' : aborted ? 'aborted' : 'failed';
  return { seconds: t.duration_seconds, kind, label: `${run.id} ${t.outcome}${t.reason ? ` (${t.reason})` : ''}` };
}

function verdictWords(r: RegressionRecord): string {
  const pct = r.change === null ? '' : ` ${r.change > 0 ? '↑ +' : '↓ '}${(r.change * 100).toFixed(0)}%`;
  return `${r.measure.replace('_', ' ')} ${r.verdict.replace('_', ' ')}${pct}`;
}

function verdictsCell(records: readonly RegressionRecord[] | null): string {
  if (records === null) return '<span class="muted">not judged yet</span>';
  const notable = records.filter((r) => r.verdict === 'regressed' || r.verdict === 'improved' || r.verdict === 'noise');
  if (notable.length > 0) return notable.map((r) => `<span class="rv rv-${r.verdict}">${e(verdictWords(r))}</span>`).join('<br>');
  if (records.every((r) => r.verdict === 'no_baseline')) return '<span class="muted">no baseline yet</span>';
  return `<span class="muted">unchanged (${records.length} measures)</span>`;
}

function changesCell(notes: readonly ChangeNote[]): string {
  if (notes.length === 0) return '';
  const items = notes.map((n) => `<li class="cp" data-measure="${e(n.measure)}" data-run="${e(n.run_id)}">${e(n.text)}</li>`).join('');
  return `<ul class="changes">${items}</ul>`;
}

function linksCell(run: RunResult, t: TestResult, judged: RunResult | null, traceUrl: string | null): string {
  const id = encodeURIComponent(run.id);
  const links = [];
  if (t.log_path) links.push(`<a href="/api/runs/${id}/tests/${encodeURIComponent(t.id)}/log">log</a>`);
  const reportRun = encodeURIComponent((judged ?? run).id);
  // The test's own section (the anchor of src/report/test-section.ts testAnchor; web/ does not import report/).
  links.push(`<a href="/api/runs/${reportRun}/report.html#test-${encodeURIComponent(t.id)}">report</a>`);
  const trace = traceLink(traceUrl, t.trace_id);
  if (trace) links.push(`<a href="${e(trace)}" rel="noopener noreferrer">trace</a>`);
  return links.join(' · ');
}

function testRow(id: string, name: string, o: TestViewOptions): string {
  const withTest = o.runs.flatMap((run) => {
    const t = run.tests.find((x) => x.id === id);
    return t ? [{ run, t }] : [];
  });
  const last = withTest.find((x) => x.t.outcome !== 'not_run') ?? withTest[0];
  if (!last) return '';
  const pass = withTest.find((x) => x.t.outcome === 'passed');
  const judged = withTest.find((x) => x.t.regressions && x.t.regressions.length > 0) ?? null;
  const points = withTest.slice(0, SPARK_RUNS).reverse().flatMap(({ run, t }) => pointOf(run, t) ?? []);
  const reason = last.t.reason ? ` <span class="muted" title="${e(last.t.reason_detail ?? '')}">(${e(last.t.reason)})</span>` : '';
  const passed = pass ? `${e(pass.t.ended_at)} <span class="muted">(${e(relativeTime(new Date(pass.t.ended_at), o.now))})</span>` : '<span class="muted">never</span>';
  return `<tr id="test-${e(id)}"><td><strong>${e(name)}</strong><br><code>${e(id)}</code></td>` +
    `<td class="o-${e(last.t.outcome)}">${e(last.t.outcome)}${reason}</td><td>${passed}</td>` +
    `<td>${renderSparkline(points)}</td><td>${verdictsCell(judged?.t.regressions ?? null)}${changesCell((o.changes ?? []).filter((c) => c.test === id))}</td>` +
    `<td>${linksCell(last.run, last.t, judged?.run ?? null, o.traceUrl)}</td></tr>`;
}

export function renderTestView(o: TestViewOptions): string {
  const tests = testIdsOf(o.runs);
  if (tests.length === 0) return '<section id="tests"><h2>Tests</h2><p class="muted">No test has run yet.</p></section>';
  const rows = tests.map((t) => testRow(t.id, t.name, o)).join('\n');
  return `<section id="tests"><h2>Tests</h2><table>
<tr><th>Test</th><th>Last outcome</th><th>Last pass</th><th>Duration, last ${SPARK_RUNS} runs</th><th>Against the baseline · where it changed</th><th>Links</th></tr>
${rows}
</table><p class="muted"><span class="legend"><i class="lg-failed"></i>failed</span><span class="legend"><i class="lg-aborted"></i>aborted</span> points in the durations</p>${renderCapacityPlots(o.runs)}</section>`;
}
