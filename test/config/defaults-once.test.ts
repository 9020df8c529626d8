/**
 * Every default of a suite setting is written once, in the config schema's DEFAULTS: a reader that
 * applied its own fallback (`x ?? 0.8`, a `FOO_DEFAULTS` object) would drift from it unnoticed.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../src/config/schema.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const SCHEMA = 'config/schema.ts';
// DEFAULTS itself (schema.ts re-exports it) and the load part of the schema, which reads it.
const DEFAULTS_FILE = 'config/defaults.ts';
const SCHEMA_FILES = [SCHEMA, 'config/load-schema.ts'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/** The setting names DEFAULTS knows, nested ones included (`regression.min_change` as `min_change`). */
function settingNames(obj: object): string[] {
  return Object.entries(obj).flatMap(([k, v]) => (v !== null && typeof v === 'object' ? [k, ...settingNames(v as object)] : [k]));
}

const LITERAL = String.raw`(?:-?\d[\d_.]*(?:\s*\*\*\s*\d+)?|'[^']*'|"[^"]*"|true|false)`;

test('no file in src/ but the schema writes a default for a known setting', () => {
  // `timeout`, `model` and `executor` are everyday words in src/ (an outcome, Claude's model, a
  // target): for them only a fallback on a suite's or its settings' field counts.
  const common = new Set(['timeout', 'model', 'executor']);
  const names = settingNames(DEFAULTS).filter((n) => n !== 'regression' && n !== 'retention' && !common.has(n));
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    if (SCHEMA_FILES.includes(rel) || rel === DEFAULTS_FILE) continue;
    const text = readFileSync(file, 'utf8');
    for (const name of names) {
      // `name ?? 5`, `.name ?? 5`, `name = 5` (a parameter default) and `name: 5` in an object of defaults.
      const fallback = new RegExp(String.raw`\b${name}\b\s*(?:\?\?|=(?!=)|:)\s*${LITERAL}\s*[,;)}\n]`, 'g');
      for (const m of text.matchAll(fallback)) offenders.push(`${rel}: ${m[0].trim()}`);
    }
    const ownField = new RegExp(String.raw`\b(?:suite|regression|settings|cfg|config)\??\.(?:${[...common].join('|')})\s*\?\?\s*${LITERAL}`, 'g');
    for (const m of text.matchAll(ownField)) offenders.push(`${rel}: ${m[0].trim()}`);
    for (const m of text.matchAll(/\b[A-Z_]*(?:REGRESSION|RETENTION|RATIO|SUITE|GRADUATION)_DEFAULTS\b/g)) offenders.push(`${rel}: ${m[0]}`);
  }
  assert.deepEqual(offenders, [], 'defaults belong in src/config/schema.ts DEFAULTS only');
});

test('the schema itself takes every non-empty default from DEFAULTS', () => {
  const text = SCHEMA_FILES.map((f) => readFileSync(join(SRC, f), 'utf8')).join('\n');
  const literal = [...text.matchAll(/\.default\(([^)]*)\)/g)].map((m) => m[1]!.trim()).filter((arg) => !/^(DEFAULTS\.|null$|\[\]$|\{\}$)/.test(arg));
  assert.deepEqual(literal, [], 'a .default(...) with its own value instead of DEFAULTS.<name>');
});
