/**
 * Which `Host` and `Origin` headers a listener answers, shared by the executor's WebSocket upgrade
 * and the daemon's HTTP routes. Both stop a web page in the user's own browser: a foreign page
 * cannot read or drive a loopback server if the server refuses any Host it was not reached by
 * (DNS rebinding: a foreign name made to resolve to 127.0.0.1) and any Origin it was not told to
 * trust (a page that simply connects to ws://127.0.0.1:P, which browsers allow without a preflight).
 */
import { isIP } from 'node:net';
import { ErrorCode, StressdError } from './errors.ts';

export interface OriginPolicy {
  /** The address the server listens on (`--host`). */
  listenHost: string;
  /** Extra names the Host header may carry (`--allow-host`), lower case, no port. */
  allowHosts: readonly string[];
  /** Origins (`scheme://host[:port]`) whose pages may connect (`--allow-origin`), normalized. */
  allowOrigins: readonly string[];
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];

/** The name part of a Host header, lower case, without port or IPv6 brackets; null when malformed. */
export function hostName(header: string | undefined): string | null {
  if (header === undefined) return null;
  const h = header.trim().toLowerCase();
  if (h === '') return null;
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1] ?? null;
  const named = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return named?.[1]?.replace(/\.$/, '') ?? null;
}

/**
 * Why a Host is refused, or null when it is one this listener answers to: the listening address,
 * `localhost`, a name in allowHosts, or (when listening on every address) any IP literal — a
 * rebinding page always reaches the server under a name, never under an address.
 */
export function hostRefusal(header: string | undefined, policy: OriginPolicy): string | null {
  const name = hostName(header);
  if (name === null) return header === undefined ? 'the request has no Host header' : `the Host header ${JSON.stringify(header)} is not a host name`;
  const listen = policy.listenHost.toLowerCase().replace(/^\[|\]$/g, '');
  const allowed = new Set([listen, 'localhost', ...policy.allowHosts]);
  if (listen === 'localhost') for (const n of LOOPBACK_NAMES) allowed.add(n);
  if (allowed.has(name)) return null;
  if (WILDCARD.has(listen) && isIP(name) !== 0) return null;
  return `Host ${JSON.stringify(name)} is not this server's address (${policy.listenHost}), localhost or a name given with --allow-host`;
}

/** `scheme://host[:port]` in the form browsers send it (lower case, default port left out). */
export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') return null;
  return url.origin;
}

/** The allow-list from `--allow-origin`; a bad entry is a usage error naming it and the flag. */
export function parseOrigins(values: readonly string[], flag: string): string[] {
  return values.map((v) => {
    const o = normalizeOrigin(v);
    if (o === null) throw new StressdError(ErrorCode.usage, `${flag}: expected an origin such as http://127.0.0.1:8080 (scheme, host and port only), found "${v}"`);
    return o;
  });
}

/** The names from `--allow-host`: lower case, no port; a bad entry is a usage error. */
export function parseHosts(values: readonly string[], flag: string): string[] {
  return values.map((v) => {
    const name = hostName(v);
    if (name === null || name !== v.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '')) {
      throw new StressdError(ErrorCode.usage, `${flag}: expected a host name without port, such as stressd.internal, found "${v}"`);
    }
    return name;
  });
}

/** Why an Origin header is refused, or null when absent (a program, not a page) or allowed. */
export function originRefusal(header: string | undefined, policy: Pick<OriginPolicy, 'allowOrigins'>): string | null {
  if (header === undefined) return null;
  const origin = normalizeOrigin(header);
  if (origin !== null && policy.allowOrigins.includes(origin)) return null;
  return `Origin ${JSON.stringify(header)} is not in the allow-list (--allow-origin)`;
}
