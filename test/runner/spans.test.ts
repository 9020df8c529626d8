import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claudeAttributes } from '../../src/runner/spans.ts';
import { serverAttributes } from '../../src/runner/session-span.ts';

const claude = (over: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4', session_id: 's', claude_version: '1.0', total_cost_usd: 0.5, num_turns: 3, duration_ms: 10, duration_api_ms: 9,
  is_error: false, subtype: 'success',
  usage: { input_tokens: 10, output_tokens: 20, cache_read_input_tokens: 300, cache_creation_input_tokens: null },
  ...over,
});

test('Claude figures follow the GenAI conventions: input counts cached tokens, cost stays stressd\'s', () => {
  assert.deepEqual(claudeAttributes(claude()), {
    'gen_ai.response.model': 'claude-sonnet-4',
    'gen_ai.usage.input_tokens': 310,
    'gen_ai.usage.cache_read.input_tokens': 300,
    'gen_ai.usage.output_tokens': 20,
    'stressd.claude.cost_usd': 0.5,
    'stressd.claude.num_turns': 3,
  });
});

test('no Claude, no usage or an unknown input count leaves those attributes out rather than guessing', () => {
  assert.deepEqual(claudeAttributes(null), {});
  assert.deepEqual(claudeAttributes(claude({ model: null, usage: null, total_cost_usd: null, num_turns: null })), {});
  const noInput = claudeAttributes(claude({ usage: { input_tokens: null, output_tokens: 5, cache_read_input_tokens: 7, cache_creation_input_tokens: null } }));
  assert.equal(noInput['gen_ai.usage.input_tokens'], undefined);
  assert.equal(noInput['gen_ai.usage.cache_read.input_tokens'], 7);
});

test('server.address and server.port come from the executor URL, with the scheme\'s default port', () => {
  assert.deepEqual(serverAttributes('ws://127.0.0.1:8765/ws/mcp'), { 'server.address': '127.0.0.1', 'server.port': 8765 });
  assert.deepEqual(serverAttributes('wss://executor.example/ws/mcp'), { 'server.address': 'executor.example', 'server.port': 443 });
  assert.deepEqual(serverAttributes('ws://[::1]/ws/mcp'), { 'server.address': '::1', 'server.port': 80 });
  assert.deepEqual(serverAttributes('not a url'), {});
});
