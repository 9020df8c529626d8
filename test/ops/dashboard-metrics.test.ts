/**
 * What the dashboard and the rules ask Prometheus for is what stressd exports: every metric a
 * query names is defined by the daemon (or is a recording rule, or `up`), so a typo cannot hide
 * behind an `or vector(0)` fallback; and every panel's unit fits the metric it shows (seconds,
 * bytes, ratios as percentages, dollars, timestamps as dates).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parser } from '@prometheus-io/lezer-promql';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { defineMetrics } from '../../src/telemetry/metric-defs.ts';
import { allPanels, dashboardQueries, isObject, loadDashboards, ruleExpressions, substitute, type JsonObject } from './ops-files.ts';

/** Sample names the daemon exports (its own and prom-client's process metrics): histograms as their _bucket, _sum and _count series. */
async function exportedNames(): Promise<Set<string>> {
  const registry = new Registry();
  defineMetrics(registry);
  collectDefaultMetrics({ register: registry });
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    // prom-client's typings declare a numeric enum; the value at run time is the type's name.
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    else names.add(metric.name);
  }
  return names;
}

/**
 * Metric names of the vector selectors in `expr`. With `shown`, selectors under count() are left
 * out: they only make a series exist (e.g. a "not reported" fallback), their values are not shown.
 */
function metricNames(expr: string, shown = false): string[] {
  const names: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (shown && node.type.name === 'AggregateExpr' && /^count\b/.test(expr.slice(node.from, node.to))) return false;
      if (node.type.name === 'Identifier' && node.node.parent?.type.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
      return undefined;
    },
  });
  return names;
}

/** The unit a metric's values call for, from its name (base units, DESIGN section 6). */
function unitFor(metric: string): string | null {
  if (metric.endsWith('_timestamp_seconds')) return 'dateTimeFromNow';
  if (/_seconds(_bucket|_sum)?$|_seconds:/.test(metric)) return 's';
  if (/_bytes$|_bytes:/.test(metric)) return 'bytes';
  if (/_ratio$|_ratio:/.test(metric)) return 'percentunit';
  if (/_usd(_total)?$/.test(metric)) return 'currencyUSD';
  return null;
}

test('the name checks see the metrics a query shows, and skip those only counted', () => {
  assert.deepEqual(metricNames('sum(rate(a_total{x="1"}[1m])) / on (s) b or vector(0)'), ['a_total', 'b']);
  assert.deepEqual(metricNames('c or count(d)', true), ['c']);
  assert.equal(unitFor('stressd_run_last_timestamp_seconds'), 'dateTimeFromNow');
  assert.equal(unitFor('stressd:test_duration_seconds:median_7d'), 's');
  assert.equal(unitFor('stressd_test_last_peak_cpu_ratio'), 'percentunit');
  assert.equal(unitFor('stressd_test_cost_usd_total'), 'currencyUSD');
  assert.equal(unitFor('stressd_test_last_tokens'), null);
});

test('every metric a dashboard query or a rule names is exported by stressd or recorded by a rule', async () => {
  const known = await exportedNames();
  const rules = ruleExpressions();
  for (const rule of rules) if (rule.kind === 'record') known.add(rule.name);
  known.add('up');
  const unknown: string[] = [];
  const queries = [...loadDashboards().flatMap(dashboardQueries).map((q) => ({ where: q.where, expr: substitute(q.expr) })), ...rules];
  for (const { where, expr } of queries) {
    for (const name of metricNames(expr)) if (!known.has(name)) unknown.push(`${where}: ${name}`);
  }
  assert.deepEqual(unknown, [], 'metrics nobody exports');
});

test("every panel's unit fits the metrics it shows", () => {
  const wrong: string[] = [];
  for (const dash of loadDashboards()) {
    for (const panel of allPanels(dash.json)) {
      if (panel.type === 'row') continue;
      const targets = (Array.isArray(panel.targets) ? panel.targets : []).filter(isObject);
      const units = new Set(targets.flatMap((t) => metricNames(substitute(String(t.expr)), true)).map(unitFor).filter((u) => u !== null));
      const defaults = isObject(panel.fieldConfig) && isObject(panel.fieldConfig.defaults) ? panel.fieldConfig.defaults : ({} as JsonObject);
      const unit = typeof defaults.unit === 'string' ? defaults.unit : null;
      const where = `${dash.file} › ${String(panel.title)}`;
      if (units.size > 1) wrong.push(`${where}: mixes ${[...units].join(', ')}`);
      else if (units.size === 1 && unit !== [...units][0]) wrong.push(`${where}: unit ${String(unit)}, expected ${String([...units][0])}`);
    }
  }
  assert.deepEqual(wrong, [], 'panels with the wrong unit');
});
