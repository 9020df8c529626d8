/**
 * The names of the statistical models a suite's `regression.model` may choose. They live here,
 * in the contract, because config checks them and analysis implements them: both read this list.
 */
export const MODEL_NAMES = ['mad', 'iqr', 'percentile', 't', 'mann_whitney'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
