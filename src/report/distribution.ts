/** Duration and output-size distributions, as the original report had them: fixed buckets, a count and a text bar. */
import type { TestResult } from '../runner/types.ts';
import { cell, table } from './escape.ts';

interface Bucket {
  label: string;
  /** Upper bound, exclusive; Infinity for the last bucket. */
  below: number;
}

/** Bounds chosen around the suites' own scale: simple tests take seconds, complex ones 90–300 s. */
export const DURATION_BUCKETS: readonly Bucket[] = [
  { label: '< 10 s', below: 10 },
  { label: '10–30 s', below: 30 },
  { label: '30–60 s', below: 60 },
  { label: '60–120 s', below: 120 },
  { label: '120–300 s', below: 300 },
  { label: '≥ 300 s', below: Infinity },
];

export const OUTPUT_BUCKETS: readonly Bucket[] = [
  { label: '< 1 KiB', below: 1024 },
  { label: '1–10 KiB', below: 10 * 1024 },
  { label: '10–100 KiB', below: 100 * 1024 },
  { label: '100 KiB–1 MiB', below: 1024 * 1024 },
  { label: '≥ 1 MiB', below: Infinity },
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

function render(title: string, rows: { label: string; ids: string[] }[], total: number): string {
  const body = rows.map((r) => {
    const width = total === 0 ? 0 : Math.round((r.ids.length / total) * BAR_WIDTH);
    return [r.label, String(r.ids.length), width > 0 ? '█'.repeat(width) : '·', r.ids.length > 0 ? r.ids.map((id) => cell(id)).join(', ') : '–'];
  });
  return `## ${title}\n\n${table(['range', 'tests', 'share', 'ids'], body, ['l', 'r', 'l', 'l'])}\n`;
}

export function durationDistribution(tests: readonly TestResult[]): string {
  const rows = bucketise(tests.map((t) => ({ id: t.id, value: t.duration_seconds })), DURATION_BUCKETS);
  return render('Duration distribution', rows, tests.length);
}

export function outputSizeDistribution(tests: readonly TestResult[]): string {
  const rows = bucketise(tests.map((t) => ({ id: t.id, value: t.output_bytes })), OUTPUT_BUCKETS);
  return render('Output size distribution', rows, tests.length);
}
