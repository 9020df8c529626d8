/**
 * The suite the runner executes is the schema's own output (schema.ts, normalised by load.ts):
 * these are names for parts of it, not a second description. Every default is filled in by the
 * parse, so each field holds a value and no reader applies a fallback.
 */
import type { z } from 'zod';
import type { suiteSchema } from './load.ts';
import type { BudgetSchema, GraduationSchema, LoadSchema, RegressionSchema, RetentionSchema } from './schema.ts';

/** A parsed value made read-only all the way down: a loaded suite is frozen. */
export type Frozen<T> = T extends readonly (infer U)[] ? readonly Frozen<U>[] : T extends object ? { readonly [K in keyof T]: Frozen<T[K]> } : T;

export type Suite = Frozen<z.output<ReturnType<typeof suiteSchema>>>;
export type SuiteTest = Suite['tests'][number];
export type GraduationCriteria = Frozen<z.output<typeof GraduationSchema>>;
export type RegressionConfig = Frozen<z.output<typeof RegressionSchema>>;
export type BudgetConfig = Frozen<z.output<typeof BudgetSchema>>;
export type LoadConfig = Frozen<z.output<typeof LoadSchema>>;
export type RetentionPolicy = Frozen<z.output<typeof RetentionSchema>>;
