import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownToHtml, renderReportPage } from '../../src/web/report-html.ts';

test('renders markdown headings, tables and fences', () => {
  const html = markdownToHtml('# Run\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\ncode\n```\n');
  assert.match(html, /<h1[^>]*>Run<\/h1>/);
  assert.match(html, /<table>/);
  assert.match(html, /<pre><code>code/);
});

test('escapes raw HTML in the markdown instead of passing it through', () => {
  const html = markdownToHtml('before\n\n<script>alert(1)</script>\n\ninline <img src=x onerror=alert(1)> text\n');
  assert.doesNotMatch(html, /<script>/);
  assert.doesNotMatch(html, /<img/);
  assert.match(html, /&lt;script&gt;/);
});

test('defuses javascript: and data: links', () => {
  const html = markdownToHtml('[x](javascript:alert(1)) [y](data:text/html,hi) [ok](https://example.org/a) [rel](/api/runs)');
  assert.doesNotMatch(html, /javascript:/);
  assert.doesNotMatch(html, /data:text/);
  assert.match(html, /href="https:\/\/example.org\/a"/);
  assert.match(html, /href="\/api\/runs"/);
});

test('the page escapes its title', () => {
  assert.match(renderReportPage('hi', '<b>t</b>'), /<title>&lt;b&gt;t&lt;\/b&gt;<\/title>/);
});

test("keeps each test section's anchor and nothing else of the kind", () => {
  const html = markdownToHtml('<a id="test-essay_1"></a>\n\n### 1. PASSED: Essay\n\n<a id="test-x" onclick="alert(1)"></a>\n\n<a id="other"></a>\n');
  assert.match(html, /<a id="test-essay_1"><\/a>/);
  assert.doesNotMatch(html, /<a id="test-x"/);
  assert.doesNotMatch(html, /<a id="other"/);
});
