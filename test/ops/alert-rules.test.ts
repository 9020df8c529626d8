/**
 * The alert rules are operable: each has a `for`, a severity, a summary, a description and a
 * runbook entry that exists in docs/operations.md, and promtool tests that show it firing and
 * staying silent.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { isObject, repoRoot, ruleExpressions, rulesDir } from './ops-files.ts';

const SEVERITIES = ['critical', 'warning', 'info'];
const alerts = ruleExpressions().filter((r) => r.kind === 'alert');

/** GitHub's heading anchors: lower case, spaces to dashes, punctuation dropped. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const match of markdown.matchAll(/^#{1,6}\s+(.+)$/gm)) {
    out.add((match[1] ?? '').trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  }
  return out;
}

/** stressd's external URL from the external label prometheus.yml sets, else compose's address. */
const RUNBOOK_BASE = '{{ with $externalLabels.stressd_url }}{{ if match "^https?://" . }}{{ . }}{{ else }}http://127.0.0.1:9464{{ end }}{{ else }}http://127.0.0.1:9464{{ end }}';

test('the alerts the operations docs promise are all defined', () => {
  const names = new Set(alerts.map((a) => a.name));
  for (const name of ['StressdDown', 'StressdTestFailingRepeatedly', 'StressdRunNotGraduated', 'StressdScheduleMissed', 'StressdTestRegressed', 'StressdBudgetExhausted', 'StressdResourcePeakHigh', 'StressdServerStall']) {
    assert.ok(names.has(name), `${name} is not defined`);
  }
});

test('every alert has a for, a severity, a summary, a description and a runbook that exists', () => {
  const docAnchors = anchors(readFileSync(join(repoRoot, 'docs/operations.md'), 'utf8'));
  for (const alert of alerts) {
    const { rule, where } = alert;
    assert.match(String(rule.for), /^\d+[smh]$/, `${where}: no for:`);
    const labels = isObject(rule.labels) ? rule.labels : {};
    assert.ok(SEVERITIES.includes(String(labels.severity)), `${where}: severity ${String(labels.severity)}`);
    const annotations = isObject(rule.annotations) ? rule.annotations : {};
    for (const key of ['summary', 'description', 'runbook_url']) {
      assert.ok(typeof annotations[key] === 'string' && annotations[key] !== '', `${where}: no ${key}`);
    }
    const anchor = alert.name.toLowerCase();
    // Absolute: Alertmanager and Grafana show it wherever they run (stressd serves /runbooks).
    assert.equal(annotations.runbook_url, `${RUNBOOK_BASE}/runbooks#${anchor}`, `${where}: runbook_url`);
    assert.ok(docAnchors.has(anchor), `${where}: docs/operations.md has no heading for #${anchor}`);
  }
});

test('every alert has a promtool test where it fires and one where it stays silent', () => {
  const fires = new Set<string>();
  const silent = new Set<string>();
  for (const file of readdirSync(rulesDir).filter((n) => n.endsWith('.test.yml'))) {
    const doc: unknown = parseYaml(readFileSync(join(rulesDir, file), 'utf8'));
    const groups = isObject(doc) && Array.isArray(doc.tests) ? doc.tests : [];
    for (const group of groups.filter(isObject)) {
      for (const check of (Array.isArray(group.alert_rule_test) ? group.alert_rule_test : []).filter(isObject)) {
        const expected = Array.isArray(check.exp_alerts) ? check.exp_alerts : [];
        (expected.length > 0 ? fires : silent).add(String(check.alertname));
        // A firing expectation must pin the annotations too, so a broken template shows.
        for (const alert of expected.filter(isObject)) {
          assert.ok(isObject(alert.exp_annotations) && 'runbook_url' in alert.exp_annotations, `${file}: ${String(check.alertname)} expectation without annotations`);
        }
      }
    }
  }
  for (const name of new Set(alerts.map((a) => a.name))) {
    assert.ok(fires.has(name), `${name} has no promtool test where it fires`);
    assert.ok(silent.has(name), `${name} has no promtool test where it stays silent`);
  }
});
