/**
 * The Prometheus side of the operations bundle, checked by Prometheus' own promtool: the config
 * and rule files load, and every alert and recording rule passes its unit tests.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { repoRoot, ruleFiles, rulesDir } from './ops-files.ts';

const promtool = requireTool('promtool');
const skip = promtool === undefined ? skipReason('promtool') : false;

interface Outcome {
  code: number;
  output: string;
}

function run(args: string[], cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(promtool ?? 'promtool', args, { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

test('promtool accepts prometheus/prometheus.yml and the rule files it loads', { skip }, async () => {
  const result = await run(['check', 'config', 'prometheus.yml'], join(repoRoot, 'prometheus'));
  assert.equal(result.code, 0, result.output);
  assert.match(result.output, /SUCCESS: 2 rule files found/, 'prometheus.yml should load both *.rules.yml files');
});

test('promtool accepts every rule file', { skip }, async () => {
  const files = ruleFiles();
  assert.ok(files.length > 0, 'no prometheus/rules/*.rules.yml');
  const result = await run(['check', 'rules', ...files], rulesDir);
  assert.equal(result.code, 0, result.output);
});

test('every alert and recording rule passes its promtool unit tests', { skip }, async () => {
  const tests = readdirSync(rulesDir).filter((name) => name.endsWith('.test.yml')).sort();
  for (const name of ['stressd-alerts.test.yml', 'stressd-recording.test.yml']) assert.ok(tests.includes(name), `${name} is missing`);
  const result = await run(['test', 'rules', ...tests], rulesDir);
  assert.equal(result.code, 0, result.output);
});
