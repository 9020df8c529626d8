/**
 * Credentials in URLs (`ws://user:password@host/…`, which the WebSocket client sends as Basic
 * auth) are needed to connect and nowhere else. The runner redacts what it records (so every sink
 * gets a clean RunResult) and the sinks redact what they show again, in case of older results.
 */

/** `scheme://userinfo@`: the userinfo ends at the last `@` before the host part. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#]*@/gi;

/** Replaces the user name and password of every URL in `text` with `***`. */
export function redactCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}
