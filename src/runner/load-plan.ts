/**
 * How many sessions a test under load wants at each moment (DESIGN section 11). `{"sessions": N}`
 * wants N once each; `stages` is k6's ramping-VUs: from 0 at the start, each stage moves the target
 * linearly to its `sessions` over its `duration_s`, and nothing new starts after the last stage.
 */
import type { LoadConfig } from '../config/types.ts';

export interface LoadPlan {
  mode: 'fixed' | 'stages';
  /** Sessions wanted running `elapsedS` seconds after the start. */
  targetAt(elapsedS: number): number;
  /** Seconds after which no session starts; null for `fixed` (N start at once, none replaced). */
  endS: number | null;
  /** `fixed` only: how many sessions start in all. */
  total: number | null;
}

export function loadPlan(load: LoadConfig): LoadPlan {
  if (load.stages === null || load.stages.length === 0) {
    const n = load.sessions ?? 1;
    return { mode: 'fixed', targetAt: () => n, endS: null, total: n };
  }
  const stages = load.stages.map((s) => ({ duration_s: s.duration_s, sessions: s.sessions ?? 0 }));
  const endS = stages.reduce((sum, s) => sum + s.duration_s, 0);
  return { mode: 'stages', targetAt: (t) => rampTarget(stages, t), endS, total: null };
}

/**
 * The target at `t`: linear between the previous stage's target and this one's, rounded to the
 * nearest whole session (k6 rounds the same way for ramping VUs); 0 once the last stage is over.
 */
export function rampTarget(stages: readonly { duration_s: number; sessions: number }[], t: number): number {
  let from = 0;
  let start = 0;
  for (const stage of stages) {
    const end = start + stage.duration_s;
    if (t < end) {
      const share = Math.max(0, t - start) / stage.duration_s;
      return Math.round(from + (stage.sessions - from) * share);
    }
    from = stage.sessions;
    start = end;
  }
  return 0;
}
