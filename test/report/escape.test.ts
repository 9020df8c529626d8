import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marked } from 'marked';
import { cell, codeBlock, inline, inlineCode, table, visibleControls } from '../../src/report/escape.ts';

type Token = ReturnType<typeof marked.lexer>[number];

function tokens(md: string): Token[] {
  return marked.lexer(md);
}

describe('codeBlock', () => {
  it('uses a fence longer than the longest backtick run inside, and at least three', () => {
    assert.ok(codeBlock('plain').startsWith('```text\n'));
    const block = codeBlock('a ```` b\n``````\nc');
    assert.ok(block.startsWith('```````text\n'), block);
    assert.ok(block.endsWith('\n```````'));
  });

  it('keeps hostile output inside one code block, verbatim apart from controls', () => {
    const hostile = '```\n# heading\n</pre><script>x</script>\n|a|b|\n~~~\n    ```````';
    const parsed = tokens(`before\n\n${codeBlock(hostile)}\n\nafter\n`);
    const kinds = parsed.filter((t) => t.type !== 'space').map((t) => t.type);
    assert.deepEqual(kinds, ['paragraph', 'code', 'paragraph']);
    const code = parsed.find((t) => t.type === 'code');
    assert.equal(code?.type === 'code' ? code.text : null, hostile);
  });

  it('ends an output without a trailing newline before the closing fence', () => {
    assert.equal(codeBlock('x'), '```text\nx\n```');
    assert.equal(codeBlock('x\n'), '```text\nx\n```');
  });
});

describe('visibleControls', () => {
  it('shows ESC, BEL, NUL and DEL as control pictures and keeps newlines and tabs', () => {
    assert.equal(visibleControls('\x1b[31mred\x07\x00\x7f\tend\n'), '␛[31mred␇␀␡\tend\n');
  });

  it('shows bidi overrides, zero-width and line separators as escapes', () => {
    assert.equal(visibleControls('a\u202eb\u200bc\u2028d'), 'a\\u{202e}b\\u{200b}c\\u{2028}d');
  });

  it('treats CRLF as a newline and shows a lone CR', () => {
    assert.equal(visibleControls('a\r\nb\rc'), 'a\nb␍c');
  });
});

describe('inline and cell', () => {
  it('keep pipes, HTML and newlines from breaking a table row', () => {
    const md = table(['name', 'value'], [[cell('Evil | <b>x</b>\n# not a heading'), cell('ok')]]);
    const parsed = tokens(md);
    const tbl = parsed.find((t) => t.type === 'table');
    assert.ok(tbl && tbl.type === 'table');
    assert.equal(tbl.rows.length, 1);
    assert.equal(tbl.rows[0]?.length, 2);
    assert.equal(tbl.rows[0]?.[1]?.text, 'ok');
    const html = marked.parse(md, { async: false });
    assert.ok(!html.includes('<b>'), html);
    assert.ok(html.includes('&lt;b&gt;'), html);
  });

  it('cannot start a heading, a list, a quote or a numbered item', () => {
    for (const text of ['# title', '- item', '+ item', '> quote', '1. first', '===']) {
      const parsed = tokens(`${inline(text)}\n`);
      assert.equal(parsed[0]?.type, 'paragraph', `${text} → ${inline(text)}`);
    }
  });

  it('leaves ordinary text readable', () => {
    assert.equal(inline('version 0.1.0 (beta)'), 'version 0.1.0 (beta)');
  });

  it('writes a dash for an empty cell', () => {
    assert.equal(cell(null), '–');
    assert.equal(cell(''), '–');
  });
});

describe('inlineCode', () => {
  it('wraps text containing backticks in a longer delimiter', () => {
    assert.equal(inlineCode('a `b` c'), '``a `b` c``');
    assert.equal(inlineCode('`x`'), '`` `x` ``');
    const parsed = tokens(`${inlineCode('`x`')}\n`);
    const p = parsed[0];
    assert.ok(p && p.type === 'paragraph');
    assert.equal(p.tokens?.[0]?.type, 'codespan');
  });

  it('keeps a pattern with a newline and a pipe inside one table cell', () => {
    const md = table(['pattern'], [[inlineCode('multi\nline | pipe', { inTable: true })]]);
    const tbl = tokens(md).find((t) => t.type === 'table');
    assert.ok(tbl && tbl.type === 'table');
    assert.equal(tbl.rows.length, 1);
    assert.equal(tbl.rows[0]?.length, 1);
    assert.equal(tbl.rows[0]?.[0]?.tokens[0]?.type, 'codespan');
    assert.equal(tbl.rows[0]?.[0]?.text, '`multi⏎line | pipe`');
  });

  it("keeps a command with a backslash before a pipe (grep 'a\\|b') whole in its table cell, and shows it exactly", () => {
    const command = String.raw`grep 'a\|b' f | wc -l`;
    const md = table(['', ''], [['**Command**', inlineCode(command, { inTable: true })]]);
    const tbl = tokens(md).find((t) => t.type === 'table');
    assert.ok(tbl && tbl.type === 'table');
    assert.equal(tbl.rows[0]?.length, 2);
    const html = marked.parse(md, { async: false });
    const td = /<td>(?!<strong>)(.*?)<\/td>/.exec(html)?.[1] ?? '';
    assert.equal(td.replace(/<[^>]+>/g, '').replace(/&#39;/g, "'"), command);
  });
});
