import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClaudeStreamParser, isClaudeRateLimitText } from '../../src/runner/claude.ts';

const init = '{"type":"system","subtype":"init","cwd":"/p","session_id":"s-1","tools":["Bash"],"mcp_servers":[],"model":"claude-opus-4-20250514","permissionMode":"bypassPermissions","apiKeySource":"none"}';
const assistant = (text: string, out = 1) =>
  JSON.stringify({ type: 'assistant', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-opus-4-20250514', content: [{ type: 'text', text }], stop_reason: null, stop_sequence: null, usage: { input_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 28252, output_tokens: out, service_tier: 'standard' } }, parent_tool_use_id: null, session_id: 's-1' });
const result = '{"type":"result","subtype":"success","is_error":false,"duration_ms":46717,"duration_api_ms":48170,"num_turns":7,"result":"Perfect! Done.","session_id":"s-1","total_cost_usd":0.6989115,"usage":{"input_tokens":16,"cache_creation_input_tokens":23996,"cache_read_input_tokens":70367,"output_tokens":1884,"server_tool_use":{"web_search_requests":0}}}';

test('reads model and session from init and every total from the result line only', () => {
  const p = new ClaudeStreamParser();
  p.feedLine(init + '\n', 1);
  p.feedLine(assistant('a', 500) + '\n', 2);
  p.feedLine(assistant('b', 500) + '\n', 3);
  p.feedLine(result + '\n', 4);
  assert.deepEqual(p.info(), {
    model: 'claude-opus-4-20250514', session_id: 's-1', claude_version: null,
    total_cost_usd: 0.6989115, num_turns: 7, duration_ms: 46717, duration_api_ms: 48170,
    is_error: false, subtype: 'success',
    usage: { input_tokens: 16, output_tokens: 1884, cache_read_input_tokens: 70367, cache_creation_input_tokens: 23996 },
  });
});

test('returns the readable text of assistant blocks and of the result, unescaped', () => {
  const p = new ClaudeStreamParser();
  assert.deepEqual(p.feedLine(assistant('caf\u00e9 "quoted"\nnext'), 10), [{ context: 'assistant', text: 'café "quoted"\nnext' }]);
  assert.deepEqual(p.feedLine(result, 20), [{ context: 'result', text: 'Perfect! Done.' }]);
  assert.equal(p.firstTextAt, 10);
});

test('tool_use blocks are not readable text and do not set the first-text time', () => {
  const p = new ClaudeStreamParser();
  const tool = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id: 't', name: 'Bash', input: { command: 'ls' } }] } });
  assert.deepEqual(p.feedLine(tool, 5), []);
  assert.equal(p.firstTextAt, null);
});

test('garbage, plain text and half lines are ignored without throwing', () => {
  const p = new ClaudeStreamParser();
  for (const line of ['hello world\n', '{"type":"assistant","mess', '{not json}', '[1,2]', '{"no_type":1}', '']) {
    assert.deepEqual(p.feedLine(line, 1), []);
  }
  assert.equal(p.info(), null);
});

test('an error result without the usual fields gives nulls, not guesses', () => {
  const p = new ClaudeStreamParser();
  p.feedLine('{"type":"result","subtype":"error_max_turns","is_error":true,"session_id":"s-2"}', 1);
  const info = p.info();
  assert.equal(info?.is_error, true);
  assert.equal(info?.subtype, 'error_max_turns');
  assert.equal(info?.total_cost_usd, null);
  assert.equal(info?.usage, null);
});

test('a version field on any line is kept', () => {
  const p = new ClaudeStreamParser();
  p.feedLine('{"type":"system","subtype":"init","claude_code_version":"1.0.44","model":"m"}', 1);
  assert.equal(p.info()?.claude_version, '1.0.44');
});

test('recognises Claude usage-limit wording', () => {
  assert.equal(isClaudeRateLimitText('Claude AI usage limit reached|1753200000'), true);
  assert.equal(isClaudeRateLimitText('API Error: 429 rate_limit_error'), true);
  assert.equal(isClaudeRateLimitText('All done, 12 files written'), false);
});

test("output is stream-json only when a line is one of Claude's events, not for any JSON with a type", () => {
  const other = new ClaudeStreamParser();
  other.feedLine('{"type":"log","msg":"hello"}\n', 1);
  assert.equal(other.streamJson, false);
  const claude = new ClaudeStreamParser();
  claude.feedLine(init + '\n', 1);
  assert.equal(claude.streamJson, true);
});
