/**
 * prometheus/alertmanager.yml, checked by Alertmanager's amtool (Debian's prometheus-alertmanager
 * package, which CI installs).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireTool, skipReason } from '../fixtures/tools.ts';
import { repoRoot } from './ops-files.ts';

const amtool = requireTool('amtool');
const skip = amtool === undefined ? skipReason('amtool') : false;
const config = join(repoRoot, 'prometheus', 'alertmanager.yml');

function run(args: string[]): Promise<{ code: number; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(amtool ?? 'amtool', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, output: `${stdout}${stderr}` });
    });
  });
}

test('amtool accepts prometheus/alertmanager.yml', { skip }, async () => {
  const result = await run(['check-config', config]);
  assert.equal(result.code, 0, result.output);
});

test('alerts of every severity reach a receiver', { skip }, async () => {
  for (const severity of ['critical', 'warning', 'info']) {
    const result = await run(['config', 'routes', 'test', `--config.file=${config}`, `severity=${severity}`, 'alertname=StressdRunNotGraduated', 'suite=demo']);
    assert.equal(result.code, 0, result.output);
    // amtool warns on stderr that --config.file wins over --alertmanager.url; the route is stdout.
    assert.equal(result.stdout.trim(), 'default', `severity=${severity} routed to ${result.output.trim()}`);
  }
});
