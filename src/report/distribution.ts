/** Duration and output-size distributions, as the original report had them: fixed buckets, a count and a text bar. */
import type { TestResult } from '../result/types.ts';
import { cell, table } from './escape.ts';

interface Bucket {
  label: string;
  /** Upper bound, exclusive; Infinity for the last bucket. */
  below: number;
}

/**
 * Finer than the original's (< 2 min, 2–3, 3–4, > 4 min) for suites of short tests, and keeping
 * every one of its cut points, so its counts are sums of ours.
 */
export const DURATION_BUCKETS: readonly Bucket[] = [
  { label: '< 10 s', below: 10 },
  { label: '10–30 s', below: 30 },
  { label: '30–60 s', below: 60 },
  { label: '60–120 s', below: 120 },
  { label: '2–3 min', below: 180 },
  { label: '3–4 min', below: 240 },
  { label: '4–5 min', below: 300 },
  { label: '≥ 5 min', below: Infinity },
];

/**
 * The original counted characters with cut points at 10K, 50K and 100K; these are bytes (equal to
 * characters for ASCII output) with the same decimal cut points, plus finer and larger ones.
 */
export const OUTPUT_BUCKETS: readonly Bucket[] = [
  { label: '< 1 kB', below: 1_000 },
  { label: '1–10 kB', below: 10_000 },
  { label: '10–50 kB', below: 50_000 },
  { label: '50–100 kB', below: 100_000 },
  { label: '100 kB–1 MB', below: 1_000_000 },
  { label: '≥ 1 MB', below: Infinity },
];

const BAR_WIDTH = 20;

export function bucketise(values: readonly { id: string; value: number }[], buckets: readonly Bucket[]): { label: string; ids: string[] }[] {
  const out = buckets.map((b) => ({ label: b.label, ids: [] as string[] }));
  for (const v of values) {
    const i = buckets.findIndex((b) => v.value < b.below);
    out[i === -1 ? out.length - 1 : i]?.ids.push(v.id);
  }
  return out;
}

function render(title: string, note: string, rows: { label: string; ids: string[] }[], total: number): string {
  const body = rows.map((r) => {
    const width = total === 0 ? 0 : Math.round((r.ids.length / total) * BAR_WIDTH);
    return [r.label, String(r.ids.length), width > 0 ? '█'.repeat(width) : '·', r.ids.length > 0 ? r.ids.map((id) => cell(id)).join(', ') : '–'];
  });
  return `## ${title}\n\n${note}\n\n${table(['range', 'tests', 'share', 'ids'], body, ['l', 'r', 'l', 'l'])}\n`;
}

export function durationDistribution(tests: readonly TestResult[]): string {
  const rows = bucketise(tests.map((t) => ({ id: t.id, value: t.duration_seconds })), DURATION_BUCKETS);
  const note = 'The original report\'s ranges are sums of these: < 2 min = the first four rows, > 4 min = the last two.';
  return render('Duration distribution', note, rows, tests.length);
}

export function outputSizeDistribution(tests: readonly TestResult[]): string {
  const rows = bucketise(tests.map((t) => ({ id: t.id, value: t.output_bytes })), OUTPUT_BUCKETS);
  const note = 'Output in bytes (1 kB = 1,000 bytes; the original counted characters, the same for ASCII): < 10K = the first two rows, > 100K = the last two.';
  return render('Output size distribution', note, rows, tests.length);
}
