/**
 * Guarded reads and request hygiene (DESIGN §5), as express middleware for src/web/http.ts.
 *
 * With a token (STRESSD_TOKEN) everything but the probes and the runbooks needs it: the runs API,
 * reports, logs and the status page all carry command output. A client sends
 * `Authorization: Bearer <token>`; a browser signs in once on the status page's form and gets an
 * HttpOnly, SameSite=Strict cookie holding a digest of the token (never the token itself).
 * `/metrics`, `/healthz` and `/readyz` stay open unless STRESSD_METRICS_TOKEN is set, and then
 * need that one (Prometheus sends it with `authorization` in its scrape config).
 *
 * Bodies are read here, at most 64 KiB: a longer one gets 413 and the connection is closed
 * without reading the rest (body-parser would read it all off before answering).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.ts';
import type { Csrf } from './csrf.ts';
import { renderLoginPage } from './login.ts';

export const BODY_LIMIT = 64 * 1024;
export const COOKIE = 'stressd_session';
const PROBES = new Set(['/metrics', '/healthz', '/readyz']);
const OPEN = (path: string): boolean => path === '/login' || path === '/runbooks' || path.startsWith('/runbooks/');

export interface GuardOptions {
  token?: string | undefined;
  metricsToken?: string | undefined;
  /** The sign-in form's CSRF token (csrf.ts); none: the form carries none (tests of the guard alone). */
  csrf?: Csrf;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Constant time, and no length leak: equal-length digests are compared, never the strings. */
export function tokenEquals(presented: string, token: string): boolean {
  return timingSafeEqual(digest(presented), digest(token));
}

export function bearer(req: Request): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
  return m?.[1] ?? null;
}

/** The cookie's value: a keyed digest, so a leaked cookie is not the token and a new token ends old sessions. */
export function sessionValue(token: string): string {
  return createHash('sha256').update(`stressd-session\0${token}`).digest('base64url');
}

export function cookie(req: Request, name: string): string | null {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message });
}

function unauthorized(req: Request, res: Response, what: string, csrf: Csrf | undefined): void {
  if (req.method === 'GET' && req.path === '/' && req.accepts(['json', 'html']) === 'html') {
    res.status(401).type('html').send(renderLoginPage(null, csrf?.issue(req, res) ?? ''));
    return;
  }
  res.set('WWW-Authenticate', 'Bearer realm="stressd"');
  sendError(res, 401, 'unauthorized', `${what} needs Authorization: Bearer <token>`);
}

/** Decides, per path, which token a request needs, and answers 401 without it. */
export function accessGuard(opts: GuardOptions): RequestHandler {
  return (req, res, next) => {
    if (PROBES.has(req.path)) {
      const b = bearer(req);
      if (!opts.metricsToken || (b !== null && tokenEquals(b, opts.metricsToken))) return next();
      return unauthorized(req, res, `${req.path} (STRESSD_METRICS_TOKEN is set)`, opts.csrf);
    }
    if (!opts.token || OPEN(req.path)) return next();
    const b = bearer(req);
    if (b !== null && tokenEquals(b, opts.token)) return next();
    const c = cookie(req, COOKIE);
    if (c !== null && tokenEquals(c, sessionValue(opts.token))) return next();
    unauthorized(req, res, `${req.method} ${req.path}`, opts.csrf);
  };
}

/** POST /login: the form's token, checked, becomes the session cookie. */
export function loginHandler(opts: GuardOptions): RequestHandler {
  return (req, res) => {
    const form = req.body instanceof URLSearchParams ? req.body : new URLSearchParams();
    const given = form.get('token') ?? '';
    if (!opts.token) return void res.redirect(303, '/');
    if (!tokenEquals(given, opts.token)) {
      return void res.status(401).type('html').send(renderLoginPage('That token is not the one this stressd was started with.', opts.csrf?.issue(req, res) ?? ''));
    }
    res.cookie(COOKIE, sessionValue(opts.token), { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.redirect(303, '/');
  };
}

/**
 * Reads a request body of at most BODY_LIMIT bytes into `req.body`: JSON parsed, a form as
 * URLSearchParams, anything else as a Buffer. Longer: 413 and the connection closes unread.
 */
export function bodyLimit(limit = BODY_LIMIT): RequestHandler {
  return (req, res, next) => {
    const declared = req.get('content-length');
    const chunked = req.get('transfer-encoding') !== undefined;
    if (!chunked && (declared === undefined || declared === '0')) return next();
    const tooLarge = (): void => {
      req.pause();
      res.set('Connection', 'close');
      sendError(res, 413, 'payload_too_large', `request bodies are limited to ${limit} bytes (64 KiB)`);
    };
    if (declared !== undefined && Number(declared) > limit) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.off('data', onData);
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', (err) => {
      if (!done) next(err);
      done = true;
    });
    req.once('end', () => {
      if (done) return;
      done = true;
      parseInto(req, res, Buffer.concat(chunks), next);
    });
  };
}

function parseInto(req: Request, res: Response, raw: Buffer, next: NextFunction): void {
  const type = req.get('content-type') ?? '';
  if (/^application\/(.+\+)?json/i.test(type)) {
    try {
      req.body = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as unknown);
    } catch (err) {
      return sendError(res, 400, 'bad_json', `the request body is not JSON: ${(err as Error).message}`);
    }
  } else if (/^application\/x-www-form-urlencoded/i.test(type)) {
    req.body = new URLSearchParams(raw.toString('utf8'));
  } else {
    req.body = raw;
  }
  next();
}

/** The last handler: JSON {code, message}, never a stack; 5xx are logged. */
export function jsonErrors(log: Logger): (err: unknown, req: Request, res: Response, next: NextFunction) => void {
  return (err, req, res, _next) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) log.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    if (status >= 500) sendError(res, status, 'internal', 'internal error');
    else sendError(res, status, 'bad_request', 'bad request');
  };
}
