/**
 * The allow-list check. cc_executor only looks at the first whitespace-separated word, so
 * `echo ok && rm -rf …` passes there; here every command of a compound line is checked.
 *
 * Two passes: a small quote-aware scan of the raw text refuses what cannot be checked statically
 * (command and process substitution outside single quotes) and normalises what shell-quote gets
 * wrong (it ignores newlines as separators and starts a comment at a `#` inside a word); then
 * shell-quote's `parse` splits the words and operators, and the first word of every simple
 * command (after `VAR=value` assignments, leading redirections and reserved words) is checked by
 * its basename. A command name that is not a literal (`$CMD`, a glob) is refused.
 *
 * Not a sandbox: an allowed command that runs its arguments (sh, bash, env, xargs, eval, exec,
 * nice, timeout, nohup, sudo, find -exec …) runs anything. Do not allow those.
 */
import { basename } from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';

export type AllowVerdict = { allowed: true } | { allowed: false; name: string };

const SUBSTITUTION = { dollar: '$(…)', backtick: '`…`', process: '<(…)' } as const;

/** Reserved words that may open a simple command without being one. */
const RESERVED = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'time']);
const REDIRECTS = new Set(['>', '>>', '<', '>&', '<&', '<>', '>|']);
/** Marks a variable's place in a word, so that a word built from one is known to be dynamic. */
const VAR_MARK = '\u0000';

type Scan = { ok: true; text: string } | { ok: false; name: string };

/** Quote-aware pre-pass: refuses substitutions, strips comments, turns line breaks into `;`. */
export function scanShell(command: string): Scan {
  let out = '';
  let quote: '' | "'" | '"' = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    const next = command[i + 1];
    if (quote === "'") {
      out += c;
      if (c === "'") quote = '';
      continue;
    }
    if (c === '\\') {
      if (next === '\n') { i++; continue; } // line continuation
      out += next === undefined ? c : c + next;
      i++;
      inWord = true;
      continue;
    }
    if (c === '`') return { ok: false, name: SUBSTITUTION.backtick };
    if (c === '$' && next === '(') return { ok: false, name: SUBSTITUTION.dollar };
    if (quote === '"') {
      out += c;
      if (c === '"') quote = '';
      continue;
    }
    if ((c === '<' || c === '>') && next === '(') return { ok: false, name: SUBSTITUTION.process };
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      out += c;
    } else if (c === '\n') {
      out += ' ; ';
      inWord = false;
    } else if (c === '#') {
      if (inWord) out += '\\#'; // shell-quote would start a comment here; the shell does not
      else while (i + 1 < command.length && command[i + 1] !== '\n') i++;
    } else {
      out += c;
      inWord = !/[\s;&|()<>]/.test(c);
    }
  }
  return { ok: true, text: out };
}

/** Checks every simple command of `command` against `allow` (basenames). */
export function checkCommand(command: string, allow: ReadonlySet<string>): AllowVerdict {
  const scan = scanShell(command);
  if (!scan.ok) return { allowed: false, name: scan.name };
  let tokens: ParseEntry[];
  try {
    // Variables become marked text inside their word, so a name built from one is seen as dynamic.
    tokens = parse(scan.text, (key: string) => `${VAR_MARK}${key}${VAR_MARK}`) as ParseEntry[];
  } catch {
    return { allowed: false, name: command.trim().split(/\s+/)[0] ?? command };
  }
  let expectName = true;
  let skipNext = false;
  for (const token of tokens) {
    if (typeof token === 'string') {
      if (skipNext) { skipNext = false; continue; }
      if (!expectName) continue;
      if (RESERVED.has(token) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(token)) continue;
      expectName = false;
      if (token.includes(VAR_MARK)) return { allowed: false, name: token.split(VAR_MARK).map((part, i) => (i % 2 === 1 ? `$${part}` : part)).join('') };
      const name = basename(token);
      if (!allow.has(name)) return { allowed: false, name };
      continue;
    }
    if ('comment' in token) continue;
    if (token.op === 'glob') {
      if (skipNext) { skipNext = false; continue; }
      if (expectName) return { allowed: false, name: token.pattern };
      continue;
    }
    if (REDIRECTS.has(token.op)) {
      skipNext = true; // the redirection's target is a file name, not a command
      continue;
    }
    // Every other operator (&& || ; ;; | |& & ( ) and anything unknown) starts a new command.
    skipNext = false;
    expectName = true;
  }
  return { allowed: true };
}
