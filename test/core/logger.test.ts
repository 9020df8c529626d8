import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, localTime, logFormat, prettyLine } from '../../src/logger.ts';

/** A pino destination that keeps what it is given. */
function capture(): { write(s: string): void; text(): string } {
  let out = '';
  return { write: (s: string) => void (out += s), text: () => out };
}

test('STRESSD_LOG_FORMAT wins; unset, a terminal gets pretty lines and a pipe JSON', () => {
  assert.equal(logFormat({}, true), 'pretty');
  assert.equal(logFormat({}, false), 'json');
  assert.equal(logFormat({ STRESSD_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({ STRESSD_LOG_FORMAT: 'PRETTY' }, false), 'pretty');
  assert.throws(() => logFormat({ STRESSD_LOG_FORMAT: 'yaml' }, true), /STRESSD_LOG_FORMAT must be "json" or "pretty", got "yaml"/);
});

test('the JSON format is one pino object per line, with epoch-millisecond time', () => {
  const out = capture();
  createLogger({ format: 'json', destination: out }).child({ runId: 'r1' }).info({ url: 'http://127.0.0.1:9464/' }, 'listening');
  const entry = JSON.parse(out.text()) as Record<string, unknown>;
  assert.equal(entry.msg, 'listening');
  assert.equal(entry.runId, 'r1');
  assert.equal(entry.level, 30);
  assert.equal(typeof entry.time, 'number');
});

test('the pretty format is a local-time line with the level, message and fields', () => {
  const out = capture();
  const before = Date.now();
  createLogger({ format: 'pretty', destination: out }).child({ runId: 'r1' }).warn({ suite: 'demo', note: 'two words' }, 'run skipped');
  const line = out.text();
  assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}run skipped runId=r1 suite=demo note="two words"\n$/);
  assert.ok([localTime(before), localTime(Date.now())].some((t) => t.slice(0, 5) === line.slice(0, 5)), `${line} is not in local time`);
  assert.doesNotMatch(line, /"level"|pid=|hostname=/);
});

test('an error shows its message and stack under the line', () => {
  const out = capture();
  createLogger({ format: 'pretty', destination: out }).error({ err: new Error('disk full') }, 'report not written');
  const [head, ...stack] = out.text().trimEnd().split('\n');
  assert.match(head ?? '', / ERROR report not written$/);
  assert.match(stack[0] ?? '', /^ {4}Error: disk full$/);
  assert.ok(stack.length > 1, 'no stack frames');
});

test('a line that is not JSON passes through unchanged', () => {
  assert.equal(prettyLine('plain text'), 'plain text\n');
  assert.equal(localTime(new Date(2026, 10, 30, 9, 5, 7, 42).getTime()), '09:05:07.042');
});

test('fields that are null or undefined are left out of the line, in both formats; nested ones stay', () => {
  const json = capture();
  createLogger({ format: 'json', destination: json }).info({ testId: 'a', outcome: 'passed', reason: null, detail: undefined, changes: [{ previous: null }] }, 'test ended');
  const entry = JSON.parse(json.text()) as Record<string, unknown>;
  assert.ok(!('reason' in entry) && !('detail' in entry), json.text());
  assert.deepEqual(entry.changes, [{ previous: null }]);
  const pretty = capture();
  createLogger({ format: 'pretty', destination: pretty }).info({ testId: 'a', reason: null }, 'test ended');
  assert.match(pretty.text(), / INFO {2}test ended testId=a\n$/);
  assert.equal(prettyLine(JSON.stringify({ level: 30, time: 0, msg: 'm', reason: null, n: 0 })).replace(/^\S+ \S+ +/, ''), 'm n=0\n');
});
