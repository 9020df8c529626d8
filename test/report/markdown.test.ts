import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked, type Tokens } from 'marked';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { DURATION_BUCKETS, OUTPUT_BUCKETS } from '../../src/report/distribution.ts';
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
      'Over runs',
      'Failure reasons',
      'Compared with the baseline',
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

  it('names the system under test in the summary when the run recorded it, and not for an older run', () => {
    const executor = { name: 'stressd-executor', version: '0.9.0' };
    const versions = { executor, model: 'claude-opus-4-1', claude_code_version: '2.0.14', command_hash: 'abc' };
    const recorded = renderMarkdown(runResult({ sut: { executor, stressd_version: '0.1.0' }, tests: [testResult({ id: 'a', outcome: 'passed', versions }), testResult({ id: 'b', outcome: 'passed', versions })] }));
    assert.match(section(recorded, 'Summary'), /\| \*\*System under test\*\* \| executor stressd-executor 0\.9\.0; Claude claude-opus-4-1 \(Claude Code 2\.0\.14\) \|/);
    assert.doesNotMatch(section(md, 'Summary'), /System under test/);
  });

  it('says GRADUATED when the run graduated', () => {
    const ok = renderMarkdown(runResult({ graduated: true, verdict: null, tests: [testResult({ id: 'a', outcome: 'passed' })] }));
    assert.match(section(ok, 'Summary'), /\| GRADUATED \|/);
    assert.match(section(ok, 'Failure reasons'), /None: every test passed/);
  });

  it('writes "not measured", never 0, for unmeasured resources, and notes that summed RSS double-counts', () => {
    const s = section(md, 'Resource usage summary');
    const row = s.split('\n').find((l) => l.startsWith('| remote\\_error'));
    assert.ok(row, s);
    assert.match(row, /not measured \| not measured/);
    assert.doesNotMatch(row, /\b0(\.0)?%|\b0 B/);
    assert.match(s, /once per process/);
    const none = renderMarkdown(runResult({ tests: [testResult({ id: 'r', outcome: 'passed', resources: { measured: false, why: 'remote' } })] }));
    assert.match(section(none, 'Resource usage summary'), /Overall: not measured/);
  });

  it('names the memory method (PSS) and writes "not measured" for a CPU rate read once, never 0%', () => {
    const resources = {
      measured: true as const, peak_cpu_ratio: null, cpu_why: 'no two readings 100 ms apart', cpu_seconds: 0, peak_memory_bytes: 2 * 1024 * 1024,
      peak_rss_sum_bytes: 6 * 1024 * 1024, memory_method: 'pss' as const, samples: 1, executor_peak_cpu_ratio: null, executor_peak_memory_bytes: null,
    };
    const s = section(renderMarkdown(runResult({ tests: [testResult({ id: 'instant', outcome: 'passed', resources })] })), 'Resource usage summary');
    assert.match(s, /\| Memory \(PSS\) \| 2\.0 MiB \| 2\.0 MiB \|/);
    assert.match(s, /\| CPU \(of one core\) \| not measured \| not measured \|/);
    const row = s.split('\n').find((l) => l.startsWith('| instant'));
    assert.match(row ?? '', /^\| instant \| not measured \| 2\.0 MiB \(PSS\) \| 6\.0 MiB \|/);
    assert.doesNotMatch(row ?? '', /\b0(\.0)?%/);
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
    // passed (answer head + tail, output), failed (head + tail), timeout (one block); the error test has no output.
    assert.equal(code.length, 6);
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
    assert.match(section(md, 'Output size distribution'), /\| 100 kB–1 MB \| 1 \| [█]+ \| pattern\\_miss \|/);
  });

  it("keeps every cut point of the original's distributions, so its counts can be derived", () => {
    const bounds = (bs: readonly { below: number }[]) => new Set(bs.map((b) => b.below));
    for (const s of [120, 180, 240]) assert.ok(bounds(DURATION_BUCKETS).has(s), `duration ${s} s`);
    for (const c of [10_000, 50_000, 100_000]) assert.ok(bounds(OUTPUT_BUCKETS).has(c), `output ${c}`);
    assert.match(section(md, 'Duration distribution'), /\| 2–3 min \| 0 \|/);
    assert.match(section(md, 'Output size distribution'), /\| 10–50 kB \| 0 \|/);
  });

  it('gives the average duration and the total output in the summary, as the original did', () => {
    const s = section(md, 'Summary');
    // (8.2 + 8.2 + 30.01 + 0.01) / 4 = 11.605 s; 2,048 + 250,000 + 2,048 + 0 bytes.
    assert.match(s, /\| \*\*Average duration\*\* \| 11\.6 s per test \|/);
    assert.match(s, /\| \*\*Total output\*\* \| 248\.1 KiB \(254,096 bytes; 120 lines, 120 chunks\) \|/);
  });

  it('gives the average and the peak of memory and CPU over the measured tests', () => {
    const s = section(md, 'Resource usage summary');
    assert.match(s, /\| Memory \(RSS sum\) \| 150\.0 MiB \| 150\.0 MiB \|/);
    assert.match(s, /\| CPU \(of one core\) \| 85\.0% \| 85\.0% \|/);
    assert.match(s, /Over the 3 of 4 tests that were measured/);
    const mixed = renderMarkdown(runResult({ tests: [
      testResult({ id: 'a', outcome: 'passed', resources: { measured: true, peak_cpu_ratio: 0.2, peak_memory_bytes: 100 * 1024 * 1024, samples: 3, executor_peak_cpu_ratio: null, executor_peak_memory_bytes: null } }),
      testResult({ id: 'b', outcome: 'passed', resources: { measured: true, peak_cpu_ratio: 1.0, peak_memory_bytes: 300 * 1024 * 1024, samples: 3, executor_peak_cpu_ratio: null, executor_peak_memory_bytes: null } }),
    ] }));
    assert.match(section(mixed, 'Resource usage summary'), /\| Memory \(RSS sum\) \| 200\.0 MiB \| 300\.0 MiB \|/);
    assert.match(section(mixed, 'Resource usage summary'), /\| CPU \(of one core\) \| 60\.0% \| 100\.0% \|/);
  });

  it('shows where each found pattern first appeared, in seconds and bytes', () => {
    assert.match(md, /\| \*\*Patterns found\*\* \| `python` at 1\.25 s, byte 1,234; `production` at 7\.50 s, byte 20,480 \|/);
  });

  it('shows the answer a person reads, head and tail, fenced so that it cannot break the document', () => {
    const passed = md.slice(md.indexOf('PASSED: Test python'), md.indexOf('FAILED: Evil'));
    assert.match(passed, /Answer preview \(the text Claude wrote, unescaped\): the first \d+ characters/);
    assert.match(passed, /`{4,}text\nThe answer begins here\.\nnormal line/);
    assert.match(passed, /the last 28 characters/);
    assert.match(passed, /Raw output preview/);
    const tokens = marked.lexer(passed).filter((t) => t.type === 'code').map((t) => (t as { text: string }).text);
    assert.ok(tokens.some((t) => t.startsWith('The answer begins here.') && t.includes('</details>')), 'the hostile answer stays inside one code block');
    assert.ok(tokens.includes('and the answer ends ``` here'));
  });

  it('previews head and tail separately when the output was longer than the head', () => {
    const failed = md.slice(md.indexOf('FAILED: Evil'), md.indexOf('TIMEOUT: Test'));
    assert.match(failed, /the first \d+ characters/);
    assert.match(failed, /the last 23 characters/);
  });

  it('has no table with an empty head row', () => {
    const tables = marked.lexer(md).filter((t): t is Tokens.Table => t.type === 'table');
    assert.ok(tables.length > 3);
    for (const t of tables) assert.ok(t.header.some((h) => h.text.trim() !== ''), `a table with an empty head: ${t.raw.slice(0, 80)}`);
  });

  it('gives each test section an anchor of its id, before its heading', () => {
    const result = runResult();
    for (const t of result.tests) assert.match(md, new RegExp(`^<a id="test-${t.id}"></a>\n\n### `, 'm'));
  });

  it('writes no emoji: outcomes, graduation and verdicts are words', () => {
    assert.doesNotMatch(md, /[\u{1F300}-\u{1FAFF}\u{2600}-\u{27BF}]|\u{FE0F}/u);
  });
});
