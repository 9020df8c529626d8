/**
 * Where a test's resource figures come from, by set-up:
 * - the embedded executor: its pid is ours, its commands' trees are read from /proc as they are;
 * - a server on this host (a loopback URL, or `resources: "local"`): the commands' pids the server
 *   reports are checked (pid-check.ts) and read the same way, the server itself found from its
 *   listening socket (socket-owner.ts);
 * - `resources: {"prometheus": …}`: the peaks of the suite's queries over the test's window;
 * - anything else (a remote URL): not measured, with the reason.
 */
import type { Suite, SuiteTest } from '../config/types.ts';
import type { ExecutorTarget } from './api.ts';
import type { CommandCheck } from './pid-check.ts';
import type { PrometheusSource } from './prom-peaks.ts';
import type { SamplerOptions } from './sampler.ts';
import { socketOwner } from './socket-owner.ts';

/** `auto`: /proc for the embedded executor and loopback URLs; `local`: the server shares this host whatever its URL says. */
export type ResourcesSetting = 'auto' | 'local' | { prometheus: PrometheusSource };

export type ResourceSource =
  | { kind: 'proc'; options: Omit<SamplerOptions, 'intervalMs'> }
  | { kind: 'prometheus'; source: PrometheusSource };

/** Loopback names and addresses (the original runner's `localhost:8000`). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || host === '::1';
}

function portOf(url: string): number | null {
  try {
    const u = new URL(url);
    if (u.port !== '') return Number(u.port);
    return u.protocol === 'wss:' ? 443 : 80;
  } catch {
    return null;
  }
}

/** The server's own pid on this host, from the port of its URL, or why it is unknown. */
export function sameHostServer(url: string): { localPid: number | null; executorWhy?: string } {
  const port = portOf(url);
  if (port === null) return { localPid: null, executorWhy: `no port in ${url}` };
  const owner = socketOwner(port);
  return owner.pid === null ? { localPid: null, executorWhy: owner.why } : { localPid: owner.pid };
}

/** The source for one test; `check` describes the command for a server stressd did not start. */
export function resourceSource(executor: ExecutorTarget, setting: ResourcesSetting, check: CommandCheck): ResourceSource {
  if (typeof setting === 'object') return { kind: 'prometheus', source: setting.prometheus };
  if (executor.localPid !== null) return { kind: 'proc', options: { localPid: executor.localPid } };
  if (setting === 'local' || isLoopbackUrl(executor.url)) {
    return { kind: 'proc', options: { ...sameHostServer(executor.url), check } };
  }
  return { kind: 'proc', options: { localPid: null } };
}

/** A test under load samples the executor's whole tree: its root is the executor itself (ours, or the one holding the URL's port). */
export function loadSource(executor: ExecutorTarget, setting: ResourcesSetting): { kind: 'proc'; pid: number | null } | { kind: 'prometheus'; source: PrometheusSource } {
  if (typeof setting === 'object') return { kind: 'prometheus', source: setting.prometheus };
  if (executor.localPid !== null) return { kind: 'proc', pid: executor.localPid };
  if (setting === 'local' || isLoopbackUrl(executor.url)) return { kind: 'proc', pid: sameHostServer(executor.url).localPid };
  return { kind: 'proc', pid: null };
}

/** The test's own setting, else the suite's, else `auto`. */
export function resourcesSetting(test: SuiteTest, suite: Suite): ResourcesSetting {
  const setting = test.resources ?? suite.resources;
  return typeof setting === 'string' ? setting : { prometheus: setting.prometheus };
}
