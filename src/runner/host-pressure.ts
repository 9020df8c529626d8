/**
 * How busy the host was while a test ran: Linux PSI (`/proc/pressure/cpu` and `memory`, the share
 * of the test's wall time some task waited, from the cumulative `total` counters read before and
 * after), the 1-minute load per core, and the CPU steal share from `/proc/stat`. Where PSI is
 * missing (older kernels, some containers) the load per core and steal decide alone, and the record
 * says so (`source: "loadavg"`). A value measured under pressure cannot confirm a regression.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { HostPressure } from '../result/types.ts';

/** Above these the host counts as under pressure (the test's own work is in the figures too). */
export const PRESSURE_LIMITS = Object.freeze({ cpu_some_share: 0.4, memory_some_share: 0.1, load_per_core: 2, steal_share: 0.1 });

export interface PressureSnapshot {
  at: number;
  cpuTotalUs: number | null;
  memoryTotalUs: number | null;
  steal: number | null;
  cpuAll: number | null;
}

async function text(root: string, path: string): Promise<string | null> {
  try {
    return await readFile(join(root, path), 'utf8');
  } catch {
    return null;
  }
}

function someTotal(psi: string | null): number | null {
  const m = psi === null ? null : /^some .*total=(\d+)/m.exec(psi);
  return m ? finiteOrNull(Number(m[1])) : null;
}

/** A counter too long for a double (400 digits: Infinity) or not a number is no reading. */
function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

/** `procRoot` is `/proc` on a real host; tests give a directory of fixture files. */
export async function pressureSnapshot(procRoot = '/proc'): Promise<PressureSnapshot> {
  const [cpu, memory, stat] = await Promise.all([text(procRoot, 'pressure/cpu'), text(procRoot, 'pressure/memory'), text(procRoot, 'stat')]);
  const parsed = stat === null ? null : /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number) ?? null;
  const fields = parsed !== null && parsed.every(Number.isFinite) ? parsed : null;
  return {
    at: performance.now(),
    cpuTotalUs: someTotal(cpu),
    memoryTotalUs: someTotal(memory),
    steal: fields && fields.length > 7 ? fields[7]! : null,
    cpuAll: fields ? fields.reduce((a, b) => a + b, 0) : null,
  };
}

const share = (a: number | null, b: number | null, wallUs: number): number | null =>
  a === null || b === null || wallUs <= 0 ? null : finiteOrNull(Math.max(0, Math.min(1, (b - a) / wallUs)));

/** The record of the test from its two snapshots and the load average at its end. */
export async function hostPressure(before: PressureSnapshot, after: PressureSnapshot, procRoot = '/proc'): Promise<HostPressure> {
  const wallUs = (after.at - before.at) * 1000;
  const load = await text(procRoot, 'loadavg');
  const load1 = load === null ? Number.NaN : Number(load.split(/\s+/)[0]);
  // A load is never below 0; "-0" would read back from JSON as 0, so it is 0 here (the + 0).
  const loadPerCore = Number.isFinite(load1) && load1 >= 0 ? load1 / availableParallelism() + 0 : null;
  const cpu = share(before.cpuTotalUs, after.cpuTotalUs, wallUs);
  const memory = share(before.memoryTotalUs, after.memoryTotalUs, wallUs);
  const ticks = before.cpuAll !== null && after.cpuAll !== null ? after.cpuAll - before.cpuAll : 0;
  const steal = before.steal !== null && after.steal !== null && ticks > 0 ? finiteOrNull((after.steal - before.steal) / ticks) : null;
  const reasons: string[] = [];
  const pct = (v: number): string => `${Math.round(v * 100)} %`;
  if (cpu !== null && cpu > PRESSURE_LIMITS.cpu_some_share) reasons.push(`CPU pressure ${pct(cpu)} of the test's time`);
  if (memory !== null && memory > PRESSURE_LIMITS.memory_some_share) reasons.push(`memory pressure ${pct(memory)}`);
  // Without PSI the load per core is the only sign of a queue of runnable tasks.
  if (cpu === null && loadPerCore !== null && loadPerCore > PRESSURE_LIMITS.load_per_core) reasons.push(`load ${loadPerCore.toFixed(1)} per core`);
  if (steal !== null && steal > PRESSURE_LIMITS.steal_share) reasons.push(`CPU steal ${pct(steal)}`);
  return {
    source: cpu === null ? 'loadavg' : 'psi',
    cpu_some_share: cpu,
    memory_some_share: memory,
    load_per_core: loadPerCore,
    steal_share: steal,
    under_pressure: reasons.length > 0,
    reason: reasons.length > 0 ? reasons.join(', ') : null,
  };
}
