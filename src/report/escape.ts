/**
 * Markdown safety: nothing a test prints (or a config names) may break the report. Output goes in
 * fenced blocks whose fence is longer than any backtick run inside; text in tables and prose is
 * escaped so `|`, HTML, headings and newlines stay literal; control characters become visible.
 */

/** C0 controls except \t and \n, DEL, C1 controls, and the invisible layout characters "Trojan Source" abuses. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * Makes control characters visible: C0 and DEL as their Unicode control pictures (ESC → ␛, keeping
 * one column each), the rest as `\u{…}`. A CRLF line end is treated as a plain newline.
 */
export function visibleControls(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(INVISIBLE, (ch) => {
    const code = ch.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `\\u{${code.toString(16).padStart(4, '0')}}`;
  });
}

function longestRun(text: string, ch: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === ch ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/**
 * A fenced code block that no content can close early: the fence is one backtick longer than the
 * longest run inside (at least three). Tabs are kept; other controls are made visible.
 */
export function codeBlock(text: string, info = 'text'): string {
  const body = visibleControls(text);
  const fence = '`'.repeat(Math.max(3, longestRun(body, '`') + 1));
  const content = body.endsWith('\n') ? body : `${body}\n`;
  return `${fence}${info}\n${content}${fence}`;
}

/**
 * Characters with a meaning in inline markdown or HTML. `(`, `)` and `{`, `}` need no escape: a
 * link needs a `]` first, which is escaped. CommonMark allows a backslash before any ASCII punctuation.
 */
const INLINE_SPECIAL = /[\\`*_[\]#!|~<>&]/g;

/**
 * Text for prose, list items and headings, kept on one line: newlines become ⏎, markdown and HTML
 * characters are backslash-escaped, and a leading `-`, `+`, `=` or `1.` cannot start a block (`#` and `>` are escaped everywhere).
 */
export function inline(text: string): string {
  const oneLine = visibleControls(text).replace(/\t/g, ' ').replace(/\n/g, ' ⏎ ');
  const escaped = oneLine.replace(INLINE_SPECIAL, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : `\\${ch}`));
  return escaped.replace(/^(\s*)([-+=]|\d+[.)])(?=\s|$)/, (_m, sp: string, lead: string) => `${sp}${lead.replace(/([-+=.)])$/, '\\$1')}`);
}

/** A table cell: as `inline`, and never empty (an empty cell is fine in GFM, but a dash reads better). */
export function cell(text: string | number | null | undefined): string {
  if (text === null || text === undefined || text === '') return '–';
  return inline(String(text));
}

/**
 * An inline code span holding any text: the delimiter is longer than any backtick run inside, and
 * padded when the text starts or ends with a backtick. In a table `|` is escaped, because GFM
 * splits rows on it even inside code spans (and removes the backslash there); elsewhere a code span
 * shows backslashes literally, so it is left alone.
 */
export function inlineCode(text: string, opts: { inTable?: boolean } = {}): string {
  const oneLine = visibleControls(text).replace(/\t/g, ' ').replace(/\n/g, '⏎');
  if (oneLine === '') return '`` ``';
  // GFM reads `\\|` as an escaped backslash and then a cell border, and a code span cannot show
  // `\|` itself: such text goes in the cell as escaped prose, which shows it exactly.
  if (opts.inTable && /\\\|/.test(oneLine)) return inline(text);
  const ticks = '`'.repeat(longestRun(oneLine, '`') + 1);
  const pad = oneLine.startsWith('`') || oneLine.endsWith('`') || /^ .* $/.test(oneLine) ? ' ' : '';
  const body = opts.inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A GFM table; every cell must already be escaped with `cell`/`inlineCode`. */
/**
 * Key-value rows as a table whose head is the first pair: GFM needs a head row, and an empty one
 * shows as a blank bar above the table.
 */
export function keyValueTable(rows: readonly (readonly [string, string])[]): string {
  const bold = rows.map(([k, v]) => [`**${k}**`, v] as const);
  const [head, ...rest] = bold;
  return head === undefined ? '' : table(head, rest);
}

export function table(head: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const sep = head.map((_, i) => (align?.[i] === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(sep), ...rows.map(line)].join('\n');
}
