/**
 * The report and the status page in a real headless Chromium with no emoji font: every character
 * they show has a glyph (none is drawn as the empty box of a missing glyph), a test's "report" link
 * on the page goes to that test's own section, and the report opened at that #fragment is drawn.
 *
 * A missing glyph is found by its picture: each character is drawn alone in a cell, and a cell
 * identical to the cell of a code point no font has (U+10FFFD) is a box.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunSummary } from '../../src/web/http.ts';
import { getJson, spawnDaemon, waitFor, type DaemonProcess } from '../fixtures/daemon/spawn-daemon.ts';
import { screenshot } from '../fixtures/chromium.ts';
import { inkedPixels, region } from '../fixtures/png.ts';
import { requireTool, skipReason } from '../fixtures/tools.ts';

const CELL = 64;
const PER_ROW = 10;
const NO_GLYPH = '\u{10FFFD}';
const ALSO_NO_GLYPH = '\u{10FFFC}';

let dir = '';
let daemon: DaemonProcess | undefined;
let runId = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stressd-screenshot-'));
  const d = spawnDaemon(['--config', 'test/fixtures/daemon/quick.json', '--reports-dir', join(dir, 'reports'), '--run-on-start']);
  daemon = d;
  await d.ready;
  runId = await waitFor(async () => {
    const { body } = await getJson<RunSummary[]>(`${d.url}/api/runs`);
    return body.find((r) => r.status !== 'running')?.id;
  }, 'a finished run', 60_000);
});

after(async () => {
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The text a page shows: tags dropped, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<(style|script|title)[^>]*>[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&(lt|gt|amp|quot|apos|nbsp);/g, (_, name: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ' })[name] ?? '');
}

/** Characters beyond ASCII that draw something (marks, format characters and spaces draw nothing). */
function drawnCharacters(text: string): string[] {
  return [...new Set([...text].filter((c) => c.codePointAt(0)! > 0x7e && /[\p{L}\p{N}\p{P}\p{S}]/u.test(c)))].sort();
}

function glyphPage(chars: readonly string[]): string {
  const cells = chars.map((c, i) => {
    const [x, y] = [(i % PER_ROW) * CELL, Math.floor(i / PER_ROW) * CELL];
    return `<div style="position:absolute;left:${x}px;top:${y}px;width:${CELL}px;height:${CELL}px;overflow:hidden;text-align:center;line-height:${CELL}px">${c}</div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;font:40px system-ui,sans-serif;background:#fff;color:#000}</style></head><body>${cells.join('')}</body></html>`;
}

test('every character of the report and the status page has a glyph without an emoji font', async (t) => {
  const chromium = requireTool('chromium');
  if (!chromium) return t.skip(skipReason('chromium'));
  const url = daemon?.url ?? assert.fail('no daemon');
  const report = await (await fetch(`${url}/api/runs/${runId}/report.html`)).text();
  const page = await (await fetch(`${url}/`)).text();
  const shown = drawnCharacters(visibleText(report) + visibleText(page));
  const chars = [NO_GLYPH, ALSO_NO_GLYPH, 'A', ...shown];
  const file = join(dir, 'glyphs.html');
  await writeFile(file, glyphPage(chars));
  const rows = Math.ceil(chars.length / PER_ROW);
  // Headless Chromium draws less than --window-size's height (the rest is window, not viewport): room to spare.
  const shot = await screenshot(chromium, pathToFileURL(file).href, PER_ROW * CELL, rows * CELL + 200);
  const cell = (i: number): string => region(shot, (i % PER_ROW) * CELL, Math.floor(i / PER_ROW) * CELL, CELL, CELL);
  const box = cell(0);
  // The method itself: two code points without a glyph draw the same box, a letter does not.
  assert.equal(cell(1), box, 'two missing glyphs drew differently: the comparison would see nothing');
  assert.notEqual(cell(2), box);
  const boxes = shown.filter((_, i) => cell(i + 3) === box).map((c) => `${c} (U+${c.codePointAt(0)!.toString(16).toUpperCase()})`);
  assert.deepEqual(boxes, [], `drawn as an empty box: ${boxes.join(', ')}`);
  assert.ok(shown.length > 0, 'the pages show some characters beyond ASCII (an arrow, a dash): the check checked something');
});

test("a test's report link goes to its own section, and the report at that #fragment is drawn", async (t) => {
  const chromium = requireTool('chromium');
  if (!chromium) return t.skip(skipReason('chromium'));
  const url = daemon?.url ?? assert.fail('no daemon');
  const page = await (await fetch(`${url}/`)).text();
  const row = /<tr id="test-lines">[\s\S]*?<\/tr>/.exec(page)?.[0] ?? assert.fail('no row for the test "lines"');
  const href = /<a href="([^"]+)">report<\/a>/.exec(row)?.[1] ?? assert.fail(`no report link in ${row}`);
  assert.equal(href, `/api/runs/${runId}/report.html#test-lines`);
  const report = await (await fetch(`${url}${href.replace(/#.*/, '')}`)).text();
  assert.match(report, /<a id="test-lines"><\/a>\s*<h3[^>]*>2\. FAILED: Three lines/);
  const shot = await screenshot(chromium, `${url}${href}`, 1000, 800);
  // A blank page is all white; the section's heading and table put thousands of pixels of ink.
  assert.ok(inkedPixels(shot) > 2000, `the report at #test-lines drew ${inkedPixels(shot)} inked pixels`);
});
