/**
 * The `load` part of a test in the suite schema (DESIGN sections 11 and 14): sessions at once, a
 * ramp, an arrival rate (the open model) or a capacity search. Every default is filled in here from
 * DEFAULTS, so the runner reads normalised values and applies no fallback of its own.
 */
import { z } from 'zod';
import { DEFAULTS } from './defaults.ts';

export const ratio = (words: string) =>
  z.number({ error: words }).min(0, { error: words }).max(1, { error: words });

const SESSIONS_WORDS = 'an integer number of sessions, 0 to 10000';
const stageSessions = z.int({ error: SESSIONS_WORDS }).min(0, { error: SESSIONS_WORDS }).max(10_000, { error: SESSIONS_WORDS });
const sessionCount = stageSessions.min(1, { error: 'an integer number of sessions, 1 to 10000' });
const positiveSeconds = (max: number) => z.number({ error: `a positive number of seconds, at most ${max}` }).positive({ error: `a positive number of seconds, at most ${max}` }).max(max, { error: `a positive number of seconds, at most ${max}` });
const RATE_WORDS = 'a positive arrival rate per second, at most 10000';
const positiveRate = z.number({ error: RATE_WORDS }).positive({ error: RATE_WORDS }).max(10_000, { error: RATE_WORDS });

/** DESIGN sections 11 and 14: one stage of a ramp of sessions or of an arrival rate, reached linearly from the previous stage's (0 at the start). */
export const LoadStageSchema = z.object({
  duration_s: positiveSeconds(86_400),
  sessions: stageSessions.optional(),
  rate: z.number({ error: 'an arrival rate per second, 0 to 10000' }).min(0, { error: 'an arrival rate per second, 0 to 10000' }).max(10_000, { error: 'an arrival rate per second, 0 to 10000' }).optional(),
});

/** DESIGN section 14: the service-level objectives a search step must hold. */
export const SloSchema = z.object({
  first_output_p95_s: positiveSeconds(3600).default(DEFAULTS.search.first_output_p95_s),
  error_ratio: ratio('a fraction between 0 and 1').default(DEFAULTS.search.error_ratio),
  /** Median output bytes per second of a session; null: not judged. */
  min_output_bytes_per_second: z.number({ error: 'a positive number of bytes per second, or null' }).positive({ error: 'a positive number of bytes per second, or null' }).nullable().default(null),
});

/**
 * DESIGN section 14: sessions at once (the closed model) or arrivals per second (the open model,
 * `over: "rate"`) stepped up — doubling, then bisecting — until an objective breaks.
 */
export const SearchSchema = z.object({
  over: z.enum(['sessions', 'rate'], { error: '"sessions" (the closed model) or "rate" (arrivals per second, the open model)' }).default(DEFAULTS.search.over),
  /** The first level: sessions (an integer) or, over rate, arrivals per second. */
  start: positiveRate.default(DEFAULTS.search.first_level),
  /** The highest level of sessions tried; over rate, the cap on sessions in flight (arrivals past it are dropped). */
  max_sessions: sessionCount.default(DEFAULTS.search.max_sessions),
  /** Over rate: the highest arrival rate tried. */
  max_rate: positiveRate.default(DEFAULTS.search.max_rate),
  step_s: positiveSeconds(3600).default(DEFAULTS.search.step_s),
  max_steps: z.int({ error: 'an integer number of steps, 1 to 100' }).min(1, { error: 'an integer number of steps, 1 to 100' }).max(100, { error: 'an integer number of steps, 1 to 100' }).default(DEFAULTS.search.max_steps),
  /** Bisecting stops once the gap between held and broken is at most this share of the held level (and, over sessions, at most one session). */
  resolution: ratio('a fraction between 0 and 1').default(DEFAULTS.search.resolution),
  /** The whole search's time budget: no step starts whose expected end is past it. */
  max_seconds: positiveSeconds(86_400).default(DEFAULTS.search.max_seconds),
  /** The whole search's cost budget (Claude's total_cost_usd summed): no step starts whose expected cost would pass it; null: no cost bound. */
  max_cost_usd: z.number({ error: 'a positive number of US dollars, or null' }).positive({ error: 'a positive number of US dollars, or null' }).nullable().default(null),
  slo: SloSchema.prefault({}),
}).superRefine((s, ctx) => {
  if (s.over === 'sessions' && !Number.isInteger(s.start)) ctx.addIssue({ code: 'custom', path: ['start'], message: 'an integer number of sessions (over "sessions")' });
  const top = s.over === 'sessions' ? s.max_sessions : s.max_rate;
  if (s.start > top) ctx.addIssue({ code: 'custom', path: ['start'], message: `start at most ${s.over === 'sessions' ? 'max_sessions' : 'max_rate'} (${top})` });
});

/**
 * DESIGN sections 11 and 14: exactly one of `sessions` (N at once), `stages` (a ramp of sessions,
 * or of `rate` for the open model), `rate` (arrivals per second, for `duration_s` seconds: a rate
 * needs a duration, and a duration is only read with a rate) or `search`.
 */
export const LoadSchema = z.object({
  sessions: sessionCount.nullable().default(null),
  stages: z.array(LoadStageSchema, { error: 'an array of stages ({"duration_s", "sessions"} or {"duration_s", "rate"})' }).min(1, { error: 'at least one stage' }).nullable().default(null),
  rate: positiveRate.nullable().default(null),
  /** How long a constant `rate` goes on; required with `rate`, refused without it. */
  duration_s: positiveSeconds(86_400).nullable().default(null),
  arrivals: z.enum(['constant', 'poisson'], { error: '"constant" or "poisson"' }).default(DEFAULTS.open.arrivals),
  seed: z.int({ error: 'an integer seed' }).default(DEFAULTS.open.arrivals_seed),
  /** Open model: arrivals that find this many sessions in flight are dropped. */
  max_in_flight: sessionCount.default(DEFAULTS.open.max_in_flight),
  search: SearchSchema.nullable().default(null),
  min_pass_ratio: ratio('a fraction between 0 and 1').default(DEFAULTS.min_pass_ratio),
}, { error: 'an object: {"sessions": N}, {"stages": [...]}, {"rate": R, "duration_s": S} or {"search": {...}}' }).superRefine((load, ctx) => {
  const given = (['sessions', 'stages', 'rate', 'search'] as const).filter((k) => load[k] != null);
  if (given.length === 0) ctx.addIssue({ code: 'custom', path: ['sessions'], message: 'one of "sessions" (N at once), "stages" (a ramp), "rate" (arrivals per second) or "search" (a capacity search)' });
  else if (given.length > 1) ctx.addIssue({ code: 'custom', path: [given[1] ?? 'stages'], message: `one of "sessions", "stages", "rate" and "search", not ${given.map((k) => `"${k}"`).join(' and ')}` });
  if (load.rate !== null && load.duration_s === null) ctx.addIssue({ code: 'custom', path: ['duration_s'], message: 'a duration in seconds: "rate" needs "duration_s" (how long the arrivals go on)' });
  if (load.rate === null && load.duration_s !== null) ctx.addIssue({ code: 'custom', path: ['duration_s'], message: 'no "duration_s" without "rate" (a ramp\'s stages carry their own durations)' });
  if (load.stages !== null) {
    const rates = load.stages.filter((s) => s.rate !== undefined).length;
    load.stages.forEach((s, i) => {
      if ((s.rate === undefined) === (s.sessions === undefined)) ctx.addIssue({ code: 'custom', path: ['stages', i], message: 'either "sessions" or "rate" in a stage, not both or neither' });
    });
    if (rates > 0 && rates < load.stages.length) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'stages all of sessions or all of rates' });
    else if (rates === 0 && !load.stages.some((s) => (s.sessions ?? 0) > 0)) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'a stage with at least one session' });
    else if (rates > 0 && !load.stages.some((s) => (s.rate ?? 0) > 0)) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'a stage with a rate above 0' });
  }
});
