import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by time as a plain string: `20261124T101500Z-3f9a` (UTC to the second,
 * then 4 hex digits so two runs started in the same second still differ).
 */
export function makeRunId(at: Date = new Date(), random: () => Buffer = () => randomBytes(2)): string {
  const stamp = at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
  return `${stamp}-${random().toString('hex').slice(0, 4).padStart(4, '0')}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;

/** Any id safe as a file name; run ids of older versions need not match RUN_ID_PATTERN. Checked before an id touches a path. */
const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

export function isValidRunId(id: string): boolean {
  return SAFE_RUN_ID.test(id);
}
