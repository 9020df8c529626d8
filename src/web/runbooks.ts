/**
 * GET /runbooks: the operations guide (docs/operations.md) as one HTML page, every heading an
 * anchor, so an alert's runbook_url (`<external URL>/runbooks#<alert name in lower case>`) opens
 * its runbook wherever stressd runs. Mount it: `app.use('/runbooks', runbooksRouter(path))`.
 * The file is read on each request (it is small and rarely asked for), so an edit shows at once.
 */
import { readFile } from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { Marked, type Tokens } from 'marked';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const SAFE_HREF = /^(https?:|mailto:|#|\/|\.{0,2}\/|[^:]*$)/i;

/** Markdown → HTML with an id on every heading (repeats get -1, -2, … as on GitHub). */
export function renderRunbooks(markdown: string): string {
  const seen = new Map<string, number>();
  const marked = new Marked({
    gfm: true,
    async: false,
    renderer: {
      heading({ tokens, depth, text }: Tokens.Heading): string {
        const base = slug(text);
        const count = seen.get(base) ?? 0;
        seen.set(base, count + 1);
        const id = count === 0 ? base : `${base}-${count}`;
        return `<h${depth} id="${escapeHtml(id)}"><a href="#${escapeHtml(id)}">${this.parser.parseInline(tokens)}</a></h${depth}>\n`;
      },
      // Our own document, but raw HTML in it would still bypass the page's CSP: show it as text.
      html({ text }: Tokens.HTML | Tokens.Tag): string {
        return escapeHtml(text);
      },
    },
    walkTokens(token) {
      if (token.type === 'link' || token.type === 'image') {
        const t = token as Tokens.Link | Tokens.Image;
        if (!SAFE_HREF.test(t.href.trim())) t.href = '#';
      }
    },
  });
  return marked.parse(markdown, { async: false });
}

export const RUNBOOKS_CSS = `body{font:14px/1.5 system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:16px 24px;color:#111827}
pre{background:#f3f4f6;padding:8px;overflow:auto} code{font-size:13px} table{border-collapse:collapse}
th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:left} h1 a,h2 a,h3 a,h4 a{color:inherit;text-decoration:none}
:target{background:#fef3c7}`;

export function runbooksPage(markdown: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>stressd runbooks</title><style>${RUNBOOKS_CSS}</style></head>
<body><p><a href="/">← status</a></p>
${renderRunbooks(markdown)}
</body></html>
`;
}

/** A router answering GET / (and HEAD) with the page made from the markdown at `markdownPath`. */
export function runbooksRouter(markdownPath: string): Router {
  const router = Router();
  router.get('/', async (_req: Request, res: Response) => {
    let markdown: string;
    try {
      markdown = await readFile(markdownPath, 'utf8');
    } catch (err) {
      const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unreadable';
      // The path is the operator's own config, not a secret; it says what to fix.
      res.status(503).type('text/plain').send(`runbooks are not available: ${markdownPath}: ${code}\n`);
      return;
    }
    res.type('html').send(runbooksPage(markdown));
  });
  return router;
}
