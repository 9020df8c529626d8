/**
 * Whether a test's `env` reached its command. stressd's executor announces the `env` capability in
 * its `connected` frame; a cc_executor does not, and silently drops `params.env` (its request model
 * has only `command`, `timeout` and `id`), so the test runs without the variables.
 */
import { ENV_CAPABILITY } from '../protocol/messages.ts';
import type { TestResult } from './types.ts';

/**
 * `true` when the executor announced it, `false` when it announced capabilities without it,
 * `unknown` when it announced none; undefined for a test without variables.
 */
export function envApplied(env: Readonly<Record<string, string>> | undefined, capabilities: readonly string[] | null): boolean | 'unknown' | undefined {
  if (env === undefined || Object.keys(env).length === 0) return undefined;
  if (capabilities === null) return 'unknown';
  return capabilities.includes(ENV_CAPABILITY);
}

/** The words for a test whose variables may not have reached it; null when they did (or it has none). */
export function envNote(t: Pick<TestResult, 'env_applied'>): string | null {
  if (t.env_applied === false) return 'env NOT applied: the executor does not announce the `env` capability, so the command ran without the suite\'s variables';
  if (t.env_applied === 'unknown') return 'env may not be applied: the executor announced no capabilities';
  return null;
}
