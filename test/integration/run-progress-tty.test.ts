/**
 * `stressd run` on a real terminal: util-linux's `script` gives it a pseudo-terminal, so this is
 * what a person at a shell sees — one line per test, rewritten in place as the test streams.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findTool } from '../fixtures/tools.ts';

const script = findTool('script');

test('on a TTY each test has one line, updated in place with elapsed, bytes, lines and rate', { skip: script ? false : 'util-linux script is not installed' }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stressd-tty-'));
  try {
    const cfg = join(dir, 'suite.json');
    await writeFile(cfg, JSON.stringify({
      suite: 'tty', timeout: 20, pause_between_tests: 0,
      tests: [{ id: 'slow', name: 'Slow', command: 'for i in 1 2 3 4 5 6; do echo line $i; sleep 0.4; done', expected_patterns: ['line 6'] }],
    }));
    const cmd = `${process.execPath} --import tsx src/cli.ts run --config ${cfg} --reports-dir ${join(dir, 'reports')}`;
    const child = spawn(script ?? 'script', ['-qfec', cmd, '/dev/null'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no exit within 60 s: ${out}`)); }, 60_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 0, out);
    // The test's line: started, then at least one progress update, then its verdict — all on one
    // terminal line (carriage return + erase line), with no newline between them.
    const testLine = out.split('\n').find((l) => l.includes('[1/1] slow started'));
    assert.ok(testLine, out);
    const updates = testLine.split('\r\x1b[2K').filter((s) => s.trim() !== '');
    assert.ok(updates.length >= 3, `expected started, progress and verdict on one line, got ${JSON.stringify(updates)}`);
    assert.ok(updates.some((u) => /\[1\/1\] slow \d+\.\d s, \d+ B, \d+ lines, \d+ B\/s/.test(u)), JSON.stringify(updates));
    assert.match(updates.at(-1) ?? '', /\[1\/1\] slow PASSED in \d+\.\d s, 42 B, 6 lines, patterns 1\/1/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
