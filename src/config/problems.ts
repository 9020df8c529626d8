/** Turns zod issues into ConfigProblems and finds unknown keys (errors, with the nearest known key), both against the raw document. */
import type { z } from 'zod';
import type { ConfigProblem } from './errors.ts';
import type { TextPosition } from './json-locate.ts';
import { ConfigSchema, jsonPath } from './schema.ts';
import { closestName } from './suggest.ts';

/** Where a path is in the file, when the file's text is known. */
export type Locate = (path: readonly PropertyKey[]) => TextPosition;

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, file: string, locate?: Locate): ConfigProblem[] {
  return issues.map((issue) => ({
    file,
    ...locate?.(issue.path),
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

/** The part of zod's schema definition the walk reads (zod 4's `_zod.def`). */
interface SchemaDef {
  type: string;
  shape?: Record<string, Walkable>;
  innerType?: Walkable;
  element?: Walkable;
  valueType?: Walkable;
  options?: readonly Walkable[];
  in?: Walkable;
}
interface Walkable {
  _zod: { def: SchemaDef };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The object shapes a schema accepts at this point (through optional, default, union, pipe…). */
function shapesOf(schema: Walkable): Record<string, Walkable>[] {
  const def = schema._zod.def;
  if (def.type === 'object' && def.shape) return [def.shape];
  const inner = def.innerType ?? def.in;
  if (inner) return shapesOf(inner);
  if (def.options) return def.options.flatMap(shapesOf);
  return [];
}

function walk(raw: unknown, schema: Walkable, path: (string | number)[], out: (string | number)[][], shapes: Map<string, string[]>): void {
  const def = schema._zod.def;
  if (def.innerType ?? def.in) return walk(raw, (def.innerType ?? def.in) as Walkable, path, out, shapes);
  if (def.type === 'array' && def.element && Array.isArray(raw)) {
    raw.forEach((item, i) => walk(item, def.element as Walkable, [...path, i], out, shapes));
    return;
  }
  if (def.type === 'record' && def.valueType && isObject(raw)) {
    for (const [key, value] of Object.entries(raw)) walk(value, def.valueType, [...path, key], out, shapes);
    return;
  }
  const objects = shapesOf(schema);
  if (objects.length === 0 || !isObject(raw)) return;
  const known = new Map(objects.flatMap((shape) => Object.entries(shape)));
  for (const [key, value] of Object.entries(raw)) {
    const child = known.get(key);
    if (child) walk(value, child, [...path, key], out, shapes);
    else {
      out.push([...path, key]);
      shapes.set(jsonPath([...path, key]), [...known.keys()]);
    }
  }
}

/** One problem per key the schema does not know (it would be ignored, so a typo could never fail), with the nearest known key. */
export function unknownKeyProblems(raw: unknown, file: string, locate?: Locate): ConfigProblem[] {
  const found: (string | number)[][] = [];
  const siblings = new Map<string, string[]>();
  walk(raw, ConfigSchema as unknown as Walkable, [], found, siblings);
  return found.map((path) => {
    const key = String(path[path.length - 1]);
    const known = siblings.get(jsonPath(path)) ?? [];
    const near = closestName(key, known);
    return {
      file,
      ...locate?.(path),
      path: jsonPath(path),
      expected: near === null ? `one of the keys ${known.join(', ')}` : `\`${near}\``,
      found: JSON.stringify(key),
      message: near === null ? `unknown key; the keys here are ${known.map((k) => `\`${k}\``).join(', ')}` : `unknown key; did you mean \`${near}\`?`,
    };
  });
}
