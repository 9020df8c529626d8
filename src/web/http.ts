/**
 * The daemon's HTTP face (DESIGN section 5), express 5: /metrics, /healthz, /readyz, the runs API,
 * report views and the status page. Errors are JSON everywhere and never carry a stack trace.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isValidRunId } from '../result/id.ts';
import type { HistoryEntry, Readiness, RunResult, RunTrigger, TriggerOutcome } from '../result/types.ts';
import type { Logger } from '../logger.ts';
import { renderReportPage } from './report-html.ts';

export type { Readiness };

/** Recorded runs (the daemon's history): newest first in memory, older ones from disk by id. */
export interface RunStore {
  runs(): RunResult[];
  get(id: string): Promise<HistoryEntry | null>;
}

/** The run in flight and the trigger (the daemon's coordinator). */
export interface RunControl {
  current(): { run: RunResult } | null;
  trigger(trigger: RunTrigger): TriggerOutcome;
}

export interface HttpDeps {
  /** status 500 when a collector failed: the scrape must fail (`up` 0) rather than look like a healthy, emptier target. */
  metricsResponse(accept?: string): Promise<{ status: number; contentType: string; body: string }>;
  readiness(): Readiness;
  history: RunStore;
  runs: RunControl;
  renderMarkdown(result: RunResult): string;
  statusPage(): string;
  /** When set, POST /api/runs needs `Authorization: Bearer <token>`. */
  token?: string;
  log: Logger;
}

export interface RunSummary {
  id: string;
  suite: string;
  status: RunResult['status'];
  trigger: RunResult['trigger'];
  started_at: string;
  ended_at: string | null;
  graduated: boolean;
  tests_total: number;
  tests_passed: number;
}

export function summarize(run: RunResult): RunSummary {
  const { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed } = run;
  return { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Compares digests so neither the token's content nor its length leaks through timing. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return timingSafeEqual(digest(m?.[1]?.trim() ?? ''), digest(token)) && m !== null;
}

function notFound(res: Response, id: string): void {
  res.status(404).json({ error: 'run not found', id });
}

export function createApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  /** The run in progress (from the coordinator) or a recorded one (memory, then disk). */
  const findRun = async (id: string): Promise<{ run: RunResult; entry: HistoryEntry | null } | null> => {
    if (!isValidRunId(id)) return null;
    const cur = deps.runs.current();
    if (cur && cur.run.id === id) return { run: cur.run, entry: null };
    const entry = await deps.history.get(id);
    return entry ? { run: entry.run, entry } : null;
  };
  const markdownOf = async (found: { run: RunResult; entry: HistoryEntry | null }): Promise<string> => {
    if (found.entry?.markdownPath) {
      try {
        return await readFile(found.entry.markdownPath, 'utf8');
      } catch {
        // not on disk (write failed, or pruned): render it afresh from the result
      }
    }
    return deps.renderMarkdown(found.run);
  };

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', (_req, res) => {
    const r = deps.readiness();
    if (r.ready) res.json({ status: 'ready', ...r.detail });
    else res.status(503).json({ status: 'not ready', why: r.why });
  });

  app.get('/metrics', async (req, res) => {
    const { status, contentType, body } = await deps.metricsResponse(req.get('accept'));
    res.status(status).type(contentType).send(body);
  });

  app.get('/api/runs', (_req, res) => {
    const cur = deps.runs.current();
    const past = deps.history.runs().filter((r) => r.id !== cur?.run.id);
    res.json((cur ? [cur.run, ...past] : past).map(summarize));
  });

  app.post('/api/runs', (req, res) => {
    if (deps.token && !bearerMatches(req.get('authorization'), deps.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'a valid Authorization: Bearer token is required' });
      return;
    }
    const outcome = deps.runs.trigger('api');
    // The status page's "Run now" form: a browser that asked for HTML goes back to the page.
    if (req.accepts(['json', 'html']) === 'html') {
      res.redirect(303, '/');
      return;
    }
    if (outcome.started) {
      res.status(202).location(`/api/runs/${encodeURIComponent(outcome.id)}`).json({ id: outcome.id, status: 'running' });
    } else if (outcome.reason === 'running') {
      res.status(409).json({ error: 'a run of this suite is in progress', id: outcome.runningId });
    } else {
      res.status(503).json({ error: 'run not started', why: outcome.detail });
    }
  });

  app.get('/api/runs/:id', async (req, res) => {
    const found = await findRun(req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.json(found.run);
  });

  app.get('/api/runs/:id/report', async (req, res) => {
    const found = await findRun(req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.type('text/markdown; charset=utf-8').send(await markdownOf(found));
  });

  app.get('/api/runs/:id/report.html', async (req, res) => {
    const found = await findRun(req.params.id);
    if (!found) return notFound(res, req.params.id);
    res.type('html').send(renderReportPage(await markdownOf(found), `stressd report ${found.run.id}`));
  });

  // A test's full output log: only a file inside the run's own log folder next to its JSON (a
  // RunResult read from disk must not make the daemon serve any path it names).
  app.get('/api/runs/:id/tests/:testId/log', async (req, res) => {
    const found = await findRun(req.params.id);
    const test = found?.run.tests.find((t) => t.id === req.params.testId);
    const folder = found?.entry?.jsonPath ? `${resolve(found.entry.jsonPath.replace(/\.json$/, ''))}${sep}` : null;
    const path = test?.log_path ? resolve(test.log_path) : null;
    if (!found || !test || folder === null || path === null || !path.startsWith(folder)) {
      res.status(404).json({ error: 'log not found', id: req.params.id, test: req.params.testId });
      return;
    }
    try {
      res.type('text/plain; charset=utf-8').send(await readFile(path));
    } catch {
      res.status(404).json({ error: 'log not found', id: req.params.id, test: req.params.testId });
    }
  });

  app.get('/', (_req, res) => {
    res.type('html').send(deps.statusPage());
  });

  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });

  // Express 5 forwards rejected async handlers here; four parameters mark it as the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 500) deps.log.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return;
    res.status(status).json({ error: status >= 500 ? 'internal error' : 'bad request' });
  });
  return app;
}

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/** Listens and resolves with the actual URL (port 0 picks a free port); close() ends keep-alive sockets too. */
export function listen(app: express.Express, host: string, port: number, timeoutMs = 5_000): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host);
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      const addr = server.address() as AddressInfo;
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      let closing: Promise<void> | null = null;
      resolve({
        url: `http://${h}:${addr.port}`,
        close: () => {
          closing ??= new Promise<void>((done) => {
            const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
            server.close(() => {
              clearTimeout(timer);
              done();
            });
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
  });
}
