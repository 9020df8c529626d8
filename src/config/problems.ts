/** Turns zod issues into ConfigProblems and finds unknown keys (warnings), both against the raw document. */
import type { z } from 'zod';
import type { ConfigProblem } from './errors.ts';
import { CategorySchema, ConfigSchema, GraduationSchema, RetentionSchema, TestSchema, jsonPath } from './schema.ts';

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, file: string): ConfigProblem[] {
  return issues.map((issue) => ({
    file,
    path: jsonPath(issue.path),
    expected: issue.message,
    found: describeFound(valueAt(raw, issue.path)),
  }));
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** A short, single-line rendering of what the file holds: enough to recognise it, never the whole document. */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : `an array of ${value.length}`;
  if (typeof value === 'object') return Object.keys(value).length === 0 ? 'an empty object' : 'an object';
  return typeof value;
}

const known = {
  root: new Set(Object.keys(ConfigSchema.shape)),
  test: new Set(Object.keys(TestSchema.shape)),
  category: new Set(Object.keys(CategorySchema.shape)),
  graduation: new Set(Object.keys(GraduationSchema.shape)),
  retention: new Set(Object.keys(RetentionSchema.shape)),
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** One warning per key the schema does not know, naming file and JSON path. */
export function unknownKeyWarnings(raw: unknown, file: string): string[] {
  const out: string[] = [];
  const check = (obj: unknown, allowed: Set<string>, path: (string | number)[]) => {
    if (!isObject(obj)) return;
    for (const key of Object.keys(obj)) {
      if (!allowed.has(key)) out.push(`${file}: ${jsonPath([...path, key])}: unknown key, ignored`);
    }
  };
  const checkTests = (tests: unknown, path: (string | number)[]) => {
    if (Array.isArray(tests)) tests.forEach((t, i) => check(t, known.test, [...path, i]));
  };
  check(raw, known.root, []);
  if (!isObject(raw)) return out;
  checkTests(raw.tests, ['tests']);
  check(raw.graduation, known.graduation, ['graduation']);
  check(raw.retention, known.retention, ['retention']);
  if (isObject(raw.categories)) {
    for (const [name, cat] of Object.entries(raw.categories)) {
      check(cat, known.category, ['categories', name]);
      if (isObject(cat)) checkTests(cat.tests, ['categories', name, 'tests']);
    }
  }
  return out;
}
