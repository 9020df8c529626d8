/**
 * A report's markdown as an HTML page. marked does not sanitise: raw HTML in the markdown (which
 * may quote test output) is escaped rather than passed through, and links or images with a
 * scheme other than http(s)/mailto (javascript:, data:, …) are defused.
 */
import { Marked, type Tokens } from 'marked';
import type { RunResult } from '../result/types.ts';
import { renderCapacityPlot } from './capacity-plot.ts';
import { escapeHtml } from './html.ts';

/** The one raw HTML the report writes itself: each test section's anchor, and where a capacity plot goes (ids are safe names). */
const TEST_ANCHOR = /^<a id="(test|capacity)-[A-Za-z0-9][A-Za-z0-9._-]{0,127}"><\/a>$/;
const CAPACITY_ANCHOR = /<a id="capacity-([A-Za-z0-9][A-Za-z0-9._-]{0,127})"><\/a>\n/g;

const SAFE_HREF = /^(https?:|mailto:|#|\/|\.{0,2}\/|[^:]*$)/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    paragraph({ tokens, raw }: Tokens.Paragraph): string | false {
      return TEST_ANCHOR.test(raw.trim()) ? `${raw.trim()}\n` : `<p>${this.parser.parseInline(tokens)}</p>\n`;
    },
    // Anchors so the status page can link to a section (e.g. #compared-with-the-baseline).
    heading({ tokens, depth, text }: Tokens.Heading): string {
      return `<h${depth} id="${escapeHtml(slug(text))}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
    },
  },
  walkTokens(token) {
    if (token.type === 'link' || token.type === 'image') {
      const t = token as Tokens.Link | Tokens.Image;
      if (!SAFE_HREF.test(t.href.trim())) t.href = '#';
    }
  },
});

/** GitHub-like: lower case, letters and digits kept, everything else a single dash. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[`*_]/g, '').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '');
}

export function markdownToHtml(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

/** Exported for the Content-Security-Policy's style hash (headers.ts). */
// The body scrolls, not the viewport: headless Chromium's screenshots of a viewport scrolled to a
// #fragment come out blank, and a scrolled body renders.
export const REPORT_CSS = `html{height:100%;overflow:hidden}
body{font:14px/1.5 system-ui,sans-serif;height:100%;box-sizing:border-box;overflow:auto;margin:0;padding:16px max(24px,calc((100% - 952px) / 2));color:#111827}
pre{background:#f3f4f6;padding:8px;overflow:auto} code{font-size:13px} table{border-collapse:collapse}
th,td{border:1px solid #e5e7eb;padding:3px 8px;text-align:left}
figure.capacity{margin:8px 0} .capacity-plot{width:100%;max-width:640px;height:auto}`;

/**
 * After each capacity search's anchor, its plot of latency against load (src/web/capacity-plot.ts),
 * drawn from the run's own result; without the run, or for a test it does not have, the anchor stays alone.
 */
export function withCapacityPlots(html: string, run: RunResult | undefined): string {
  if (!run) return html;
  return html.replace(CAPACITY_ANCHOR, (anchor, id: string) => {
    const t = run.tests.find((x) => x.id === id);
    return t?.load?.search ? `${anchor}<figure class="capacity">${renderCapacityPlot(t.load.search, t.id)}</figure>\n` : anchor;
  });
}

export function renderReportPage(markdown: string, title: string, run?: RunResult): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head>
<body><p><a href="/">← status</a></p>
${withCapacityPlots(markdownToHtml(markdown), run)}
</body></html>
`;
}
