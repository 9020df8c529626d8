/**
 * The daemon's HTTP face (DESIGN section 5), express 5: /metrics, /healthz, /readyz, the runs API,
 * report views and the status page. Errors are JSON everywhere and never carry a stack trace.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import { isValidRunId } from '../result/id.ts';
import type { HistoryEntry, Readiness, RunResult, RunTrigger, TriggerOutcome } from '../result/types.ts';
import type { Logger } from '../logger.ts';
import { renderReportPage } from './report-html.ts';
import { runbooksRouter } from './runbooks.ts';
import { accessGuard, bodyLimit, jsonErrors, loginHandler } from './guard.ts';
import { securityHeaders } from './headers.ts';

export type { Readiness };

/** Recorded runs (the daemon's history): newest first in memory, older ones from disk by id. */
export interface RunStore {
  runs(): RunResult[];
  get(id: string): Promise<HistoryEntry | null>;
}

/** The runs in flight and the trigger (the daemon's suites, each with its coordinator). */
export interface RunControl {
  /** The first run in flight (the only one unless max_concurrent_runs > 1). */
  current(): { run: RunResult } | null;
  /** Every run in flight, one per suite at most. */
  active(): RunResult[];
  /** Suite labels, in the order the configs were given. */
  suites(): string[];
  /** `suite` may be left out only when there is one suite. */
  trigger(trigger: RunTrigger, suite?: string): TriggerOutcome;
}

export interface HttpDeps {
  /** status 500 when a collector failed: the scrape must fail (`up` 0) rather than look like a healthy, emptier target. */
  metricsResponse(accept?: string): Promise<{ status: number; contentType: string; body: string }>;
  readiness(): Readiness;
  history: RunStore;
  runs: RunControl;
  renderMarkdown(result: RunResult): string;
  statusPage(): string;
  /** The markdown the alert runbooks are served from at /runbooks (docs/operations.md); none: no route. */
  runbooksPath?: string;
  /** When set, POST /api/runs needs `Authorization: Bearer <token>`. */
  token?: string;
  /** When set, /metrics, /healthz and /readyz need it (guard.ts). */
  metricsToken?: string;
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
  /** Why an aborted run stopped; null otherwise. */
  abort_cause: string | null;
}

export function summarize(run: RunResult): RunSummary {
  const { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed } = run;
  return { id, suite, status, trigger, started_at, ended_at, graduated, tests_total, tests_passed, abort_cause: run.abort_cause ?? null };
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

/**
 * The suite a POST /api/runs names in its JSON body `{"suite": …}`; it may be left out when the
 * daemon runs one suite. Otherwise the answer to send: 400 (missing or not a string), 404 (unknown).
 */
function suiteOf(req: Request, suites: readonly string[]): { suite: string } | { status: number; body: Record<string, unknown> } {
  const body: unknown = req.body;
  const named = body !== null && typeof body === 'object' && 'suite' in body ? (body as { suite: unknown }).suite : undefined;
  if (named === undefined) {
    const [only] = suites;
    if (suites.length === 1 && only !== undefined) return { suite: only };
    return { status: 400, body: { error: `this daemon runs several suites: name one in the JSON body, e.g. {"suite": ${JSON.stringify(suites[0] ?? '')}}`, suites } };
  }
  if (typeof named !== 'string') return { status: 400, body: { error: `suite: expected a string, found ${JSON.stringify(named)}`, suites } };
  if (!suites.includes(named)) return { status: 404, body: { error: `unknown suite ${JSON.stringify(named)}`, suites } };
  return { suite: named };
}

export function createApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Security (guard.ts, headers.ts): headers on every answer, bodies of 64 KiB at most, the tokens.
  app.use(securityHeaders(), bodyLimit(), accessGuard({ token: deps.token, metricsToken: deps.metricsToken }));
  app.post('/login', loginHandler({ token: deps.token }));

  /** The run in progress (from the coordinator) or a recorded one (memory, then disk). */
  const findRun = async (id: string): Promise<{ run: RunResult; entry: HistoryEntry | null } | null> => {
    if (!isValidRunId(id)) return null;
    const cur = deps.runs.active().find((r) => r.id === id);
    if (cur) return { run: cur, entry: null };
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

  if (deps.runbooksPath) app.use('/runbooks', runbooksRouter(deps.runbooksPath));

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

  app.get('/api/runs', (req, res) => {
    const suite = typeof req.query.suite === 'string' ? req.query.suite : undefined;
    if (suite !== undefined && !deps.runs.suites().includes(suite) && !deps.history.runs().some((r) => r.suite === suite)) {
      res.status(404).json({ error: `unknown suite ${JSON.stringify(suite)}`, suites: deps.runs.suites() });
      return;
    }
    const active = deps.runs.active();
    const past = deps.history.runs().filter((r) => !active.some((a) => a.id === r.id));
    const all = [...active, ...past].filter((r) => suite === undefined || r.suite === suite);
    res.json(all.map(summarize));
  });

  app.post('/api/runs', (req, res) => {
    if (deps.token && !bearerMatches(req.get('authorization'), deps.token)) {
      res.status(401).set('WWW-Authenticate', 'Bearer').json({ error: 'a valid Authorization: Bearer token is required' });
      return;
    }
    const chosen = suiteOf(req, deps.runs.suites());
    if ('status' in chosen) {
      res.status(chosen.status).json(chosen.body);
      return;
    }
    const outcome = deps.runs.trigger('api', chosen.suite);
    // The status page's "Run now" form: a browser that asked for HTML goes back to the page.
    if (req.accepts(['json', 'html']) === 'html') {
      res.redirect(303, '/');
      return;
    }
    if (outcome.started) {
      res.status(202).location(`/api/runs/${encodeURIComponent(outcome.id)}`).json({ id: outcome.id, suite: chosen.suite, status: 'running' });
    } else if (outcome.reason === 'queued') {
      res.status(202).json({ suite: chosen.suite, status: 'queued', position: outcome.position });
    } else if (outcome.reason === 'running') {
      res.status(409).json({ error: 'a run of this suite is in progress', id: outcome.runningId, suite: chosen.suite });
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

  // Express 5 forwards rejected async handlers here.
  app.use(jsonErrors(deps.log));
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
