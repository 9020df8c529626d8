import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { runResult, testResult } from './run-result.ts';

type Token = ReturnType<typeof marked.lexer>[number];

function headings(md: string, depth: number): string[] {
  return marked
    .lexer(md)
    .filter((t): t is Token & { type: 'heading'; depth: number; text: string } => t.type === 'heading' && t.depth === depth)
    .map((t) => t.text);
}

function section(md: string, title: string): string {
  const start = md.indexOf(`\n## ${title}\n`);
  assert.notEqual(start, -1, `section ${title} missing`);
  const end = md.indexOf('\n## ', start + 1);
  return md.slice(start, end === -1 ? undefined : end);
}

describe('renderMarkdown', () => {
  const md = renderMarkdown(runResult());

  it('has every section of the original report and the added ones, in order', () => {
    assert.deepEqual(headings(md, 2), [
      'Summary',
      'Failure reasons',
      'Resource usage summary',
      'Results',
      'Duration distribution',
      'Output size distribution',
      'Stream timing',
      'Cost',
    ]);
  });

  it('gives one results heading per test, hostile names included, with a clear mark of each outcome', () => {
    const tests = headings(md, 3);
    assert.equal(tests.length, 4);
    assert.match(tests[0] ?? '', /PASSED/);
    assert.match(tests[1] ?? '', /FAILED/);
    assert.match(tests[2] ?? '', /TIMEOUT/);
    assert.match(tests[3] ?? '', /ERROR/);
  });

  it('summarises counts, success rate and the graduation verdict with its unmet reasons', () => {
    const s = section(md, 'Summary');
    assert.match(s, /4 total: 1 passed, 1 failed, 1 timeouts, 1 errors/);
    assert.match(s, /25\.0% \(1\/4\)/);
    assert.match(s, /NOT GRADUATED/);
    assert.match(s, /pass rate 25% is below 60%/);
    assert.match(s, /timeouts are not allowed/);
  });

  it('says GRADUATED when the run graduated', () => {
    const ok = renderMarkdown(runResult({ graduated: true, verdict: null, tests: [testResult({ id: 'a', outcome: 'passed' })] }));
    assert.match(section(ok, 'Summary'), /✅ GRADUATED/);
    assert.match(section(ok, 'Failure reasons'), /None: every test passed/);
  });

  it('writes "not measured", never 0, for unmeasured resources, and notes that summed RSS double-counts', () => {
    const s = section(md, 'Resource usage summary');
    const row = s.split('\n').find((l) => l.startsWith('| remote\\_error'));
    assert.ok(row, s);
    assert.match(row, /not measured \| not measured/);
    assert.doesNotMatch(row, /\b0(\.0)?%|\b0 B/);
    assert.match(s, /counted once per process/);
    const none = renderMarkdown(runResult({ tests: [testResult({ id: 'r', outcome: 'passed', resources: { measured: false, why: 'remote' } })] }));
    assert.match(section(none, 'Resource usage summary'), /Overall: not measured/);
  });

  it('lists missing patterns and failure reasons with their details', () => {
    assert.match(md, /\*\*Patterns MISSING\*\* \| \*\*`asyncio`/);
    const f = section(md, 'Failure reasons');
    for (const reason of ['pattern\\_miss', 'timeout', 'connect\\_failed']) assert.ok(f.includes(`| ${reason} |`), reason);
    assert.match(f, /ECONNREFUSED/);
  });

  it('keeps hostile output, names and patterns from breaking the document', () => {
    const tokens = marked.lexer(md);
    const code = tokens.filter((t) => t.type === 'code').map((t) => (t.type === 'code' ? t.text : ''));
    // passed (one block), failed (head + tail), timeout (one block); the error test has no output.
    assert.equal(code.length, 4);
    assert.ok(code.some((c) => c.includes('# not a heading') && c.includes('␛[31m')), 'hostile output stays inside one block');
    const html = marked.parse(md, { async: false });
    assert.ok(!html.includes('<script>'), 'no raw HTML from output or names');
    assert.ok(!html.includes('<b>name'), 'no raw HTML from names');
    const controls = [...md].filter((ch) => { const c = ch.charCodeAt(0); return (c < 0x20 && ch !== '\n' && ch !== '\t') || c === 0x7f; });
    assert.deepEqual(controls, [], 'no raw control characters');
  });

  it('shows stream timing and cost figures, and says when a test is not Claude stream-json', () => {
    assert.match(section(md, 'Stream timing'), /\| python\\_checklist \| 0\.51 s \| 0\.80 s \| 0\.050 s \| 0\.090 s \| 3\.100 s/);
    const cost = section(md, 'Cost');
    assert.match(cost, /\$0\.0123/);
    assert.match(cost, /\*\*total\*\* \| – \| \$0\.0246/);
    assert.match(cost, /slow\\_essay \| not Claude stream-json/);
  });

  it('puts each test in its duration and output size bucket', () => {
    assert.match(section(md, 'Duration distribution'), /\| 30–60 s \| 1 \| [█]+ \| slow\\_essay \|/);
    assert.match(section(md, 'Output size distribution'), /\| 100 KiB–1 MiB \| 1 \| [█]+ \| pattern\\_miss \|/);
  });

  it('previews head and tail separately when the output was longer than the head', () => {
    const failed = md.slice(md.indexOf('FAILED: Evil'), md.indexOf('TIMEOUT: Test'));
    assert.match(failed, /the first \d+ characters/);
    assert.match(failed, /the last 23 characters/);
  });
});
