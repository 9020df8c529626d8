import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunResultSchema } from '../../src/result/schema.ts';
import { commandHash, executorIdentity, recordedVersions } from '../../src/result/versions.ts';
import { runResult, testResult } from '../fixtures/run-result.ts';

test('the executor is named by its connected frame; a cc_executor frame without a name is cc_executor', () => {
  assert.deepEqual(executorIdentity({ session_id: 's', name: 'stressd-executor', version: '0.9.0', capabilities: [] }), { name: 'stressd-executor', version: '0.9.0' });
  assert.deepEqual(executorIdentity({ session_id: 's', version: '1.0.0', capabilities: [] }), { name: 'cc_executor', version: '1.0.0' });
  assert.deepEqual(executorIdentity({ session_id: 's' }), { name: 'cc_executor', version: null });
  assert.equal(executorIdentity('connected'), null);
});

test('the command hash is the first 12 hex digits of the sha256 of the command text', () => {
  assert.match(commandHash('echo hi'), /^[0-9a-f]{12}$/);
  assert.equal(commandHash('echo hi'), commandHash('echo hi'));
  assert.notEqual(commandHash('echo hi'), commandHash('echo hi '));
});

test('results with and without versions both load; an older one yields what it kept', () => {
  const old = runResult({ tests: [testResult({ claude: null })] });
  assert.equal(RunResultSchema.safeParse(JSON.parse(JSON.stringify(old))).success, true);
  const versions = { executor: { name: 'stressd-executor', version: '0.9.0' }, model: 'm', claude_code_version: '2.0.14', command_hash: commandHash('echo hi') };
  const recorded = runResult({ sut: { executor: versions.executor, stressd_version: '0.1.0' }, tests: [testResult({ versions })] });
  const parsed = RunResultSchema.parse(JSON.parse(JSON.stringify(recorded)));
  assert.deepEqual(parsed.tests[0]?.versions, versions);
  assert.equal(RunResultSchema.safeParse({ ...recorded, sut: { executor: { name: 1 } } }).success, false);
  assert.deepEqual(recordedVersions(old, old.tests[0]!), {
    executor_name: null, executor_version: null, model: null, claude_code_version: null, command_hash: commandHash('echo hi'), stressd_version: '0.1.0',
  });
  assert.equal(recordedVersions(recorded, recorded.tests[0]!).executor_version, '0.9.0');
});
