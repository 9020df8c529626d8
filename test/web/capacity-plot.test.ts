/** The capacity plot (src/web/capacity-plot.ts) read back as XML: its steps, its knee, its objective, and escaped text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceCeil, renderCapacityPlot, renderCapacityPlots } from '../../src/web/capacity-plot.ts';
import { renderReportPage } from '../../src/web/report-html.ts';
import { renderTestView } from '../../src/web/test-view.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { capacitySearch, rateSearch, searchLoad, step } from '../fixtures/capacity/search.ts';
import { runResult, testResult } from '../telemetry/results.ts';

interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }

/** A strict little XML reader: every tag closed in order, attributes quoted, no stray `<` or `&`. */
function parseXml(xml: string): El {
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack: El[] = [root];
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = token.exec(xml)) !== null) {
    at = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) {
      assert.doesNotMatch(m[5], /&(?!(amp|lt|gt|quot|#39|#x[0-9a-f]+);)/i, `a bare & in ${m[5]}`);
      top.text += m[5];
      continue;
    }
    const [, close, name = '', attrText = '', selfClose] = m;
    if (close) {
      assert.equal(top.name, name, `</${name}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs = Object.fromEntries([...attrText.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    const el: El = { name, attrs, children: [], text: '' };
    top.children.push(el);
    if (!selfClose) stack.push(el);
  }
  assert.equal(at, xml.length, `not XML from ${at}: ${xml.slice(at, at + 60)}`);
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1]?.name}>`);
  return root;
}

function all(el: El, pred: (e: El) => boolean): El[] {
  return [...(pred(el) ? [el] : []), ...el.children.flatMap((c) => all(c, pred))];
}
const hasClass = (c: string) => (e: El) => (e.attrs.class ?? '').split(' ').includes(c);

test('one point per step, sorted by level, held filled and broke hollow; p95 above p50', () => {
  const search = capacitySearch();
  const svg = parseXml(renderCapacityPlot(search, 'cap')).children[0]!;
  assert.equal(svg.name, 'svg');
  const steps = all(svg, hasClass('step'));
  assert.equal(steps.length, search.steps.length);
  assert.deepEqual(steps.map((s) => s.attrs['data-sessions']), ['1', '2', '4', '6', '7', '8']);
  assert.deepEqual(steps.map((s) => hasClass('held')(s)), [true, true, true, true, false, false]);
  for (const s of steps) {
    const p95 = all(s, hasClass('p95'))[0]!;
    const p50 = all(s, hasClass('p50'))[0]!;
    assert.ok(Number(p95.attrs.cy) <= Number(p50.attrs.cy), 'p95 is drawn no lower than p50');
    assert.equal(p95.attrs.fill === '#fff', hasClass('broke')(s));
  }
  const xs = steps.map((s) => Number(all(s, hasClass('p95'))[0]!.attrs.cx));
  assert.deepEqual([...xs].sort((a, b) => a - b), xs, 'x grows with the level');
  // Two lines, one per percentile, through every step.
  const lines = all(svg, (e) => e.name === 'polyline');
  assert.equal(lines.length, 2);
  for (const l of lines) assert.equal(l.attrs.points?.split(' ').length, search.steps.length);
});

test('the knee is marked at the level that held, the band reaching the first that broke, and the objective is a line', () => {
  const svg = parseXml(renderCapacityPlot(capacitySearch(), 'cap')).children[0]!;
  const knee = all(svg, hasClass('knee'));
  assert.equal(knee.length, 1);
  const kneeLine = all(knee[0]!, (e) => e.name === 'line')[0]!;
  const six = all(svg, (e) => e.attrs['data-sessions'] === '6')[0]!;
  assert.equal(kneeLine.attrs.x1, all(six, hasClass('p95'))[0]!.attrs.cx, 'the knee line stands on the 6-session step');
  const band = all(knee[0]!, (e) => e.name === 'rect')[0]!;
  const seven = all(svg, (e) => e.attrs['data-sessions'] === '7')[0]!;
  assert.equal((Number(band.attrs.x) + Number(band.attrs.width)).toFixed(1), all(seven, hasClass('p95'))[0]!.attrs.cx);
  assert.match(all(knee[0]!, (e) => e.name === 'text')[0]!.text, /held 6/);
  const slo = all(svg, hasClass('slo'))[0]!;
  const sloLine = all(slo, (e) => e.name === 'line')[0]!;
  // The step at 7 broke the 2 s objective with 2.6 s: drawn above the line (smaller y); 6 held with 1.4 s, below it.
  assert.ok(Number(all(seven, hasClass('p95'))[0]!.attrs.cy) < Number(sloLine.attrs.y1));
  assert.ok(Number(all(six, hasClass('p95'))[0]!.attrs.cy) > Number(sloLine.attrs.y1));
});

test('accessible: a title and an aria-label that say what was found; text escaped', () => {
  const svg = parseXml(renderCapacityPlot(capacitySearch({ steps: [step(1, 0.1, 9, { broke: ['<script>x</script> & more'] })] }), 'a<b>')).children[0]!;
  assert.equal(svg.attrs.role, 'img');
  assert.match(svg.attrs['aria-label'] ?? '', /^Capacity of a&lt;b&gt;: first output against sessions at once; held 6, broke at 7$/);
  assert.equal(svg.children[0]?.name, 'title');
  assert.ok(all(svg, (e) => e.name === 'script').length === 0);
  assert.match(all(svg, hasClass('step'))[0]!.children[0]!.text, /&lt;script&gt;x&lt;\/script&gt; &amp; more/);
});

test('no knee when nothing held, no objective line without one, a step without first output on the top edge', () => {
  const search = capacitySearch({ held: 0, broke: 1, steps: [step(1, null, null, { error_ratio: 1, held: false })] });
  delete search.slo;
  const svg = parseXml(renderCapacityPlot(search, 'x')).children[0]!;
  assert.equal(all(svg, hasClass('knee')).length, 0);
  assert.equal(all(svg, hasClass('slo')).length, 0);
  const p95 = all(svg, hasClass('p95'));
  assert.equal(p95.length, 1);
  assert.equal(p95[0]!.attrs.cy, '16.0');
  assert.equal(all(svg, hasClass('p50')).length, 0);
  assert.match(renderCapacityPlot(capacitySearch({ steps: [] }), 'x'), /no step ran/);
});

test('the HTML report draws the plot after the search section anchor, from the run', () => {
  const run = runResult({ tests: [testResult({ id: 'cap', load: searchLoad() }), testResult({ id: 'plain' })] });
  const page = renderReportPage(renderMarkdown(run), 'r', run);
  assert.match(page, /<a id="capacity-cap"><\/a>\n<figure class="capacity"><svg class="chart capacity-plot"/);
  assert.equal((page.match(/<svg /g) ?? []).length, 1);
  const svg = /<svg [\s\S]*?<\/svg>/.exec(page)?.[0] ?? assert.fail('no svg');
  assert.equal(all(parseXml(svg), hasClass('step')).length, 6);
  // Without the run (a report file read alone) the anchor stays and nothing else is drawn.
  assert.doesNotMatch(renderReportPage(renderMarkdown(run), 'r'), /<svg/);
  // An anchor written into test output is escaped by the markdown, never a plot.
  const hostile = renderReportPage('<a id="capacity-cap"></a> and more', 'r', run);
  assert.doesNotMatch(hostile, /<svg/);
});

test('the per-test view shows the latest search of each test and its capacity over the runs', () => {
  const runs = [5, 6, 8].map((held, i) => ({ ...runResult({ id: `run-${i}`, tests: [testResult({ id: 'cap', load: searchLoad(capacitySearch({ held })) })] }) }));
  const html = renderCapacityPlots(runs);
  assert.match(html, /<figure class="capacity" id="capacity-cap"><svg/);
  assert.match(html, /capacity in the last 3 runs, oldest first: 8, 6, 5 sessions/);
  assert.equal(renderCapacityPlots([runResult({ tests: [testResult({ id: 'x' })] })]), '');
  const view = renderTestView({ runs, now: new Date('2026-11-30T00:00:00Z'), traceUrl: null });
  assert.match(view, /<h3>Capacity<\/h3><figure class="capacity" id="capacity-cap">[\s\S]*<\/section>$/);
  assert.doesNotMatch(renderTestView({ runs: [runResult({ tests: [testResult({ id: 'x' })] })], now: new Date(), traceUrl: null }), /Capacity/);
});

test('the y axis tops out at a round number above every point and the objective', () => {
  assert.deepEqual([0.0123, 0.9, 1, 1.1, 2.13, 3, 7, 40].map(niceCeil), [0.02, 1, 1, 2, 2.5, 5, 10, 50]);
  const svg = parseXml(renderCapacityPlot(capacitySearch(), 'cap')).children[0]!;
  // The highest p95 is 4.1 s (4.51 with headroom): the top is 5 s, the middle 2.5 s.
  const labels = all(svg, (e) => e.name === 'text' && e.attrs['text-anchor'] === 'end' && / s$/.test(e.text)).map((e) => e.text);
  assert.deepEqual(labels, ['0 s', '2.5 s', '5 s']);
});

test('a search over rate is plotted against the rate, the axis titled so, the knee at the rate that held', () => {
  const search = rateSearch();
  const svg = parseXml(renderCapacityPlot(search, 'cap')).children[0]!;
  assert.match(svg.attrs['aria-label'] ?? '', /^Capacity of cap: first output against arrivals per second; held 9\.75, broke at 10\.5$/);
  const axisTitle = all(svg, (e) => e.name === 'text' && e.attrs['text-anchor'] === 'middle' && /[a-z]/.test(e.text));
  assert.deepEqual(axisTitle.map((e) => e.text), ['arrivals per second']);
  const steps = all(svg, hasClass('step'));
  assert.equal(steps.length, search.steps.length);
  assert.deepEqual(steps.map((s) => s.attrs['data-rate']), ['1.5', '3', '6', '9', '9.75', '10.5', '12']);
  // x is proportional to the rate, not to the sessions in flight (1, 1, 2, 2, 2, 8, 8).
  const cx = steps.map((s) => Number(all(s, hasClass('p95'))[0]!.attrs.cx));
  const left = 52;
  const perUnit = (cx[6]! - left) / 12;
  for (const [i, rate] of [1.5, 3, 6, 9, 9.75, 10.5, 12].entries()) assert.ok(Math.abs(cx[i]! - (left + rate * perUnit)) < 0.11, `step at ${rate}/s drawn at ${cx[i]}`);
  assert.notEqual(cx[0], cx[1], 'two rates with one session in flight each are two points');
  const knee = all(svg, hasClass('knee'))[0]!;
  assert.equal(all(knee, (e) => e.name === 'line')[0]!.attrs.x1, String(cx[4]!.toFixed(1)));
  assert.match(knee.children[0]!.text, /knee: 9\.75 arrivals\/s held, 10\.5 arrivals\/s broke/);
  assert.match(steps[5]!.children[0]!.text, /^10\.5 arrivals\/s \(8 in flight at most, 6 dropped\): .*broke/);
  const ticks = all(svg, (e) => e.name === 'text' && e.attrs['text-anchor'] === 'middle' && /^[\d.]+$/.test(e.text)).map((e) => e.text);
  assert.ok(ticks.includes('9.75') && ticks.includes('12'), `ticks ${ticks.join(',')}`);
});

test('the per-test view gives a rate search\'s capacity over the runs in arrivals per second, not mixed with sessions', () => {
  const runs = [
    runResult({ id: 'run-2', tests: [testResult({ id: 'cap', load: searchLoad(rateSearch({ held: 9.75 })) })] }),
    runResult({ id: 'run-1', tests: [testResult({ id: 'cap', load: searchLoad(rateSearch({ held: 10.5 })) })] }),
    runResult({ id: 'run-0', tests: [testResult({ id: 'cap', load: searchLoad(capacitySearch({ held: 6 })) })] }),
  ];
  const html = renderCapacityPlots(runs);
  assert.match(html, /capacity in the last 2 runs, oldest first: 10\.5, 9\.75 arrivals\/s/);
  assert.match(html, /first output against arrivals per second/);
});
