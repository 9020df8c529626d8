/**
 * What keeps a web page in the user's browser from using the daemon (docs/security.md): the Host
 * check on every route (a rebinding page reaches the daemon under its own name and gets 421), and,
 * on every route that changes state, a refusal of cross-site requests (Origin, Sec-Fetch-Site)
 * plus the CSRF token bound to the browser's session. A program calling the JSON API with a
 * Bearer token needs neither: a page cannot send that header to another site without a CORS
 * preflight, which the daemon never grants.
 */
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { hostRefusal, normalizeOrigin, type OriginPolicy } from '../request-origin.ts';
import type { Csrf } from './csrf.ts';
import { bearer, sendError, tokenEquals } from './guard.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Bodies a cross-site HTML form or a no-cors fetch can send without a preflight. */
const SIMPLE_BODY = /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)/i;

export function hostCheck(policy: OriginPolicy, log: Logger): RequestHandler {
  return (req, res, next) => {
    const why = hostRefusal(req.get('host'), policy);
    if (why === null) return next();
    log.warn({ host: req.get('host') ?? null, path: req.path, remote: req.socket.remoteAddress }, `request refused: ${why}`);
    sendError(res, 421, 'misdirected_request', `${why}; this stressd answers only to the names it was started for`);
  };
}

export interface CrossSiteOptions {
  policy: OriginPolicy;
  token: string | undefined;
  csrf: Csrf;
  log: Logger;
}

/** Why a state-changing request is refused, or null. */
function refusal(req: Request, opts: CrossSiteOptions): { code: string; message: string } | null {
  // Sec-Fetch-Site, where the browser sends it, decides: under the pages' Referrer-Policy
  // no-referrer a browser sends `Origin: null` even for the daemon's own forms.
  const site = req.get('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { code: 'cross_site', message: `${req.method} ${req.path} from another site (Sec-Fetch-Site: ${site}) is refused` };
  }
  const origin = req.get('origin');
  if (origin !== undefined && site === undefined) {
    const own = normalizeOrigin(`${req.protocol}://${req.get('host') ?? ''}`);
    const given = normalizeOrigin(origin);
    if (given === null || (given !== own && !opts.policy.allowOrigins.includes(given))) {
      return { code: 'cross_site', message: `${req.method} ${req.path} from the page at ${JSON.stringify(origin)} is refused (not this stressd's own origin, nor given with --allow-origin)` };
    }
  }
  // A browser says so (Origin, Sec-Fetch-Site), carries the session cookie, or sends a form: it
  // needs the page's token. A program without any of these carries no ambient authority.
  const fromBrowser = origin !== undefined || site !== undefined || req.get('cookie') !== undefined || SIMPLE_BODY.test(req.get('content-type') ?? '');
  if (fromBrowser && !opts.csrf.verify(req)) {
    return { code: 'csrf', message: `${req.method} ${req.path} needs the form's CSRF token: reload the page and try again` };
  }
  return null;
}

export function crossSiteCheck(opts: CrossSiteOptions): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const b = bearer(req);
    if (b !== null && (!opts.token || tokenEquals(b, opts.token))) return next();
    const why = refusal(req, opts);
    if (why === null) return next();
    opts.log.warn({ path: req.path, origin: req.get('origin') ?? null, sec_fetch_site: req.get('sec-fetch-site') ?? null, code: why.code }, `request refused: ${why.message}`);
    sendError(res, 403, why.code, why.message);
  };
}
