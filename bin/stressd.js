#!/usr/bin/env node
// The package's bin: the compiled CLI (dist/, built by `npm run build`, which `npm install` runs
// through `prepare`), in this same process, so signals reach stressd itself.
import { access } from 'node:fs/promises';
import { URL } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await access(cli);
} catch {
  process.stderr.write(`stressd: ${cli.pathname} is missing: run \`npm run build\` in ${new URL('..', import.meta.url).pathname}\n`);
  process.exit(1);
}
await import(cli.href);
