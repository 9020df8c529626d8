/**
 * `stressd run --only`: narrow a suite to some of its tests, by test id or by category (the
 * original runner took a list of categories), to reproduce one failure without the whole suite.
 */
import type { Suite } from './types.ts';

/** The suite with only the named tests, in config order; a string says what was not found. */
export function selectTests(suite: Suite, names: readonly string[]): Suite | string {
  const wanted = new Set(names);
  const unknown = [...wanted].filter((n) => !suite.tests.some((t) => t.id === n || t.category === n));
  if (unknown.length > 0) {
    const categories = [...new Set(suite.tests.map((t) => t.category).filter((c): c is string => c !== null))];
    const known = [...suite.tests.map((t) => t.id), ...categories.map((c) => `${c} (category)`)];
    return `--only: no test or category named ${unknown.map((n) => JSON.stringify(n)).join(', ')} in suite ${suite.suite}; known: ${known.join(', ')}`;
  }
  const tests = suite.tests.filter((t) => wanted.has(t.id) || (t.category !== null && wanted.has(t.category)));
  return Object.freeze({ ...suite, tests: Object.freeze(tests) });
}
