/**
 * `npm run bench`: runs every bench/*.bench.ts in turn, each in its own process (so one bench's
 * heap and RSS cannot colour the next). `npm run bench -- throughput` runs only names containing it.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

function runOne(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, file)], { stdio: 'inherit' });
    child.once('error', () => resolve(1));
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let failed = 0;
for (const file of files) {
  console.log(`\n## ${file}\n`);
  const code = await runOne(file);
  if (code !== 0) {
    failed++;
    console.log(`${file} exited with ${code}`);
  }
}
if (files.length === 0) console.log(`no bench/*.bench.ts matched ${filters.join(', ')}`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;
