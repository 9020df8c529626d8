/** The status page's login form, shown instead of the page when a token is set and none was given. */
import { escapeHtml } from './html.ts';

/** The form field (and, for scripts, the X-CSRF-Token header) that carries the CSRF token (csrf.ts). */
export const CSRF_FIELD = '_csrf';

/** Exported for the Content-Security-Policy's style hash (headers.ts). */
export const LOGIN_CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#111827;background:#f9fafb}
main{max-width:420px;margin:64px auto;padding:16px 24px;background:#fff;border:1px solid #e5e7eb;border-radius:6px}
h1{font-size:18px} input{width:100%;box-sizing:border-box;padding:6px;margin:8px 0} .err{color:#991b1b}`;

/** `csrf`: the token of this browser's pre-sign-in session (csrf.ts). */
export function renderLoginPage(problem: string | null, csrf: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>stressd: sign in</title><style>${LOGIN_CSS}</style></head>
<body><main><h1>stressd</h1>
<p>This stressd needs its token (<code>STRESSD_TOKEN</code>) to show runs and command output.</p>
${problem ? `<p class="err">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/login"><input type="hidden" name="${CSRF_FIELD}" value="${escapeHtml(csrf)}"><label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button></form></main></body></html>
`;
}
