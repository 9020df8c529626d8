import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { addUnits, renderMetrics } from '../../src/telemetry/exposition.ts';

const OM_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

test('OpenMetrics names the unit of every family whose name ends in one, after its TYPE', async () => {
  const registry = new Registry();
  new Histogram({ name: 'x_duration_seconds', help: 'h', registers: [registry], buckets: [1] }).observe(0.5);
  new Counter({ name: 'x_cost_usd_total', help: 'h', registers: [registry] }).inc(0.25);
  new Gauge({ name: 'x_peak_memory_bytes', help: 'h', registers: [registry] }).set(3);
  new Gauge({ name: 'x_pass_ratio', help: 'h', registers: [registry] }).set(1);
  new Gauge({ name: 'x_build_info', help: 'h', registers: [registry] }).set(1);
  const { body, contentType } = await renderMetrics(registry, OM_ACCEPT);
  assert.match(contentType, /openmetrics/);
  const lines = body.split('\n');
  for (const [name, unit] of [['x_duration_seconds', 'seconds'], ['x_cost_usd', 'usd'], ['x_peak_memory_bytes', 'bytes'], ['x_pass_ratio', 'ratio']]) {
    const type = lines.findIndex((l) => l.startsWith(`# TYPE ${name} `));
    assert.ok(type >= 0, `no TYPE for ${name}:\n${body}`);
    assert.equal(lines[type + 1], `# UNIT ${name} ${unit}`);
  }
  assert.doesNotMatch(body, /# UNIT x_build_info/);
  assert.equal(lines.filter((l) => l.startsWith('# UNIT')).length, 4);
  assert.ok(body.endsWith('# EOF\n'));
});

test('the Prometheus text format has no UNIT lines (it has no such comment)', async () => {
  const registry = new Registry();
  new Gauge({ name: 'y_seconds', help: 'h', registers: [registry] }).set(1);
  const { body } = await renderMetrics(registry, undefined);
  assert.doesNotMatch(body, /# UNIT/);
});

test('addUnits leaves names without a unit suffix, and units inside a name, alone', () => {
  assert.equal(addUnits('# TYPE a_seconds_total_x gauge\n'), '# TYPE a_seconds_total_x gauge\n');
  assert.equal(addUnits('# TYPE bytes gauge\n'), '# TYPE bytes gauge\n');
  assert.equal(addUnits('# HELP a_seconds x\n'), '# HELP a_seconds x\n');
});
