import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCommand } from '../../src/executor/allow.ts';

const allow = new Set(['echo', 'cat', 'grep', 'claude', 'true']);
const refused = (command: string): string | undefined => {
  const v = checkCommand(command, allow);
  return v.allowed ? undefined : v.name;
};

test('a simple allowed command passes, checked by the basename of its first word', () => {
  assert.equal(refused('echo hello world'), undefined);
  assert.equal(refused('/bin/echo hello'), undefined);
  assert.equal(refused('claude -p "write a poem" --output-format stream-json'), undefined);
});

test('a command not on the list is refused by name', () => {
  assert.equal(refused('rm -rf x'), 'rm');
  assert.equal(refused('/usr/bin/rm x'), 'rm');
});

test('every command of a compound line is checked', () => {
  assert.equal(refused('echo ok && rm -rf x'), 'rm');
  for (const sep of ['||', ';', '|', '&', '|&', ';;']) assert.equal(refused(`echo ok ${sep} rm x`), 'rm', sep);
  assert.equal(refused('echo ok\nrm x'), 'rm');
  assert.equal(refused('(rm x)'), 'rm');
  assert.equal(refused('echo a | (cat; rm x)'), 'rm');
  assert.equal(refused('{ rm x; }'), 'rm');
  assert.equal(refused('if true; then rm x; fi'), 'rm');
  assert.equal(refused('echo a | grep a | cat'), undefined);
});

test('assignments and leading redirections are skipped to reach the real command name', () => {
  assert.equal(refused('A=1 B="x y" rm x'), 'rm');
  assert.equal(refused('A=$HOME echo x'), undefined);
  assert.equal(refused('>/tmp/x rm y'), 'rm');
  assert.equal(refused('echo a > rm'), undefined);
  assert.equal(refused('echo a 2>&1 | cat'), undefined);
});

test('command and process substitution are refused outside single quotes', () => {
  assert.equal(refused('echo $(rm x)'), '$(…)');
  assert.equal(refused('echo "$(rm x)"'), '$(…)');
  assert.equal(refused('echo `rm x`'), '`…`');
  assert.equal(refused('echo "a`rm`"'), '`…`');
  assert.equal(refused('cat <(rm x)'), '<(…)');
  assert.equal(refused('echo a > >(rm)'), '<(…)');
  assert.equal(refused("echo '$(rm x)' '`rm`'"), undefined);
  assert.equal(refused('echo \\$HOME'), undefined);
});

test('quoted operators are data, not commands', () => {
  assert.equal(refused("echo 'a && rm'"), undefined);
  assert.equal(refused('echo "a; rm"'), undefined);
  assert.equal(refused('echo a\\;rm'), undefined);
});

test('a comment hides what follows only where the shell would, up to the newline', () => {
  assert.equal(refused('echo a # rm x'), undefined);
  assert.equal(refused('echo a#b && rm x'), 'rm');
  assert.equal(refused('echo a # note\nrm x'), 'rm');
  assert.equal(refused('echo "a#b" && rm'), 'rm');
});

test('a command name that is not a literal is refused', () => {
  assert.equal(refused('$CMD x'), '$CMD');
  assert.equal(refused('/bin/r? x'), '/bin/r?');
  assert.equal(refused("r'm' x"), 'rm');
  assert.equal(refused('r\\m x'), 'rm');
});
