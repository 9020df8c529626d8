import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResourceSampler } from '../../src/runner/sampler.ts';

const SLEEPERS = fileURLToPath(new URL('../fixtures/runner/forked-sleepers.py', import.meta.url));

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = once(child, 'exit');
  try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
  await exited;
}

function childNames(pid: number): string[] {
  const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ').filter(Boolean);
  return kids.map((kid) => {
    try {
      return readFileSync(`/proc/${kid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a forked tree is measured by PSS: shared pages count once, the RSS sum stands beside it', async () => {
  // 8 children of a parent holding 24 MiB: the RSS sum is ~9 × 24 MiB, the PSS ~24 MiB.
  const child = spawn('python3', [SLEEPERS, '24', '8', '30'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  try {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => (out += b.toString()));
    await until('the children to fork', () => out.includes('ready'));
    const s = new ResourceSampler({ intervalMs: 10_000, localPid: process.pid });
    s.setRoot(child.pid ?? -1);
    const peaks = await s.stop();
    assert.equal(peaks.measured, true, JSON.stringify(peaks));
    if (!peaks.measured) return;
    assert.equal(peaks.memory_method, 'pss');
    const MiB = 1024 * 1024;
    assert.ok(peaks.peak_memory_bytes > 24 * MiB && peaks.peak_memory_bytes < 48 * MiB, `PSS ${peaks.peak_memory_bytes / MiB} MiB`);
    assert.ok((peaks.peak_rss_sum_bytes ?? 0) > 9 * 20 * MiB, `RSS sum ${(peaks.peak_rss_sum_bytes ?? 0) / MiB} MiB`);
  } finally {
    await stopGroup(child);
  }
});

test('the first sample is taken the moment the pid is known, then every 100 ms before the suite interval', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore', detached: true });
  try {
    const s = new ResourceSampler({ intervalMs: 60_000, localPid: process.pid });
    s.setRoot(child.pid ?? -1);
    const first = s.peaks();
    assert.equal(first.measured && first.samples, 1, JSON.stringify(first));
    assert.ok(first.measured && first.peak_memory_bytes > 0);
    // One reading has no CPU rate: null with the reason, never 0.
    assert.ok(first.measured && first.peak_cpu_ratio === null && typeof first.cpu_why === 'string', JSON.stringify(first));
    // With a 60 s interval, only the fast schedule can bring more readings within the deadline.
    await until('four more samples', () => {
      const p = s.peaks();
      return p.measured && p.samples >= 5;
    }, 5000);
    const later = await s.stop();
    assert.ok(later.measured && later.peak_cpu_ratio !== null, JSON.stringify(later));
  } finally {
    await stopGroup(child);
  }
});

test('CPU comes from cumulative ticks: a child reaped between samples still counts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stressd-cpu-'));
  const report = join(dir, 'cpu');
  // The child burns 0.4 s of CPU and writes what it used; the shell reaps it and lives on, so
  // the child's CPU is in the shell's cutime+cstime. A 60 s interval after the fast schedule.
  const burn = `let x=0;while(process.cpuUsage().user<4e5){for(let i=0;i<1e6;i++)x+=i;}const u=process.cpuUsage();require('fs').writeFileSync(process.argv[1],String((u.user+u.system)/1e6))`;
  const child = spawn('/bin/sh', ['-c', `${process.execPath} -e "${burn}" ${report}; sleep 30`], { stdio: 'ignore', detached: true });
  try {
    const s = new ResourceSampler({ intervalMs: 60_000, localPid: process.pid });
    s.setRoot(child.pid ?? -1);
    let used = 0;
    await until('the child to report', () => {
      try {
        used = Number(readFileSync(report, 'utf8'));
        return used > 0;
      } catch {
        return false;
      }
    }, 60_000);
    await until('the shell to reap it and start sleep', () => childNames(child.pid ?? -1).join() === 'sleep');
    const peaks = await s.stop();
    assert.equal(peaks.measured, true);
    if (!peaks.measured) return;
    const seconds = peaks.cpu_seconds ?? 0;
    // Ticks are 10 ms; the child's own start-up before its first cpuUsage() is in the ticks too.
    assert.ok(seconds >= used - 0.03 && seconds <= used + 0.15, `sampler ${seconds} s, the child said ${used} s`);
  } finally {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
  }
});
