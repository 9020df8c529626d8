/**
 * Property: a NaN or an Infinity never reaches a result's JSON (DESIGN section 13). Where stressd
 * turns text into numbers — /proc/<pid>/stat (proc-state.ts parseStatFields, the CPU ticks and
 * memory of every sampled process) and the host's pressure (/proc/pressure/*, /proc/stat,
 * /proc/loadavg: host-pressure.ts) — random texts with "NaN", "Infinity", 400-digit counters, cut
 * lines and missing files give numbers that are finite, or no number ("not measured"), and the
 * record reads back through its schema exactly as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStatFields } from '../../src/proc-state.ts';
import { HostPressureSchema } from '../../src/result/schema.ts';
import { hostPressure, pressureSnapshot } from '../../src/runner/host-pressure.ts';
import { seededRandom } from '../../src/seeded-random.ts';

const TRIALS = 300;
const TOKENS = ['0', '7', '123456', '18446744073709551615', 'NaN', 'Infinity', '-Infinity', '-1', '1e400', '9'.repeat(400), '', '12abc', '-0', '3.5'];

function generator(seed: number): { token(): string; chance(p: number): boolean } {
  const random = seededRandom(seed);
  return {
    token: () => TOKENS[Math.floor(random() * TOKENS.length)] ?? '0',
    chance: (p) => random() < p,
  };
}

/** Every number in `value` that is not finite, with its path. */
function notFinite(value: unknown, path = '$'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => notFinite(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => notFinite(v, `${path}.${k}`));
  return [];
}

test('parseStatFields: a stat line with NaN, Infinity or 400-digit fields is no reading, never a non-finite number', () => {
  for (let seed = 1; seed <= TRIALS; seed++) {
    const g = generator(seed);
    const fields = Array.from({ length: g.chance(0.1) ? 10 : 50 }, () => (g.chance(0.9) ? String(seed * 31 % 1000) : g.token()));
    const stat = `4242 (a (b) c) ${g.chance(0.5) ? 'S' : 'R'} ${fields.join(' ')}`;
    const parsed = parseStatFields(stat);
    if (parsed === null) continue;
    const bad = parsed.slice(1, 22).filter((f) => !Number.isFinite(Number(f)));
    assert.deepEqual(bad, [], `seed ${seed}: ${stat.slice(0, 200)}`);
  }
});

test('host pressure: random /proc texts give finite shares or null, and the record reads back through its schema unchanged', async () => {
  const root = await mkdtemp(join(tmpdir(), 'stressd-finite-'));
  try {
    const write = async (dir: string, g: ReturnType<typeof generator>): Promise<void> => {
      await rm(dir, { recursive: true, force: true });
      await mkdir(join(dir, 'pressure'), { recursive: true });
      const psi = (): string => `some avg10=0.00 avg60=0.00 avg300=0.00 total=${g.token()}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=${g.token()}\n`;
      if (g.chance(0.9)) await writeFile(join(dir, 'pressure', 'cpu'), psi());
      if (g.chance(0.9)) await writeFile(join(dir, 'pressure', 'memory'), psi());
      if (g.chance(0.9)) await writeFile(join(dir, 'stat'), `cpu  ${Array.from({ length: g.chance(0.2) ? 5 : 10 }, () => g.token()).join(' ')}\ncpu0 1 2 3\n`);
      if (g.chance(0.9)) await writeFile(join(dir, 'loadavg'), `${g.token()} ${g.token()} ${g.token()} 1/100 1\n`);
    };
    for (let seed = 1; seed <= TRIALS; seed++) {
      const g = generator(seed);
      await write(join(root, 'before'), g);
      const before = await pressureSnapshot(join(root, 'before'));
      await write(join(root, 'after'), g);
      const after = await pressureSnapshot(join(root, 'after'));
      const record = await hostPressure(before, after, join(root, 'after'));
      assert.deepEqual(notFinite(record), [], `seed ${seed}: ${JSON.stringify(record)}`);
      const back = HostPressureSchema.parse(JSON.parse(JSON.stringify(record)));
      assert.deepEqual(back, record, `seed ${seed}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
