/**
 * The daemon's HTTP face (DESIGN section 5), express 5: /metrics, /healthz, /readyz, the runs API,
 * report views and the status page. Errors are JSON everywhere and never carry a stack trace.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { HttpDeps } from './deps.ts';
import { runbooksRouter } from './runbooks.ts';
import { accessGuard, bodyLimit, jsonErrors, loginHandler } from './guard.ts';
import { createCsrf } from './csrf.ts';
import { crossSiteCheck, hostCheck } from './cross-site.ts';
import { securityHeaders } from './headers.ts';
import { reportRoutes, runRoutes } from './run-routes.ts';

export type { HttpDeps, Readiness, RunControl, RunStore } from './deps.ts';
export type { RunSummary } from './run-routes.ts';

export function createApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Security (guard.ts, headers.ts, cross-site.ts): headers on every answer, the Host check, bodies
  // of 64 KiB at most, the tokens, then no state change from another site or without the form's token.
  const policy = { listenHost: deps.listenHost ?? '127.0.0.1', allowHosts: deps.allowHosts ?? [], allowOrigins: deps.allowOrigins ?? [] };
  const csrf = createCsrf(deps.token);
  app.use(securityHeaders(), hostCheck(policy, deps.log), bodyLimit(), accessGuard({ token: deps.token, metricsToken: deps.metricsToken, csrf }));
  app.use(crossSiteCheck({ policy, token: deps.token, csrf, log: deps.log }));
  app.post('/login', loginHandler({ token: deps.token, csrf }));
  if (deps.runbooksPath) app.use('/runbooks', runbooksRouter(deps.runbooksPath));
  probeRoutes(app, deps);
  runRoutes(app, deps);
  reportRoutes(app, deps);
  app.get('/', async (req, res) => {
    res.type('html').send(await deps.statusPage(csrf.issue(req, res)));
  });
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: 'not found', path: req.path });
  });
  // Express 5 forwards rejected async handlers here.
  app.use(jsonErrors(deps.log));
  return app;
}

/** What Kubernetes and Prometheus ask: /healthz, /readyz, /metrics. */
function probeRoutes(app: express.Express, deps: HttpDeps): void {
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
