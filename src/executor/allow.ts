/**
 * The allow-list check (DESIGN §12, docs/executor.md). cc_executor only looks at the first
 * whitespace-separated word, so `echo ok && rm -rf …` passes there; here the whole line is read
 * by a strict reader (shell-words.ts) and every simple command in it must run an allowed program:
 *
 * - named by a plain word (no quotes, escapes, variables, globs): `ec''ho` and `\echo` are refused;
 * - by bare name when the bare name was allowed (the shell resolves it on the executor's PATH),
 *   or by exactly the path that was allowed: `/tmp/x/echo` is not `echo`;
 * - with no variable assignment in front of it (`LD_PRELOAD=… echo`);
 * - never a wrapper that runs another program, a shell keyword or a builtin that changes the
 *   shell, even when allowed by name; a shell only without `-c`, `find` without `-exec`.
 *
 * Not a sandbox: an allowed program that runs code of its own (python, node, make, git with
 * hooks) can do anything its user can. See docs/security.md.
 */
import { basename } from 'node:path';
import { readCommandLine, type Refusal, type SimpleCommand } from './shell-words.ts';

export type AllowVerdict = { allowed: true } | { allowed: false; name: string; why: string };

/** Programs whose job is to run another program (or text as a program). */
export const WRAPPERS = new Set([
  'env', 'time', 'exec', 'command', 'builtin', 'nohup', 'nice', 'ionice', 'renice', 'timeout', 'xargs',
  'sudo', 'su', 'doas', 'runuser', 'setsid', 'eval', 'source', '.', 'chroot', 'unshare', 'nsenter',
  'flock', 'stdbuf', 'script', 'watch', 'parallel', 'strace', 'ltrace', 'gdb', 'chrt', 'taskset',
  'setpriv', 'busybox', 'trap', 'fc', 'pkexec', 'systemd-run', 'capsh', 'ld.so', 'expect',
]);

/** Keywords that open compound commands, and builtins that change the shell the rest of the line runs in. */
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'for', 'in', 'case', 'esac', 'select', 'function', 'coproc', '[[', ']]']);
const SHELL_STATE = new Set(['alias', 'unalias', 'export', 'readonly', 'declare', 'typeset', 'local', 'set', 'unset', 'shopt', 'enable', 'hash', 'ulimit', 'umask', 'cd', 'pushd', 'popd', 'exit', 'return', 'read', 'mapfile', 'readarray', 'let', 'getopts', 'shift', 'wait', 'jobs', 'fg', 'bg', 'disown', 'kill']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'fish', 'csh', 'tcsh', 'rbash', 'yash', 'posh']);
const FIND_RUNS = new Set(['-exec', '-execdir', '-ok', '-okdir']);

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;
const BARE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._+/-]+$/;

/** Checks every simple command of `command` against `allow` (bare names and exact absolute paths). */
export function checkCommand(command: string, allow: ReadonlySet<string>): AllowVerdict {
  const read = readCommandLine(command);
  if (!read.ok) return refused(read.refusal);
  if (read.commands.length === 0) return refused({ what: command.trim().slice(0, 20), why: 'no command in the line (only comments or blanks)' });
  for (const simple of read.commands) {
    const problem = checkSimple(simple, allow);
    if (problem) return refused(problem);
  }
  return { allowed: true };
}

function refused(r: Refusal): AllowVerdict {
  return { allowed: false, name: r.what, why: r.why };
}

function checkSimple(simple: SimpleCommand, allow: ReadonlySet<string>): Refusal | null {
  const [program, ...args] = simple.words;
  if (!program) return { what: '', why: 'an empty command' };
  const name = program.raw;
  if (ASSIGNMENT.test(name)) {
    return { what: name.slice(0, name.indexOf('=') + 1), why: 'a variable assignment in front of a command (it can change how any program runs: LD_PRELOAD, NODE_OPTIONS, PATH, IFS)' };
  }
  if (!program.literal) return { what: name, why: 'the program name must be a plain word: no quotes, escapes, variables or globs' };
  const base = basename(name);
  if (KEYWORDS.has(name)) return { what: name, why: 'a shell keyword: only simple commands are accepted' };
  if (WRAPPERS.has(base)) return { what: name, why: 'it runs another program (a wrapper is refused even when allowed by name)' };
  if (SHELL_STATE.has(base)) return { what: name, why: 'a shell builtin that changes the shell itself' };
  if (!BARE_NAME.test(name) && !ABSOLUTE_PATH.test(name)) return { what: name, why: 'a program is named by its bare name or by an absolute path' };
  if (name.includes('/')) {
    if (!allow.has(name)) {
      const hint = allow.has(base) ? ` ("${base}" is allowed by bare name, resolved on the executor's PATH)` : '';
      return { what: name, why: `not the exact path of an allowed program${hint}` };
    }
  } else if (!allow.has(name)) {
    return { what: name, why: 'not on the allow-list' };
  }
  if ((SHELLS.has(base) || base === 'find') && args.some((w) => w.dynamic)) {
    return { what: `${name} ${args.find((w) => w.dynamic)?.raw ?? ''}`, why: `an argument of ${base} built from a variable cannot be checked` };
  }
  const values = args.map((w) => w.value);
  if (SHELLS.has(base) && values.some((v) => /^-[A-Za-z]*c[A-Za-z]*$/.test(v))) {
    return { what: `${name} -c`, why: 'a shell given a command string runs anything' };
  }
  const runs = base === 'find' ? values.find((v) => FIND_RUNS.has(v)) : undefined;
  if (runs !== undefined) return { what: `find ${runs}`, why: 'it runs another program' };
  return null;
}
