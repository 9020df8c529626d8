/**
 * The compose stack run for real: a private dockerd, the images built here from debootstrap,
 * Debian's packages and the npm registry (none pulled), and the shipped docker-compose.yml,
 * prometheus.yml, alert rules and alertmanager.yml on loopback ports. stressd runs a suite that
 * does not graduate; Prometheus scrapes it, its rules fire StressdRunNotGraduated, Alertmanager
 * delivers it to the stack's webhook receiver. Grafana, the collector and Jaeger are left out
 * (no image can be built for them here). Skipped with a message where dockerd cannot start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, startDockerd, writeStack, type Dockerd, type StackPorts } from '../fixtures/ops/compose-stack.ts';
import { freePort, waitFor } from '../fixtures/ops/processes.ts';
import { findTool } from '../fixtures/tools.ts';
import { repoRoot } from '../ops/ops-files.ts';

/** Images and the debootstrap tarball outlive the test: a second run only rebuilds stressd. */
const CACHE = process.env.STRESSD_STACK_CACHE ?? '/var/cache/stressd-test';

function skipWhy(): string | false {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'the compose stack test needs root on Linux to start dockerd; skipped';
  for (const tool of ['dockerd', 'docker', 'docker-compose', 'debootstrap']) {
    if (findTool(tool) === undefined) return `${tool} is not on PATH (apt-get install docker.io docker-compose debootstrap); skipped`;
  }
  return false;
}

const SUITE = JSON.stringify({
  suite: 'compose_check',
  description: 'One test that fails on purpose, so the run does not graduate and its alert fires.',
  executor: 'embedded',
  schedule: '0 3 * * *',
  pause_between_tests: 0,
  timeout: 30,
  tests: [{ id: 'missing_pattern', name: 'Fails on purpose', command: 'echo alpha', expected_patterns: ['alpha', 'omega'] }],
});

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  return response.ok ? ((await response.json()) as unknown) : undefined;
}

test("the compose stack runs: the target is up and a failing run's alert reaches the webhook", { skip: skipWhy(), timeout: 30 * 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-stack-'));
  await mkdir(CACHE, { recursive: true });
  let dockerd: Dockerd;
  try {
    dockerd = await startDockerd(dir, join(CACHE, 'docker'));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (process.env.CI === undefined) return t.skip(`dockerd cannot start here: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
    throw err;
  }
  const project = `stressd-stack-${process.pid}`;
  const compose = (file: string, args: string[], timeoutMs = 300_000): ReturnType<typeof run> =>
    run('docker-compose', ['-p', project, '-f', file, ...args], dockerd.env, timeoutMs);
  let file: string | undefined;
  try {
    const images = await run('bash', [join(repoRoot, 'test/fixtures/ops/stack-images.sh'), repoRoot, CACHE], dockerd.env, 20 * 60_000);
    assert.equal(images.code, 0, `building the images failed:\n${images.stderr.slice(-4000)}`);

    const shipped = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { ...dockerd.env, STRESSD_TOKEN: 'compose-test-token', GRAFANA_ADMIN_PASSWORD: 'unused' }, 60_000);
    assert.equal(shipped.code, 0, shipped.stderr);
    const ports: StackPorts = { stressd: await freePort(), prometheus: await freePort(), alertmanager: await freePort(), webhook: await freePort() };
    file = await writeStack(dir, shipped.stdout, ports, SUITE);

    const up = await compose(file, ['up', '-d']);
    assert.equal(up.code, 0, `docker-compose up failed:\n${up.stderr}`);

    await waitFor('Prometheus to scrape stressd (target up)', 180_000, async () => {
      const body = await getJson(`http://127.0.0.1:${ports.prometheus}/api/v1/targets?state=active`);
      const targets = (body as { data?: { activeTargets?: { labels?: { job?: string }; health?: string }[] } } | undefined)?.data?.activeTargets ?? [];
      return targets.some((target) => target.labels?.job === 'stressd' && target.health === 'up') ? true : undefined;
    });

    // 1 m `for`, 15 s evaluations and Alertmanager's 30 s group_wait, as shipped.
    const delivered = await waitFor('StressdRunNotGraduated to reach the webhook', 360_000, async () => {
      const logs = await compose(file!, ['logs', '--no-color', 'alert-webhook'], 30_000);
      const line = logs.stdout.split('\n').find((l) => l.includes('"StressdRunNotGraduated"') && l.includes('"firing"'));
      return line;
    });
    const notification = JSON.parse(delivered.slice(delivered.indexOf('{'))) as { status: string; alerts: { labels: Record<string, string> }[] };
    assert.equal(notification.status, 'firing');
    assert.ok(notification.alerts.some((a) => a.labels.suite === 'compose_check' && a.labels.job === 'stressd'), delivered);
  } finally {
    if (file !== undefined) {
      const down = await compose(file, ['down', '-v', '--remove-orphans'], 120_000);
      if (down.code !== 0) t.diagnostic(`docker-compose down: ${down.stderr}`);
    }
    await dockerd.stop();
    await rm(dir, { recursive: true, force: true }).catch((err: unknown) => t.diagnostic(`left ${dir}: ${String(err)}`));
  }
});
