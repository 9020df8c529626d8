/**
 * Every PromQL text of the bundle parses with Prometheus' own grammar (@prometheus-io/lezer-promql):
 * dashboard panel queries, annotations and variable series (after Grafana's substitutions), and
 * every alert and recording rule expression.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parser } from '@prometheus-io/lezer-promql';
import { dashboardQueries, loadDashboards, ruleExpressions, substitute } from './ops-files.ts';

/** Error nodes of the parse tree, as `offset: text` for the message; empty when it parses. */
function syntaxErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 20), node.to + 20))}`);
    },
  });
  return errors;
}

test('the parser check rejects broken PromQL', () => {
  assert.notDeepEqual(syntaxErrors('sum by (suite (stressd_test_runs_total'), []);
  assert.notDeepEqual(syntaxErrors('rate(stressd_test_runs_total[$__rate_interval])'), []);
  assert.deepEqual(syntaxErrors('sum by (suite) (rate(stressd_test_runs_total[1m]))'), []);
});

test('every dashboard query parses once Grafana has substituted its variables', () => {
  const queries = loadDashboards().flatMap(dashboardQueries);
  assert.ok(queries.length >= 30, `only ${queries.length} queries found`);
  for (const query of queries) {
    const expr = substitute(query.expr, { suite: 'demo', test: 'python_checklist_sim|system_info' });
    assert.doesNotMatch(expr, /\$/, `${query.where}: unsubstituted variable in ${expr}`);
    assert.deepEqual(syntaxErrors(expr), [], `${query.where}: ${expr}`);
  }
});

test('every alert and recording rule expression parses', () => {
  const rules = ruleExpressions();
  assert.ok(rules.filter((r) => r.kind === 'alert').length >= 8, 'fewer alerts than expected');
  assert.ok(rules.filter((r) => r.kind === 'record').length >= 8, 'fewer recording rules than expected');
  for (const rule of rules) assert.deepEqual(syntaxErrors(rule.expr), [], `${rule.where}: ${rule.expr}`);
});
