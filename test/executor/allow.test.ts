import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCommand } from '../../src/executor/allow.ts';

// Wrappers (env, time, nice) and a shell are on the list on purpose: they must be refused anyway
// (env, time) or refused with -c (sh).
const allow = new Set(['echo', 'cat', 'grep', 'claude', 'true', 'sleep', 'sh', 'bash', 'find', 'python3', 'env', 'time', 'nice', '/usr/bin/printf']);

/** [command line, null when accepted or what the refusal names]. */
const TABLE: [string, string | null][] = [
  // accepted: the grammar's whole range
  ['echo hello world', null],
  ['claude -p "write a poem" --output-format stream-json', null],
  ["echo 'a && rm -rf /' \"b; rm\"", null],
  ['echo a\\;rm', null],
  ['echo ok && cat x || true', null],
  ['echo a | grep a | cat', null],
  ['echo a; echo b;', null],
  ['echo a\necho b\n', null],
  ['echo a &&\n echo b', null],
  ['sleep 100 &', null],
  ['echo a 2>&1 | cat', null],
  ['echo a >/dev/null 2>&1', null],
  ['echo a > /dev/null', null],
  ['echo a >>/dev/null', null],
  ['cat </dev/null', null],
  ['echo err >&2', null],
  ['echo err 1>&2', null],
  ['echo a # rm x', null],
  ['# only a comment\necho a', null],
  ['echo a#b', null],
  ['echo $HOME "${USER}" "$1"', null],
  ['echo --flag=value a=b', null],
  ['echo *.txt ~/x', null],
  ['echo\tok', null],
  ['/usr/bin/printf "%s\\n" x', null],
  ['sh script.sh', null],
  ['find . -name "*.ts"', null],
  ['python3 -c "print(1)"', null], // allowed on purpose: python is a full shell (docs/security.md)
  ["echo 'ec''ho' '$(id)' '`id`' '{a,b}' '!'", null],
  ['echo "quoted \\"inner\\" text"', null],
  ['echo héllo 日本', null],
  ['echo a \\\n b', null],
  // known bypasses of an allow list: loader variables, redirections, wrappers
  ['LD_PRELOAD=/tmp/x.so /bin/echo hi', 'LD_PRELOAD='],
  ['LD_PRELOAD=/tmp/x.so echo hi', 'LD_PRELOAD='],
  ["echo '\\x7fELF' > /tmp/x.so", '> /tmp/x.so'],
  ['NODE_OPTIONS="--import=data:text/javascript,1" claude -p hi', 'NODE_OPTIONS='],
  ['time echo ok', 'time'],
  ['/tmp/x/echo hi', '/tmp/x/echo'],
  ['/bin/echo hi', '/bin/echo'],
  ['echo hi >/etc/x', '>/etc/x'],
  ['echo hi >> ~/.bashrc', '~/.bashrc'],
  ['echo hi >> /home/u/.bashrc', '>> /home/u/.bashrc'],
  // the 35 that were already refused
  ['echo ok && rm -rf x', 'rm'],
  ['echo ok || rm x', 'rm'],
  ['echo ok; rm x', 'rm'],
  ['echo ok | rm x', 'rm'],
  ['echo ok & rm x', 'rm'],
  ['echo ok\nrm x', 'rm'],
  ['echo $(rm x)', '$(…)'],
  ['echo "$(rm x)"', '$(…)'],
  ['echo `rm x`', '`…`'],
  ['echo "a`rm`"', '`…`'],
  ['bash -c "rm x"', 'bash -c'],
  ['sh -c id', 'sh -c'],
  ['sh -xc id', 'sh -c'],
  ['sh "-c" id', 'sh -c'],
  ['env rm x', 'env'],
  ['/usr/bin/env rm x', '/usr/bin/env'],
  ['"rm" x', '"rm"'],
  ["'rm' x", "'rm'"],
  ['r?m x', 'r?m'],
  ['/bin/r* x', '/bin/r*'],
  ['cat <<EOF\nx\nEOF', '<<'],
  ['(rm x)', '('],
  ['echo a | (cat; rm x)', '('],
  ['{ rm x; }', '{'],
  ['if true; then rm x; fi', 'if'],
  ['while true; do rm x; done', 'while'],
  ['for f in a; do rm $f; done', 'for'],
  ['$CMD x', '$CMD'],
  ['${CMD} x', '${CMD}'],
  ['echo a#b && rm x', 'rm'],
  ['exec rm x', 'exec'],
  ['eval "rm x"', 'eval'],
  ['xargs rm < /dev/null', 'xargs'],
  ['nohup rm x', 'nohup'],
  ['sudo rm x', 'sudo'],
  ['nice rm x', 'nice'],
  ['timeout 5 rm x', 'timeout'],
  ['find . -exec rm {} ;', '{'],
  ['find . -exec rm "{}" ;', 'find -exec'],
  ['. ./x.sh', '.'],
  ['source ./x.sh', 'source'],
  ['echo ok ;; rm x', ';;'],
  // new ones
  ['a=1 echo', 'a='],
  ['IFS=/ echo', 'IFS='],
  ['PATH=/tmp echo', 'PATH='],
  ['echo 2>/tmp/x', '2>/tmp/x'],
  ['echo <(id)', '<(…)'],
  ['cat <(rm x)', '<(…)'],
  ['echo a > >(rm)', '>(…)'],
  ["ec''ho hi", "ec''ho"],
  ['\\echo hi', '\\echo'],
  ['e\\cho hi', 'e\\cho'],
  ["$'\\x65cho' hi", "$'…'"],
  ['echo {a,b}', '{'],
  ['{echo,hi}', '{'],
  ['! echo', '!'],
  ['echo hi!', '!'],
  ['coproc echo', 'coproc'],
  ['function f { echo; }', '{'],
  ['function f', 'function'],
  ['f() { echo; }', '('],
  ['alias echo=rm', 'alias'],
  ['export X=1', 'export'],
  ['command echo', 'command'],
  ['builtin echo', 'builtin'],
  ['setsid echo', 'setsid'],
  ['su -c id', 'su'],
  ['find . -execdir id ;', 'find -execdir'],
  ['find . -ok id ;', 'find -ok'],
  ["find . -ex''ec id ;", 'find -exec'],
  ['find . $X', 'find $X'],
  ['rm\t-rf x', 'rm'],
  ['echo hi\r', '\\x0d'],
  ['echo\rhi', '\\x0d'],
  ['echo \u0000', '\\x00'],
  ['echo \ud800', 'invalid UTF-8'],
  ['echo \ufffd', 'invalid UTF-8'],
  ['echo &>/dev/null', '&>'],
  ['echo |& cat', '|&'],
  ['echo a >&/dev/null', '>&/dev/null'],
  ['echo a 3>/dev/null', '3>'],
  ['echo a >| /dev/null', '>| /dev/null'],
  ['echo a <&0', '<&0'],
  ['echo a >&-', '>&-'],
  ['echo a > "/dev/null"', '"/dev/null"'],
  ['echo a > /dev/null2', '> /dev/null2'],
  ['echo a >', '>'],
  ['>/dev/null echo a', null],
  ['>/dev/null', 'redirection'],
  ['echo ${X:-$(id)}', '${X:-$(id)}'],
  ['echo $((1+1))', '$((…))'],
  ['echo $"x"', '$"…"'],
  ['echo "unterminated', '"'],
  ["echo 'unterminated", "'unterminated"],
  ['echo a &&', '&&'],
  ['&& echo a', '&&'],
  ['[[ -f x ]]', '[['],
  ['~/bin/echo', '~/bin/echo'],
  ['./echo', './echo'],
  ['../bin/echo', '../bin/echo'],
  ['# nothing', '# nothing'],
  ['case x in x) id;; esac', ')'],
  ['case x in', 'case'],
  ['echo a $\n', '$'],
];

test(`the allow-list table: ${TABLE.length} command lines, each with its verdict`, () => {
  assert.ok(TABLE.length >= 80);
  const wrong: string[] = [];
  for (const [command, expected] of TABLE) {
    const v = checkCommand(command, allow);
    const got = v.allowed ? null : v.name;
    if (got !== expected) wrong.push(`${JSON.stringify(command)}: expected ${expected ?? 'accepted'}, got ${got ?? 'accepted'}${v.allowed ? '' : ` (${v.why})`}`);
  }
  assert.deepEqual(wrong, []);
});

test('a 1 MB line is refused cleanly, by its length, without reading it', () => {
  const line = `echo ${'a'.repeat(1024 * 1024)}`;
  const started = performance.now();
  const v = checkCommand(line, allow);
  assert.equal(v.allowed, false);
  assert.match(v.allowed ? '' : v.why, /at most 131072/);
  assert.ok(performance.now() - started < 200);
});

test('every refusal says why', () => {
  for (const [command, expected] of TABLE) {
    if (expected === null) continue;
    const v = checkCommand(command, allow);
    assert.ok(!v.allowed && v.why.length > 10, command);
  }
});

test('a path is allowed only when that exact path was allowed; the hint names the bare name', () => {
  const v = checkCommand('/bin/echo x', allow);
  assert.ok(!v.allowed && /"echo" is allowed by bare name/.test(v.why));
  assert.equal(checkCommand('printf x', allow).allowed, false);
  assert.equal(checkCommand('/usr/bin/printf x', allow).allowed, true);
});

test('a long but sane line with many commands is read quickly', () => {
  const line = Array.from({ length: 2000 }, (_, i) => `echo "line ${i}" 2>&1`).join(' && ');
  const started = performance.now();
  assert.equal(checkCommand(line, allow).allowed, true);
  assert.ok(performance.now() - started < 500);
});
