/**
 * The status page's account of the running config: when it was loaded, whether each file on disk
 * still holds what was loaded (an edit takes effect on SIGHUP, not before), and how the last
 * reload went.
 */
import { escapeHtml as e, relativeTime } from './html.ts';

export interface ConfigStatus {
  /** When the configs now running were read (start-up or the last good reload). */
  loadedAt: Date;
  /** `onDisk`: "same" as loaded, "changed" since, or "unreadable" now. */
  files: readonly { path: string; onDisk: 'same' | 'changed' | 'unreadable' }[];
  /** The last SIGHUP reload; null: none since start. */
  lastReload: { at: Date; ok: boolean; problems: readonly string[] } | null;
}

const DISK_WORDS = {
  same: '<span class="muted">same on disk</span>',
  changed: '<strong>changed on disk since</strong> <span class="muted">(send SIGHUP to reload)</span>',
  unreadable: '<strong>unreadable on disk now</strong>',
} as const;

export function renderConfigSection(c: ConfigStatus, now: Date): string {
  const files = c.files.map((f) => `<li data-on-disk="${f.onDisk}"><code>${e(f.path)}</code> — ${DISK_WORDS[f.onDisk]}</li>`).join('');
  const r = c.lastReload;
  const reload = r === null
    ? ''
    : r.ok
      ? `<p>Last reload ${e(r.at.toISOString())} <span class="muted">(${e(relativeTime(r.at, now))})</span>: applied.</p>`
      : `<p id="reload-failed"><strong>Last reload ${e(r.at.toISOString())} failed</strong>; the configs above keep running:</p><ul>${r.problems.map((p) => `<li><code>${e(p)}</code></li>`).join('')}</ul>`;
  return `<section id="config"><h2>Config</h2>
<p>Loaded <span id="config-loaded">${e(c.loadedAt.toISOString())}</span> <span class="muted">(${e(relativeTime(c.loadedAt, now))})</span></p>
<ul>${files}</ul>
${reload}</section>`;
}
