/**
 * Response headers every route carries (DESIGN §5), set by helmet: a Content-Security-Policy that
 * allows no script at all and only the pages' own <style> blocks (by hash), no framing, no
 * sniffing, no referrer. The pages are server-rendered with no script, so nothing needs more.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { LOGIN_CSS } from './login.ts';
import { STATUS_CSS } from './page.ts';
import { REPORT_CSS } from './report-html.ts';
import { RUNBOOKS_CSS } from './runbooks.ts';

function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`;
}

export const STYLE_HASHES = [STATUS_CSS, REPORT_CSS, LOGIN_CSS, RUNBOOKS_CSS].map(styleHash);

export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'none'"],
        'style-src': STYLE_HASHES,
        'img-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    // Served over plain HTTP on loopback by default: HSTS would only matter behind a TLS proxy, which sets its own.
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
}
