/**
 * A strict reader for the small part of POSIX shell syntax the allow-list accepts (DESIGN §12,
 * docs/executor.md): simple commands of words, joined by `;` `&&` `||` `|` `&` and newlines, with
 * redirections only to `/dev/null` and between the command's own streams. Anything outside that
 * grammar is refused here rather than interpreted: an accept-list, so a construct this reader does
 * not know (a bash extension, a quoting trick) can never be mistaken for something harmless.
 *
 * Why not a full shell parser: the command runs under `/bin/sh` (dash) or whatever shell the
 * executor was given, and bash, dash and zsh disagree at the edges (`time`, `&>`, `|&`, `$'…'`,
 * brace expansion). A parser for one dialect would accept what another shell reads differently;
 * refusing everything outside the common core is exact for all of them.
 */

export interface Word {
  /** The word as written. */
  raw: string;
  /** No quotes, escapes, expansions or glob characters: the shell reads it exactly as written. */
  literal: boolean;
  /** The word after quote removal; a `$…` expansion is kept as written and marks it `dynamic`. */
  value: string;
  dynamic: boolean;
}

export interface SimpleCommand {
  words: Word[];
}

export interface Refusal {
  /** What was refused, as written (or a short name for it). */
  what: string;
  why: string;
}

export type ReadResult = { ok: true; commands: SimpleCommand[] } | { ok: false; refusal: Refusal };

export const MAX_COMMAND_CHARS = 128 * 1024;

const OWN_STREAMS = 'only to /dev/null and between the command\'s own streams (2>&1, >&2) are accepted';
const GLOB = new Set(['*', '?', '[', ']']);
/** Characters that end a word. */
const BREAK = /[ \t\n;&|<>()]/;

class Refused extends Error {
  constructor(readonly refusal: Refusal) {
    super(refusal.why);
  }
}

const refuse = (what: string, why: string): never => {
  throw new Refused({ what, why });
};

/** Reads `line` into simple commands, or says what in it is outside the accepted grammar. */
export function readCommandLine(line: string): ReadResult {
  try {
    precheck(line);
    return { ok: true, commands: new Reader(line).read() };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, refusal: err.refusal };
    throw err;
  }
}

function precheck(line: string): void {
  if (line.length > MAX_COMMAND_CHARS) refuse(`${line.slice(0, 20)}…`, `a command line of ${line.length} characters; at most ${MAX_COMMAND_CHARS} are accepted`);
  if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(line) || line.includes('\ufffd')) {
    refuse('invalid UTF-8', 'the command line is not valid UTF-8 text');
  }
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const control = /[\x00-\x08\x0b-\x1f\x7f]/.exec(line);
  if (control) {
    const code = control[0].charCodeAt(0);
    refuse(`\\x${code.toString(16).padStart(2, '0')}`, code === 13 ? 'a carriage return (CR) is read as part of a word by the shell' : 'a control character');
  }
}

class Reader {
  private i = 0;
  private readonly commands: SimpleCommand[] = [];
  private words: Word[] = [];
  /** The current command has content (words or redirections). */
  private started = false;
  /** The operator that needs a command after it (`&&`, `||`, `|`), if one is pending. */
  private pending: string | null = null;

  constructor(private readonly s: string) {}

  read(): SimpleCommand[] {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i] as string;
      const next = s[this.i + 1];
      if (c === ' ' || c === '\t') this.i++;
      else if (c === '\\' && next === '\n') this.i += 2; // line continuation
      else if (c === '\n') this.separator('newline', false);
      else if (c === ';') this.separator(';', true, next === ';' ? refuse(';;', 'case syntax is not accepted') : 1);
      else if (c === '&') {
        if (next === '>') refuse('&>', `a bash-only redirection (dash reads it as "&" then ">"); redirections ${OWN_STREAMS}`);
        this.separator(next === '&' ? '&&' : '&', true, next === '&' ? 2 : 1);
      } else if (c === '|') {
        if (next === '&') refuse('|&', 'a bash-only pipe; use 2>&1 |');
        this.separator(next === '|' ? '||' : '|', true, next === '|' ? 2 : 1);
      } else if (c === '#') this.comment();
      else if (c === '<' || c === '>') this.redirect(null);
      else if (c === '(' || c === ')') refuse(c, 'subshells, function definitions and arithmetic are not accepted');
      else this.word();
    }
    if (this.pending !== null && !this.started) refuse(this.pending, 'the line ends without a command after it');
    this.finish();
    return this.commands;
  }

  private separator(op: string, needsCommandBefore: boolean, width = 1): void {
    if (needsCommandBefore && !this.started) refuse(op, 'an operator without a command before it');
    if (op === 'newline' && this.pending !== null && !this.started) {
      this.i += width;
      return; // `a &&⏎ b` continues the list
    }
    this.finish();
    this.pending = op === '&&' || op === '||' || op === '|' ? op : null;
    this.i += width;
  }

  private finish(): void {
    if (!this.started) return;
    if (this.words.length === 0) refuse('redirection', 'a redirection without a command');
    this.commands.push({ words: this.words });
    this.words = [];
    this.started = false;
  }

  private comment(): void {
    while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
  }

  /** At `<` or `>`; `fd` is the number written right before it (`2>`), if any. */
  private redirect(fd: string | null): void {
    const s = this.s;
    const start = this.i - (fd?.length ?? 0);
    let op = s[this.i] as string;
    this.i++;
    const n = s[this.i];
    if (n === '(') refuse(`${op}(…)`, 'process substitution is not accepted');
    if (op === '<' && n === '<') refuse('<<', 'here-documents are not accepted');
    if (n === '>' || n === '&' || n === '|' || (op === '<' && n === '>')) {
      op += n;
      this.i++;
    }
    if (fd !== null && !['0', '1', '2'].includes(fd)) refuse(s.slice(start, this.i), `a redirection of stream ${fd}; only 0, 1 and 2 are accepted`);
    while (s[this.i] === ' ' || s[this.i] === '\t') this.i++;
    if ((s[this.i] === '<' || s[this.i] === '>') && s[this.i + 1] === '(') refuse(`${s[this.i] as string}(…)`, 'process substitution is not accepted');
    const target = this.targetWord();
    const written = s.slice(start, this.i).trim();
    const from = fd ?? (op.startsWith('<') ? '0' : '1');
    const ok =
      ((op === '>' || op === '>>' || op === '<') && target === '/dev/null') ||
      (op === '>&' && (target === '1' || target === '2') && (from === '1' || from === '2'));
    if (!ok) refuse(written, `a redirection ${target === '' ? 'without a target' : `to "${target}"`}; redirections ${OWN_STREAMS}`);
    this.started = true;
  }

  /** A redirection's target: a literal word, or '' when there is none (the caller refuses). */
  private targetWord(): string {
    const start = this.i;
    while (this.i < this.s.length && !BREAK.test(this.s[this.i] as string)) this.i++;
    const raw = this.s.slice(start, this.i);
    return /^[A-Za-z0-9_./-]*$/.test(raw) ? raw : refuse(raw, `a redirection target that is not a plain word; redirections ${OWN_STREAMS}`);
  }

  private word(): void {
    const s = this.s;
    const start = this.i;
    let literal = true;
    let dynamic = false;
    let value = '';
    while (this.i < s.length) {
      const c = s[this.i] as string;
      if (BREAK.test(c)) break;
      if (c === "'") {
        const end = s.indexOf("'", this.i + 1);
        if (end === -1) refuse(s.slice(this.i, this.i + 20), 'an unterminated single quote');
        value += s.slice(this.i + 1, end);
        this.i = end + 1;
        literal = false;
      } else if (c === '"') {
        const inner = this.doubleQuoted();
        value += inner.value;
        dynamic ||= inner.dynamic;
        literal = false;
      } else if (c === '\\') {
        if (this.i + 1 >= s.length) refuse('\\', 'a backslash at the end of the line');
        value += s[this.i + 1] as string;
        this.i += 2;
        literal = false;
      } else if (c === '$') {
        value += this.dollar();
        literal = false;
        dynamic = true;
      } else if (c === '`') refuse('`…`', 'command substitution is not accepted');
      else if (c === '{' || c === '}') refuse(c, 'brace expansion and command groups are not accepted (quote it: \'{\')');
      else if (c === '!') refuse('!', 'history expansion and pipeline negation are not accepted (quote it: \'!\')');
      else {
        if (GLOB.has(c)) literal = false;
        value += c;
        this.i++;
      }
    }
    const raw = s.slice(start, this.i);
    const c = s[this.i];
    if ((c === '<' || c === '>') && /^[0-9]+$/.test(raw)) {
      this.redirect(raw); // `2>…`: the digits are the stream, not a word
      return;
    }
    this.words.push({ raw, literal, value, dynamic });
    this.started = true;
  }

  private doubleQuoted(): { value: string; dynamic: boolean } {
    const s = this.s;
    let value = '';
    let dynamic = false;
    this.i++;
    while (this.i < s.length && s[this.i] !== '"') {
      const c = s[this.i] as string;
      const n = s[this.i + 1];
      if (c === '\\') {
        // Inside double quotes a backslash escapes only $ ` " \ and a newline.
        value += n !== undefined && '$`"\\'.includes(n) ? n : n === '\n' ? '' : c + (n ?? '');
        this.i += 2;
      } else if (c === '`') refuse('`…`', 'command substitution is not accepted');
      else if (c === '$') {
        value += this.dollar();
        dynamic = true;
      } else {
        value += c;
        this.i++;
      }
    }
    if (this.i >= s.length) refuse('"', 'an unterminated double quote');
    this.i++;
    return { value, dynamic };
  }

  /** Only `$NAME`, `${NAME}` and the special parameters (`$1`, `$?` …): nothing that runs or assigns. */
  private dollar(): string {
    const rest = this.s.slice(this.i, this.i + 256);
    const m = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9?#$*@-]|\{[A-Za-z_][A-Za-z0-9_]*\})/.exec(rest);
    if (m) {
      this.i += m[0].length;
      return m[0];
    }
    const n = rest[1];
    if (n === '(') refuse(rest.startsWith('$((') ? '$((…))' : '$(…)', 'command substitution and arithmetic expansion are not accepted');
    if (n === "'") refuse("$'…'", 'ANSI-C quoting is not accepted');
    if (n === '"') refuse('$"…"', 'locale quoting is not accepted');
    if (n === '{') refuse(rest.slice(0, Math.max(2, rest.indexOf('}') + 1)), 'parameter expansion with operators is not accepted; only $NAME and ${NAME}');
    return refuse('$', 'a "$" that is not $NAME or ${NAME}');
  }
}
