/** RunResult → the JSON report: the RunResult itself, exactly what `stressd run --json` prints and `/api/runs/:id` returns. */
import type { RunResult } from '../result/types.ts';

export function renderJson(result: RunResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
