/**
 * A capacity search's plot in a real headless Chromium (beside report-screenshot.test.ts): a daemon
 * runs a short search against its embedded executor, and the report and the status page, opened
 * at the plot's #fragment, draw it: the p95 red and the p50 blue of its points and lines are in
 * the plot's box (nothing else on either page at that place uses those colours). The same daemon's
 * /metrics has the search's capacity and its step gauges.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { screenshot } from '../fixtures/chromium.ts';
import type { Image } from '../fixtures/png.ts';
import { parsePromText, samples, valueOf } from '../fixtures/prom-text.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';

let dir = '';
let daemon: DaemonProcess | undefined;
let runId = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-capacity-shot-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/capacity.json', '--reports-dir', join(dir, 'reports'), '--run-on-start']);
  daemon = d;
  await d.ready;
  runId = await waitFor(async () => {
    const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
    return body.find((r) => r.status !== 'running')?.id;
  }, 'a finished run', 120_000);
});

after(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Pixels within `tol` of an RGB colour inside a box (antialiased edges are near it, not at it). */
function pixelsNear(img: Image, [r, g, b]: readonly [number, number, number], box: { left: number; top: number; width: number; height: number }, tol = 40): number {
  let n = 0;
  for (let y = box.top; y < Math.min(img.height, box.top + box.height); y++) {
    for (let x = box.left; x < Math.min(img.width, box.left + box.width); x++) {
      const i = (y * img.width + x) * 4;
      if (Math.abs((img.rgba[i] ?? 0) - r) <= tol && Math.abs((img.rgba[i + 1] ?? 0) - g) <= tol && Math.abs((img.rgba[i + 2] ?? 0) - b) <= tol) n++;
    }
  }
  return n;
}

const RED: [number, number, number] = [0xdc, 0x26, 0x26];
const BLUE: [number, number, number] = [0x25, 0x63, 0xeb];
// Scrolled to the figure, the plot (at most 640 × 240 CSS px) is in the top left of the window.
const BOX = { left: 0, top: 0, width: 720, height: 320 };

test('the report draws the capacity plot of the search it reports', async (t) => {
  const url = daemon?.url ?? assert.fail('no daemon');
  const run = (await getJson<{ tests: { load?: { search?: { steps: unknown[]; held: number; slo?: { first_output_p95_s: number } } } }[] }>(`${url}/api/runs/${runId}`)).body;
  const search = run.tests[0]?.load?.search ?? assert.fail(`no search in ${JSON.stringify(run).slice(0, 400)}`);
  // The objectives the steps were judged against are kept in the result, from the config.
  assert.equal(search.slo?.first_output_p95_s, 5);
  const html = await (await fetch(`${url}/api/runs/${runId}/report.html`)).text();
  const svg = /<svg class="chart capacity-plot"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? assert.fail('no capacity plot in the report');
  assert.equal((svg.match(/<g class="step /g) ?? []).length, search.steps.length);
  assert.match(svg, /<g class="knee">/);
  assert.match(svg, /<g class="slo"><title>objective: first output p95 at most 5 s<\/title>/);
  const chromium = requireTool('chromium');
  if (!chromium) return t.skip(skipReason('chromium'));
  const shot = await screenshot(chromium, `${url}/api/runs/${runId}/report.html#capacity-cap`, 1000, 800);
  const red = pixelsNear(shot, RED, BOX);
  const blue = pixelsNear(shot, BLUE, BOX);
  // The p95 line, 2 px wide across hundreds of px, is hundreds of pixels; the p50 points sit on it
  // (a short command's p50 and p95 are close), each a few dozen blue pixels.
  assert.ok(red > 150 && blue > 40, `the plot's box drew ${red} red and ${blue} blue pixels`);
  // The method sees nothing where there is no plot: the same page at its top (the summary).
  const top = await screenshot(chromium, `${url}/api/runs/${runId}/report.html`, 1000, 800);
  assert.ok(pixelsNear(top, RED, BOX) < 20, 'red at the top of the report: the count does not tell the plot');
});

test('the status page draws the same plot in its per-test view', async (t) => {
  const url = daemon?.url ?? assert.fail('no daemon');
  const page = await (await fetch(`${url}/`)).text();
  assert.match(page, /<figure class="capacity" id="capacity-cap"><svg class="chart capacity-plot"/);
  const chromium = requireTool('chromium');
  if (!chromium) return t.skip(skipReason('chromium'));
  const shot = await screenshot(chromium, `${url}/#capacity-cap`, 1100, 800);
  const box = { ...BOX, width: 1100 };
  const red = pixelsNear(shot, RED, box);
  const blue = pixelsNear(shot, BLUE, box);
  assert.ok(red > 150 && blue > 40, `the per-test view's plot drew ${red} red and ${blue} blue pixels`);
});

test("the daemon's /metrics has the search's capacity and one step series per level it tried", async () => {
  const url = daemon?.url ?? assert.fail('no daemon');
  const run = (await getJson<{ tests: { load?: { search?: { steps: { sessions: number; held: boolean }[]; held: number } } }[] }>(`${url}/api/runs/${runId}`)).body;
  const search = run.tests[0]?.load?.search ?? assert.fail('no search');
  const exp = parsePromText(await (await fetch(`${url}/metrics`)).text());
  const L = { suite: 'daemon_capacity', test: 'cap' };
  assert.equal(valueOf(exp, 'stressd_test_capacity_sessions', L), search.held);
  const held = samples(exp, 'stressd_test_capacity_step_held', L);
  assert.deepEqual(held.map((s) => `${s.labels.level}:${s.value}`).sort(), search.steps.map((s) => `${s.sessions}:${s.held ? 1 : 0}`).sort());
  assert.equal(samples(exp, 'stressd_test_capacity_step_error_ratio', L).length, search.steps.length);
});
