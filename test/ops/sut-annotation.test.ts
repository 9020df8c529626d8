/**
 * The overview dashboard's "System under test changed" annotation, evaluated by promtool against
 * stressd_sut_info series as the daemon exports them: one series per suite, replaced when the
 * Claude model (or its version, or the executor) changes. The annotation fires where the new
 * series appears, for the suite it belongs to, and not while nothing changes.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { isObject, loadDashboards, substitute } from './ops-files.ts';

const promtool = requireTool('promtool');
const skip = promtool === undefined ? skipReason('promtool') : false;
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function annotationExpr(): string {
  const overview = loadDashboards().find((d) => d.file === 'stressd-overview.json');
  assert.ok(overview, 'the overview dashboard');
  const annotations = overview.json.annotations;
  const list = isObject(annotations) && Array.isArray(annotations.list) ? annotations.list : [];
  const sut = list.find((a) => isObject(a) && a.name === 'System under test changed');
  assert.ok(isObject(sut) && typeof sut.expr === 'string', 'the annotation "System under test changed" with an expr');
  return substitute(sut.expr);
}

const common = 'instance="stressd:9464",job="stressd",suite="demo",version="2.0.14",claude_version="2.0.14",executor="stressd-executor",executor_version="0.1.0"';

test('the annotation marks the minutes after the Claude model changed, and nothing before or after', { skip }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-sut-annotation-'));
  dirs.push(dir);
  const expr = annotationExpr();
  const changed = { suite: 'demo', model: 'claude-opus-4-1', claude_version: '2.0.14', executor: 'stressd-executor', executor_version: '0.1.0' };
  const spec = {
    rule_files: [],
    evaluation_interval: '1m',
    tests: [{
      interval: '1m',
      input_series: [
        // The old model's series until minute 10, then gone (the daemon removes it); the new one from minute 11.
        { series: `stressd_sut_info{${common},model="claude-sonnet-4-5"}`, values: '1x10 stale' },
        { series: `stressd_sut_info{${common},model="claude-opus-4-1"}`, values: '_x11 1x10' },
        // Another suite that never changes: never annotated.
        { series: `stressd_sut_info{${common.replace('suite="demo"', 'suite="other"')},model="claude-sonnet-4-5"}`, values: '1x21' },
      ],
      promql_expr_test: [
        { expr, eval_time: '8m', exp_samples: [] },
        { expr, eval_time: '11m', exp_samples: [{ labels: labelsText(changed), value: 1 }] },
        { expr, eval_time: '12m', exp_samples: [{ labels: labelsText(changed), value: 1 }] },
        { expr, eval_time: '14m', exp_samples: [] },
        { expr, eval_time: '20m', exp_samples: [] },
      ],
    }],
  };
  await writeFile(join(dir, 'sut.test.yml'), stringify(spec));
  const out = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(promtool ?? 'promtool', ['test', 'rules', 'sut.test.yml'], { cwd: dir, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, output: `${stdout}${stderr}` });
    });
  });
  assert.equal(out.code, 0, `${out.output}\nexpr: ${expr}`);
});

function labelsText(labels: Record<string, string>): string {
  return `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}
