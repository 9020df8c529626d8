/**
 * Reads the operations bundle (dashboards, rule files) for the ops checks, and turns Grafana
 * queries into PromQL that Prometheus and the parser accept.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Grafana's dashboard schemas, vendored (test/fixtures/grafana-schemas/SOURCE.md). */
export const grafanaSchemaDir = fileURLToPath(new URL('../fixtures/grafana-schemas/', import.meta.url));
export const dashboardDir = join(repoRoot, 'grafana', 'dashboards');
export const rulesDir = join(repoRoot, 'prometheus', 'rules');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface DashboardFile {
  file: string;
  json: JsonObject;
}

export function loadDashboards(): DashboardFile[] {
  return readdirSync(dashboardDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => {
      const json: unknown = JSON.parse(readFileSync(join(dashboardDir, name), 'utf8'));
      if (!isObject(json)) throw new Error(`${name}: not a JSON object`);
      return { file: name, json };
    });
}

/** Panels at any depth (rows hold panels of their own). */
export function allPanels(dashboard: JsonObject): JsonObject[] {
  const out: JsonObject[] = [];
  const visit = (panels: Json | undefined): void => {
    if (!Array.isArray(panels)) return;
    for (const panel of panels) {
      if (!isObject(panel)) continue;
      out.push(panel);
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return out;
}

export interface Query {
  /** Where it comes from, for messages: `<file> › <panel title> › <refId>`. */
  where: string;
  kind: 'panel' | 'annotation' | 'variable';
  expr: string;
}

/** Every PromQL text of a dashboard: panel targets, annotations, and the series of label_values(). */
export function dashboardQueries(dash: DashboardFile): Query[] {
  const queries: Query[] = [];
  for (const panel of allPanels(dash.json)) {
    const targets = Array.isArray(panel.targets) ? panel.targets : [];
    for (const target of targets) {
      if (isObject(target) && typeof target.expr === 'string') {
        queries.push({ where: `${dash.file} › ${String(panel.title)} › ${String(target.refId)}`, kind: 'panel', expr: target.expr });
      }
    }
  }
  const annotations = isObject(dash.json.annotations) ? dash.json.annotations.list : undefined;
  for (const annotation of Array.isArray(annotations) ? annotations : []) {
    if (isObject(annotation) && typeof annotation.expr === 'string') {
      queries.push({ where: `${dash.file} › annotation ${String(annotation.name)}`, kind: 'annotation', expr: annotation.expr });
    }
  }
  for (const variable of templateVariables(dash.json)) {
    const series = labelValuesSeries(variable.query);
    if (series !== null) queries.push({ where: `${dash.file} › variable ${variable.name}`, kind: 'variable', expr: series });
  }
  return queries;
}

export interface TemplateVariable {
  name: string;
  type: string;
  query: string;
}

export function templateVariables(dashboard: JsonObject): TemplateVariable[] {
  const list = isObject(dashboard.templating) ? dashboard.templating.list : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((v) => ({
    name: String(v.name),
    type: String(v.type),
    query: typeof v.query === 'string' ? v.query : '',
  }));
}

/** `label_values(series, label)` → `series`; `label_values(label)` and other forms → null. */
export function labelValuesSeries(query: string): string | null {
  const match = /^\s*label_values\(\s*(.+)\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$/s.exec(query);
  return match?.[1]?.trim() ?? null;
}

export interface Substitutions {
  /** Regex values for `$suite`, `$test` and `$instance`; default `.*` (Grafana's "All"). */
  suite?: string;
  test?: string;
  instance?: string;
  /** What `$__interval` stands for (Grafana makes it the step of a range query); default 15s. */
  interval?: string;
}

/** Grafana's variables → the values Grafana would put there, so the result is plain PromQL. */
export function substitute(expr: string, values: Substitutions = {}): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', values.interval ?? '15s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?suite\}?/g, values.suite ?? '.*')
    .replace(/\$\{?test\}?/g, values.test ?? '.*')
    .replace(/\$\{?instance\}?/g, values.instance ?? '.*');
}

export interface RuleExpr {
  where: string;
  /** `alert` or `record` name. */
  name: string;
  kind: 'alert' | 'record';
  expr: string;
  rule: JsonObject;
}

/** The rule files Prometheus loads (`*.rules.yml`), not the promtool tests beside them. */
export function ruleFiles(): string[] {
  return readdirSync(rulesDir)
    .filter((name) => name.endsWith('.rules.yml'))
    .sort()
    .map((name) => join(rulesDir, name));
}

export function ruleExpressions(): RuleExpr[] {
  const out: RuleExpr[] = [];
  for (const file of ruleFiles()) {
    const doc: unknown = parseYaml(readFileSync(file, 'utf8'));
    const groups = isObject(doc) && Array.isArray(doc.groups) ? doc.groups : [];
    for (const group of groups.filter(isObject)) {
      for (const rule of (Array.isArray(group.rules) ? group.rules : []).filter(isObject)) {
        const kind = typeof rule.alert === 'string' ? 'alert' : 'record';
        const name = String(rule.alert ?? rule.record);
        out.push({ where: `${file.slice(repoRoot.length)} › ${String(group.name)} › ${name}`, name, kind, expr: String(rule.expr), rule });
      }
    }
  }
  return out;
}
