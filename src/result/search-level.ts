/**
 * A capacity search's level in one place (DESIGN section 14): sessions at once for a search over
 * sessions, arrivals per second for one over rate. The report, the plot and the step gauges read
 * a step's level and its unit from here, so a rate search is never shown as sessions. Pure.
 */
import type { LoadResult } from './types.ts';

type Search = NonNullable<LoadResult['search']>;
type Step = Search['steps'][number];

export function overRate(search: Pick<Search, 'over'>): boolean {
  return search.over === 'rate';
}

/** The level a step held: its rate over rate (its `sessions` then are the most in flight), else its sessions. */
export function stepLevel(search: Pick<Search, 'over'>, step: Pick<Step, 'sessions' | 'rate'>): number {
  return overRate(search) ? (step.rate ?? step.sessions) : step.sessions;
}

/** A level as a number without noise: rates are kept to hundredths, so 4.4 and 13, never 13.00. */
export function levelNumber(level: number): string {
  return String(Math.round(level * 100) / 100);
}

/** "6 sessions" or "4.4 arrivals/s". */
export function levelWords(search: Pick<Search, 'over'>, level: number): string {
  return overRate(search) ? `${levelNumber(level)} arrivals/s` : `${levelNumber(level)} session${level === 1 ? '' : 's'}`;
}

/** What the search stepped, for an axis title or a column: "arrivals per second" or "sessions at once". */
export function levelAxis(search: Pick<Search, 'over'>): string {
  return overRate(search) ? 'arrivals per second' : 'sessions at once';
}

/** Why the search ended, as the bound's name and its meaning; null for results written before bounds were kept. */
export function boundWords(search: Pick<Search, 'bound' | 'over'>): string | null {
  switch (search.bound) {
    case undefined: return null;
    case 'resolution': return '`resolution` (its answer: the gap between held and broke bisected to the resolution)';
    case 'max_level': return `\`max_level\` (the top level, \`${overRate(search) ? 'max_rate' : 'max_sessions'}\`, held)`;
    case 'max_steps': return '`max_steps` (the step budget; the answer may be coarser than the resolution)';
    case 'max_seconds': return '`max_seconds` (the time budget; the answer may be coarser than the resolution)';
    case 'max_cost_usd': return '`max_cost_usd` (the cost budget; the answer may be coarser than the resolution)';
    case 'errors': return '`errors` (the first level failed on errors)';
    case 'stopped': return '`stopped` (the run was stopped)';
  }
}
