/**
 * The architecture as the code has it: no import of one part by another that the whiteboard forbids
 * (its `never` list, copied into test/fixtures/architecture/whiteboard.json with the store at
 * src/store/), and no file in src/ over 300 lines. Files outside every part (src/logger.ts, ...)
 * are shared helpers and not checked.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const board = JSON.parse(readFileSync(join(REPO, 'test/fixtures/architecture/whiteboard.json'), 'utf8')) as {
  parts: Record<string, string[]>;
  never: [string, string, string][];
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** The part a repo-relative path belongs to: the longest matching entry wins. */
function partOf(path: string): string | null {
  let best: { part: string; length: number } | null = null;
  for (const [part, entries] of Object.entries(board.parts)) {
    for (const entry of entries) {
      const hit = entry.endsWith('/') ? path.startsWith(entry) : path === entry;
      if (hit && (best === null || entry.length > best.length)) best = { part, length: entry.length };
    }
  }
  return best?.part ?? null;
}

const FILES = sources(join(REPO, 'src'));

test('no import runs against the whiteboard', () => {
  const forbidden = new Map(board.never.map(([from, to, why]) => [`${from}->${to}`, why]));
  const found: string[] = [];
  for (const file of FILES) {
    const from = relative(REPO, file);
    const fromPart = partOf(from);
    if (fromPart === null) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const to = relative(REPO, resolve(dirname(file), m[1]!));
      const toPart = partOf(to);
      const why = toPart === null ? undefined : forbidden.get(`${fromPart}->${toPart}`);
      if (why !== undefined) found.push(`${from} imports ${to} (${fromPart} -> ${toPart}: ${why})`);
    }
  }
  assert.deepEqual(found, []);
});

test('no file in src/ is over 300 lines', () => {
  const long = FILES.map((f) => ({ f: relative(REPO, f), n: readFileSync(f, 'utf8').split('\n').length - 1 })).filter((x) => x.n > 300);
  assert.deepEqual(long.map((x) => `${x.f}: ${x.n} lines`), []);
});
