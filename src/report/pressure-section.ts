/**
 * How busy the host was around a test, in the report's words (the TestResult's `host_pressure`):
 * what was read (PSI, or the load average where PSI is missing), each figure, whether it counted as
 * under pressure and why; and each verdict left `inconclusive`, with its reason, so a reader sees
 * when the host, not the system under test, held a verdict back.
 */
import type { HostPressure, RegressionRecord, TestResult } from '../result/types.ts';
import { findMeasure } from '../result/measures.ts';
import { cell } from './escape.ts';

const share = (v: number | null): string => (v === null ? 'not read' : `${(v * 100).toFixed(1)} %`);

/** The figures of one reading, e.g. "PSI: CPU some 12.0 %, memory some 0.0 %, load 0.8 per core, steal 0.0 %". */
export function pressureFigures(p: HostPressure): string {
  const source = p.source === 'psi' ? 'PSI' : 'no PSI (/proc/pressure unreadable): load average and steal only';
  const load = p.load_per_core === null ? 'load not read' : `load ${p.load_per_core.toFixed(2)} per core`;
  const psi = p.source === 'psi' ? `CPU some ${share(p.cpu_some_share)} of the test's time, memory some ${share(p.memory_some_share)}, ` : '';
  return `${source}: ${psi}${load}, steal ${share(p.steal_share)}`;
}

/** The words of the "Host pressure" row, or null for a result from before the reading was recorded. */
export function pressureText(p: HostPressure | undefined): string | null {
  if (p === undefined) return null;
  const state = p.under_pressure ? `**under pressure: ${cell(p.reason ?? 'over a limit')}**` : 'calm';
  return `${state} — ${cell(pressureFigures(p))}`;
}

/** The report's rows for a test: its pressure reading and each verdict left inconclusive, with the reason. */
export function pressureRows(t: Pick<TestResult, 'host_pressure' | 'regressions'>): [string, string][] {
  const rows: [string, string][] = [];
  const text = pressureText(t.host_pressure);
  if (text !== null) rows.push(['Host pressure', text]);
  const open = (t.regressions ?? []).filter((r) => r.verdict === 'inconclusive');
  if (open.length > 0) rows.push(['Inconclusive', open.map(inconclusiveText).join('; ')]);
  return rows;
}

export function inconclusiveText(r: RegressionRecord): string {
  const words = findMeasure(r.measure)?.words ?? r.measure;
  return `${cell(words)}: ${cell(r.reason ?? 'the evidence stayed between its bounds')}`;
}
