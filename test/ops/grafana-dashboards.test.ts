/**
 * Grafana dashboards, checked offline: each validates against the Grafana JSON schemas (the
 * dashboard, and each panel's options, field config and Prometheus targets against its plugin's
 * schema), and refers only to the provisioned datasources and its own template variables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { allPanels, grafanaSchemaDir, isObject, loadDashboards, repoRoot, templateVariables, type JsonObject } from './ops-files.ts';

/** Panel types whose schema is in test/fixtures/grafana-schemas/; the dashboard uses only these. */
const PANEL_SCHEMAS = { timeseries: 'timeseries.jsonschema.json', stat: 'stat.jsonschema.json' } as const;

/**
 * The schemas are draft-07 without $id and refer only to themselves; registering each under its
 * file name lets `<file>#/definitions/<Name>` reach what the dashboard schema leaves open (panel
 * options, field config, targets). common.jsonschema.json is left out: nothing refers to it, and
 * ajv rejects it (a duplicated enum item in ScaleDirection).
 */
function loadSchemas(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const name of ['dashboard.jsonschema.json', 'prometheus.jsonschema.json', ...Object.values(PANEL_SCHEMAS)]) {
    ajv.addSchema(JSON.parse(readFileSync(join(grafanaSchemaDir, name), 'utf8')) as object, name);
  }
  return ajv;
}

const ajv = loadSchemas();
const validator = (ref: string): ValidateFunction => {
  const fn = ajv.getSchema(ref);
  assert.ok(fn, `schema ${ref} not found in ${grafanaSchemaDir}`);
  return fn;
};

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`).join('\n');
}

function check(ref: string, value: unknown, where: string): void {
  const validate = validator(ref);
  assert.ok(validate(value), `${where} does not match ${ref}:\n${describe(validate.errors)}`);
}

const dashboards = loadDashboards();

test('there is a suite overview dashboard', () => {
  assert.ok(dashboards.some((d) => d.file === 'stressd-overview.json'), 'grafana/dashboards/stressd-overview.json is missing');
});

for (const dash of dashboards) {
  test(`${dash.file} validates against Grafana's dashboard schema`, () => {
    // Grafana's "export for sharing" keys are not part of the dashboard model.
    const { __inputs: _inputs, __requires: _requires, ...model } = dash.json;
    check('dashboard.jsonschema.json', model, dash.file);
  });

  test(`${dash.file}: every panel's options, field config and targets match its plugin's schemas`, () => {
    for (const panel of allPanels(dash.json)) {
      const where = `${dash.file} › ${String(panel.title)}`;
      if (panel.type === 'row' || panel.type === 'alertlist') continue;
      const type = String(panel.type);
      assert.ok(type in PANEL_SCHEMAS, `${where}: panel type ${type} has no schema here (use ${Object.keys(PANEL_SCHEMAS).join(' or ')})`);
      const file = PANEL_SCHEMAS[type as keyof typeof PANEL_SCHEMAS];
      check(`${file}#/definitions/Options`, panel.options, `${where} › options`);
      const defaults = isObject(panel.fieldConfig) ? panel.fieldConfig.defaults : undefined;
      if (type === 'timeseries') check(`${file}#/definitions/FieldConfig`, isObject(defaults) ? (defaults.custom ?? {}) : {}, `${where} › fieldConfig.defaults.custom`);
      const targets = Array.isArray(panel.targets) ? panel.targets : [];
      assert.ok(targets.length > 0, `${where}: no queries`);
      for (const target of targets) check('prometheus.jsonschema.json', target, `${where} › target`);
    }
  });

  test(`${dash.file}: panel ids are unique and panels do not overlap on the grid`, () => {
    const ids = new Set<number>();
    const cells = new Map<string, string>();
    for (const panel of allPanels(dash.json)) {
      assert.equal(typeof panel.id, 'number', `${String(panel.title)}: no id`);
      assert.ok(!ids.has(panel.id as number), `panel id ${String(panel.id)} is used twice`);
      ids.add(panel.id as number);
      const pos = panel.gridPos as JsonObject;
      for (let x = pos.x as number; x < (pos.x as number) + (pos.w as number); x++) {
        for (let y = pos.y as number; y < (pos.y as number) + (pos.h as number); y++) {
          const other = cells.get(`${x},${y}`);
          assert.equal(other, undefined, `${String(panel.title)} overlaps ${other ?? ''} at ${x},${y}`);
          cells.set(`${x},${y}`, String(panel.title));
        }
      }
    }
  });

  test(`${dash.file}: every query goes through the $datasource variable, and every variable is defined`, () => {
    const variables = templateVariables(dash.json);
    const names = new Set(variables.map((v) => v.name));
    const inputs = (Array.isArray(dash.json.__inputs) ? dash.json.__inputs : []).filter(isObject);
    const text = JSON.stringify(dash.json);
    for (const match of text.matchAll(/"datasource":\{"type":"([^"]+)","uid":"([^"]+)"\}/g)) {
      const [, type, uid] = match;
      if (type === 'grafana') continue;
      assert.equal(`${type}/${uid}`, 'prometheus/${datasource}', 'a hard-coded datasource uid breaks the dashboard wherever that uid differs');
    }
    const datasource = variables.find((v) => v.name === 'datasource');
    assert.equal(datasource?.type, 'datasource', 'no $datasource variable of type datasource');
    assert.equal(datasource.query, 'prometheus');
    // "Import dashboard" asks for the Prometheus to use and puts it where ${DS_PROMETHEUS} stands.
    assert.ok(inputs.some((i) => i.name === 'DS_PROMETHEUS' && i.type === 'datasource' && i.pluginId === 'prometheus'), '__inputs has no DS_PROMETHEUS');
    assert.ok(text.includes('${DS_PROMETHEUS}'), '__inputs declares DS_PROMETHEUS but nothing uses it');
    for (const match of text.matchAll(/\$\{?([a-zA-Z_]\w*)/g)) {
      const name = match[1] ?? '';
      if (name.startsWith('__') || inputs.some((i) => i.name === name)) continue;
      assert.ok(names.has(name), `$${name} is used but not defined as a template variable`);
    }
  });
}

test('the provisioned Prometheus is the default datasource, so the $datasource variable finds it', () => {
  const provisioned = parseYaml(readFileSync(join(repoRoot, 'grafana/provisioning/datasources/stressd.yml'), 'utf8')) as { datasources: { type: string; isDefault?: boolean }[] };
  assert.ok(provisioned.datasources.some((d) => d.type === 'prometheus' && d.isDefault === true));
});

test('the overview has instance, suite and test query variables fed by label_values, each scoped by the one before', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const variables = new Map(templateVariables(overview.json).map((v) => [v.name, v]));
  for (const name of ['instance', 'suite', 'test']) {
    const variable = variables.get(name);
    assert.ok(variable, `no $${name} variable`);
    assert.equal(variable.type, 'query');
    assert.match(variable.query, new RegExp(`^label_values\\(.+,\\s*${name}\\)$`));
  }
  assert.match(variables.get('suite')?.query ?? '', /instance=~"\$instance"/);
  assert.match(variables.get('test')?.query ?? '', /instance=~"\$instance", suite=~"\$suite"/);
});

test('every selector of every panel query is scoped to the chosen instances', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const unscoped = allPanels(overview.json).flatMap((panel) =>
    (Array.isArray(panel.targets) ? panel.targets : []).filter(isObject).flatMap((t) =>
      [...String(t.expr).matchAll(/[a-z_:]+\{[^}]*\}/g)].map((m) => m[0]).filter((sel) => !sel.includes('instance=~"$instance"')).map((sel) => `${String(panel.title)}: ${sel}`),
    ),
  );
  assert.deepEqual(unscoped, []);
});

test('the overview lists the firing stressd alerts of the chosen instances', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const list = allPanels(overview.json).find((p) => p.type === 'alertlist');
  assert.ok(list, 'no alert list panel');
  const options = list.options as JsonObject;
  assert.equal(options.alertName, 'Stressd');
  assert.equal(options.alertInstanceLabelFilter, '{instance=~"$instance"}');
  assert.equal((options.stateFilter as JsonObject).firing, true);
  assert.equal(options.viewMode, 'list');
});

test("a test's verdict links to its latest report on stressd's status page", () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const verdict = allPanels(overview.json).find((p) => p.title === 'Last verdict per test');
  const links = ((verdict?.fieldConfig as JsonObject).defaults as JsonObject).links;
  assert.ok(Array.isArray(links) && isObject(links[0]), 'no data link on the verdict panel');
  assert.match(String(links[0].url), /^\$\{stressd_url\}\/\?suite=\$\{__field\.labels\.suite\}&test=\$\{__field\.labels\.test\}#runs$/);
  const url = templateVariables(overview.json).find((v) => v.name === 'stressd_url');
  assert.equal(url?.type, 'textbox');
  assert.match(url.query, /^http:\/\/127\.0\.0\.1:9464$/);
});

test('the duration panel asks for exemplars from the duration histogram and links them to traces', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const exemplarTargets = allPanels(overview.json).flatMap((panel) =>
    (Array.isArray(panel.targets) ? panel.targets : []).filter(isObject).filter((t) => t.exemplar === true).map((t) => ({ panel, t })),
  );
  assert.ok(exemplarTargets.some(({ panel, t }) => /duration/i.test(String(panel.title)) && String(t.expr).includes('stressd_test_duration_seconds_bucket')));
  const datasources = readFileSync(join(repoRoot, 'grafana/provisioning/datasources/stressd.yml'), 'utf8');
  assert.match(datasources, /exemplarTraceIdDestinations:\s*\n\s*- name: trace_id\s*\n\s*datasourceUid: jaeger/);
});

test('the Capacity and load row shows the capacity in sessions and in arrivals per second, each beside its baseline', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const panels = overview.json.panels;
  assert.ok(Array.isArray(panels));
  const top = panels.filter(isObject);
  const rowAt = top.findIndex((p) => p.type === 'row' && p.title === 'Capacity and load');
  assert.ok(rowAt >= 0, 'no "Capacity and load" row');
  const nextRow = top.findIndex((p, i) => i > rowAt && p.type === 'row');
  const row = top.slice(rowAt + 1, nextRow < 0 ? undefined : nextRow);
  const exprs = (p: JsonObject): string[] => (Array.isArray(p.targets) ? p.targets : []).filter(isObject).map((t) => String(t.expr));
  for (const [gauge, baseline, measure] of [
    ['stressd_test_capacity_sessions', 'stressd_test_baseline_sessions', 'capacity'],
    ['stressd_test_capacity_arrivals_per_second', 'stressd_test_baseline_arrivals_per_second', 'capacity_rate'],
  ] as const) {
    const panel = row.find((p) => exprs(p).some((e) => e.startsWith(`${gauge}{`)));
    assert.ok(panel, `no panel of the Capacity row shows ${gauge}`);
    assert.ok(exprs(panel).some((e) => e.startsWith(`${baseline}{`) && e.includes(`measure="${measure}"`)), `${String(panel.title)} has no ${baseline} of ${measure}`);
  }
});

test('every stressd metric the overview queries is one that stressd exports', async () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const { body } = await createMetrics({ collectDefaults: false }).metricsResponse(undefined);
  const exported = new Set([...body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
  const queried = new Set(allPanels(overview.json).flatMap((p) => (Array.isArray(p.targets) ? p.targets : []).filter(isObject)
    .flatMap((t) => [...String(t.expr).matchAll(/\bstressd_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')))));
  assert.ok(queried.has('stressd_test_capacity_arrivals_per_second'));
  assert.deepEqual([...queried].filter((name) => !exported.has(name)), []);
});
