/**
 * The Dockerfile cannot be built here (no docker engine), so what would break the image is
 * checked from the files: a build stage compiles src/ and prunes to production dependencies,
 * which cover everything the sources import; the image keeps only the compiled app and runs it
 * with plain node as a non-root user with a health check; no token is baked in; and what the
 * image copies and runs exists in the build context.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dockerignore, execForm, imageEnv, readInstructions, type Instruction } from '../fixtures/ops/dockerfile.ts';
import { repoRoot } from './ops-files.ts';

const instructions = readInstructions(join(repoRoot, 'Dockerfile'));
const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') || entry.name.endsWith('.js') ? [path] : [];
  });
}

/** Packages a module needs at run time: value imports and re-exports, not `import type`. */
function runtimeImports(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm)) {
    if (match[1] === undefined) specifiers.push(match[2] ?? '');
  }
  for (const match of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specifiers.push(match[1] ?? '');
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] ?? s)));
}

const stages = instructions.reduce<Instruction[][]>((acc, i) => (i.keyword === 'FROM' ? [...acc, [i]] : (acc.at(-1)?.push(i), acc)), []);

test('a build stage compiles the app and prunes to production dependencies; the image copies only its result', () => {
  assert.ok(stages.length >= 2, 'not a multi-stage build');
  const [build, image] = [stages[0] ?? [], stages.at(-1) ?? []];
  assert.match(build[0]?.args ?? '', / AS build$/i);
  const runs = build.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
  assert.match(runs, /npm ci\b/);
  assert.match(runs, /npm run build/);
  assert.match(runs, /npm prune --omit=dev/);
  const copied = image.filter((i) => i.keyword === 'COPY').map((i) => i.args);
  assert.ok(copied.includes('--from=build /app/dist ./dist'), copied.join('\n'));
  assert.ok(copied.includes('--from=build /app/node_modules ./node_modules'), copied.join('\n'));
  assert.ok(!copied.some((c) => /\bsrc\b/.test(c)), 'the image needs no TypeScript sources');
  assert.ok(!image.some((i) => i.keyword === 'RUN' && /npm (ci|install)/.test(i.args)), 'the image installs nothing itself');
});

test('production dependencies cover every runtime import of src/ and bin/; tsx is not one', () => {
  const missing = new Set<string>();
  for (const file of [...sourceFiles(join(repoRoot, 'src')), ...sourceFiles(join(repoRoot, 'bin'))]) {
    for (const name of runtimeImports(readFileSync(file, 'utf8'))) {
      if (!(name in pkg.dependencies)) missing.add(`${name} (${relative(repoRoot, file)})`);
    }
  }
  assert.deepEqual([...missing], [], 'imported at run time but only a devDependency (or not declared)');
  assert.ok(!('tsx' in pkg.dependencies), 'tsx is a development tool: the image runs compiled JavaScript');
});

test('the import scan sees value imports and ignores type-only ones', () => {
  const text = "import { a } from 'alpha';\nimport type { B } from 'beta';\nimport {\n  c,\n} from '@scope/gamma/sub';\nconst d = await import('delta');\nimport './local.ts';\n";
  assert.deepEqual(runtimeImports(text).sort(), ['@scope/gamma', 'alpha', 'delta']);
});

test('the daemon runs as a non-root user, with a health check on /healthz', () => {
  const user = last('USER');
  assert.ok(user, 'no USER: the daemon would run as root');
  assert.ok(!['root', '0'].includes(user.args.split(':')[0] ?? ''), `USER ${user.args}`);
  const healthcheck = last('HEALTHCHECK');
  assert.ok(healthcheck, 'no HEALTHCHECK');
  assert.match(healthcheck.args, /\/healthz/);
  assert.match(healthcheck.args, /--interval=\d+s/);
});

test('the image listens beyond loopback but carries no token: one must be given at run time', () => {
  const env = imageEnv(instructions);
  assert.equal(env.STRESSD_HOST, '0.0.0.0');
  assert.equal(env.STRESSD_TOKEN, undefined, 'a token baked into the image is shared by everyone who pulls it');
  assert.ok(!instructions.some((i) => i.keyword === 'ARG' && /TOKEN/.test(i.args)), 'no token build argument either');
});

test('what the image runs and reads exists in the build context', () => {
  const cmd = execForm(last('CMD')?.args ?? '');
  assert.ok(cmd, 'CMD is not in exec form (signals would go to a shell, not to node)');
  assert.equal(cmd[0], 'node');
  // dist/ is built in the image; its source is here.
  const script = cmd.find((arg) => arg.endsWith('.js'));
  assert.match(script ?? '', /^dist\/.+\.js$/, `CMD runs ${String(script)}`);
  const source = (script ?? '').replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
  assert.ok(existsSync(join(repoRoot, source)), `CMD runs ${String(script)}, built from ${source}, which is missing`);
  const env = imageEnv(instructions);
  assert.ok(existsSync(join(repoRoot, env.STRESSD_CONFIG ?? '')), `STRESSD_CONFIG=${String(env.STRESSD_CONFIG)} is not in the repository`);
  const ignored = dockerignore(repoRoot);
  for (const needed of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'configs', 'bin', 'docs']) {
    assert.ok(existsSync(join(repoRoot, needed)), `${needed} is missing`);
    assert.ok(!ignored.includes(needed), `.dockerignore leaves out ${needed}`);
  }
  for (const secret of ['.env', '.git', 'node_modules']) assert.ok(ignored.includes(secret), `.dockerignore lets ${secret} into the image`);
});
