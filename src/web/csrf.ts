/**
 * The CSRF token the status page's forms carry ("Run now", sign-in): a keyed digest of the
 * browser's session, so a page on another site can neither read it (same-origin policy) nor
 * reuse one from another browser. The session is the sign-in cookie when there is one, else a
 * random browser cookie set with the first form, both HttpOnly and SameSite=Strict. The key is
 * random per daemon start: a restart invalidates every form, which a reload of the page mends.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { COOKIE, cookie, sessionValue, tokenEquals } from './guard.ts';
import { CSRF_FIELD } from './login.ts';

export { CSRF_FIELD };
export const BROWSER_COOKIE = 'stressd_browser';

export interface Csrf {
  /** The token for this browser's forms; sets the browser cookie when there is no session yet. */
  issue(req: Request, res: Response): string;
  /** True when the request carries the token of its own session. */
  verify(req: Request): boolean;
}

export function createCsrf(token: string | undefined): Csrf {
  const key = randomBytes(32);
  const digest = (session: string): string => createHmac('sha256', key).update(session).digest('base64url');
  const session = (req: Request): string | null => {
    const signedIn = cookie(req, COOKIE);
    if (token && signedIn !== null && tokenEquals(signedIn, sessionValue(token))) return `session\0${signedIn}`;
    const browser = cookie(req, BROWSER_COOKIE);
    return browser !== null && /^[A-Za-z0-9_-]{16,64}$/.test(browser) ? `browser\0${browser}` : null;
  };
  return {
    issue(req, res) {
      const known = session(req);
      if (known !== null) return digest(known);
      const id = randomBytes(18).toString('base64url');
      res.cookie(BROWSER_COOKIE, id, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
      return digest(`browser\0${id}`);
    },
    verify(req) {
      const known = session(req);
      if (known === null) return false;
      const form: unknown = req.body;
      const given = (form instanceof URLSearchParams ? form.get(CSRF_FIELD) : null) ?? req.get('x-csrf-token') ?? '';
      return tokenEquals(given, digest(known));
    },
  };
}
