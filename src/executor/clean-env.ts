/**
 * Clean environments (DESIGN §12). A command gets the few variables a program needs to behave
 * (BASE_NAMES), the suite's and the test's `env` (sent in the execute request), and the names the
 * operator listed in `env_passthrough` — never stressd's own variables: STRESSD_* (tokens among
 * them) and OTEL_* (collector headers may hold credentials) are dropped even when listed.
 *
 * The embedded executor child gets `childEnv`: the same base, the executor's own settings, the
 * OTEL_* variables (it exports its own spans, so it needs the collector's address and headers; it
 * never hands them on) and the passthrough names' values, which it may hand on.
 */

export const BASE_NAMES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TERM', 'USER'] as const;

/** A POSIX variable name. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Names a command never gets, whatever the config says. */
export function isReservedName(name: string): boolean {
  return /^(STRESSD_|OTEL_)/i.test(name);
}

/**
 * Variables that change which program runs or how it is loaded. Behind an allow-list an execute
 * request may not set them: that would be `LD_PRELOAD=… echo` by another door.
 */
const LOADER = /^(LD_|DYLD_|PYTHON|PERL|RUBY|NODE_|JAVA_TOOL|GIT_)|^(PATH|BASH_ENV|ENV|IFS|CDPATH|GLOBIGNORE|SHELLOPTS|BASHOPTS|PS4)$/;

/** The environment of one command. `passthrough` names are read from `from` (the executor's own environment). */
export function commandEnv(
  from: NodeJS.ProcessEnv,
  passthrough: readonly string[],
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...BASE_NAMES, ...passthrough]) {
    const value = from[name];
    if (value !== undefined && !isReservedName(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) if (!isReservedName(name)) env[name] = value;
  env.PYTHONUNBUFFERED = '1'; // line-at-a-time output from Python programs, as cc_executor sets it
  return env;
}

/**
 * Checks an execute request's `env`: an object of string values under valid, unreserved names.
 * Returns the problem in words, or the variables.
 */
export function parseRequestEnv(value: unknown, allowListed: boolean): Record<string, string> | string {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return 'env: expected an object of variable names to string values';
  const env: Record<string, string> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!ENV_NAME.test(name)) return `env: "${name}" is not a variable name`;
    if (isReservedName(name)) return `env: ${name} is reserved for stressd itself`;
    if (allowListed && LOADER.test(name)) return `env: ${name} changes how programs are loaded or run; an executor with an allow-list refuses it (use env_passthrough on the executor's side if it is really needed)`;
    if (typeof v !== 'string') return `env: ${name}: expected a string value`;
    if (v.includes('\0')) return `env: ${name}: a NUL byte in the value`;
    env[name] = v;
  }
  return env;
}

/** What the embedded executor child itself runs with. */
export function childEnv(from: NodeJS.ProcessEnv, passthrough: readonly string[], own: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined) continue;
    const keep =
      (BASE_NAMES as readonly string[]).includes(name) ||
      passthrough.includes(name) ||
      name.startsWith('OTEL_') ||
      name === 'TMPDIR' || name === 'STRESSD_LOG_LEVEL' || name === 'STRESSD_EXECUTOR_ALLOW' || name === 'STRESSD_EXECUTOR_HEARTBEAT_MS';
    if (keep) env[name] = value;
  }
  return { ...env, ...own };
}
