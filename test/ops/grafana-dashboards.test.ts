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
      if (panel.type === 'row') continue;
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

  test(`${dash.file}: queries use only the provisioned datasources and defined variables`, () => {
    const provisioned = parseYaml(readFileSync(join(repoRoot, 'grafana/provisioning/datasources/stressd.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    const uids = new Map(provisioned.datasources.map((d) => [d.uid, d.type]));
    const variables = new Set(templateVariables(dash.json).map((v) => v.name));
    const text = JSON.stringify(dash.json);
    for (const match of text.matchAll(/"datasource":\{"type":"([^"]+)","uid":"([^"]+)"\}/g)) {
      const [, type, uid] = match;
      if (type === 'grafana') continue;
      assert.equal(uids.get(uid ?? ''), type, `datasource ${type}/${uid} is not provisioned`);
    }
    for (const match of text.matchAll(/\$\{?([a-zA-Z_]\w*)/g)) {
      const name = match[1] ?? '';
      if (name.startsWith('__')) continue;
      assert.ok(variables.has(name), `$${name} is used but not defined as a template variable`);
    }
  });
}

test('the overview has suite and test query variables fed by label_values', () => {
  const overview = dashboards.find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview);
  const variables = new Map(templateVariables(overview.json).map((v) => [v.name, v]));
  for (const name of ['suite', 'test']) {
    const variable = variables.get(name);
    assert.ok(variable, `no $${name} variable`);
    assert.equal(variable.type, 'query');
    assert.match(variable.query, new RegExp(`^label_values\\(.+,\\s*${name}\\)$`));
  }
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
