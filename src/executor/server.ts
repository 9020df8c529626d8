/**
 * The embedded cc_executor-compatible server: node:http for /health and /healthz, `ws` (noServer)
 * for the WebSocket at /ws/mcp, one Session per connection, one heartbeat timer for all.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { assertSafeBind } from '../errors.ts';
import { listen } from '../listeners.ts';
import { hostRefusal, originRefusal, type OriginPolicy } from '../request-origin.ts';
import { DEFAULT_PATH, RpcErrorCode, RpcErrorMessage, errorFrame } from '../protocol/index.ts';
import { VERSION } from '../version.ts';
import { GroupReaper } from './reaper.ts';
import { CloseCode, Session } from './session.ts';
import { silentLogger, type ExecutorLogger, type ExecutorOptions, type ExecutorServer } from './types.ts';

export type { ExecutorOptions, ExecutorServer, ExecutorLogger } from './types.ts';

const HIGH_WATER_MARK = 1024 * 1024;
/** Extra time close() allows beyond the kill grace before it destroys what is left. */
const CLOSE_SLACK_MS = 3_000;

export async function startExecutor(options: ExecutorOptions = {}): Promise<ExecutorServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token || undefined;
  assertSafeBind(host, token, 'stressd executor', 'STRESSD_EXECUTOR_TOKEN');
  const heartbeatMs = options.heartbeatIntervalMs ?? 30_000;
  const killGraceMs = options.killGraceMs ?? 2_000;
  const maxSessions = options.maxSessions ?? 100;
  const logger = options.logger ?? silentLogger;
  const reaper = new GroupReaper(logger);
  const sessionOptions = {
    allow: options.allow ? new Set(options.allow) : undefined,
    envPassthrough: options.envPassthrough ?? [],
    shell: options.shell ?? '/bin/sh',
    killGraceMs,
    reaper,
    highWaterMark: options.highWaterMark ?? HIGH_WATER_MARK,
    logger,
  };
  const startedAt = Date.now();
  const sessions = new Set<Session>();
  const policy: OriginPolicy = { listenHost: host, allowHosts: options.allowHosts ?? [], allowOrigins: options.allowOrigins ?? [] };
  const refused = { origin: 0, host: 0 };

  const http = createServer((req, res) => serveHttp(req, res));
  // perMessageDeflate off: output frames are many and small, and compression would cost more CPU than it saves on loopback.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });

  function serveHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      json(res, 200, {
        status: 'healthy', active_sessions: sessions.size, max_sessions: maxSessions, uptime_seconds: (Date.now() - startedAt) / 1000, version: VERSION,
        refused_upgrades: { ...refused },
      });
    } else if (req.method === 'GET' && path === '/healthz') {
      json(res, 200, { status: 'ok' });
    } else json(res, 404, { error: 'not found' });
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const path = (req.url ?? '/').split('?')[0];
    if (path !== DEFAULT_PATH) return refuse(socket, 404, 'Not Found');
    // Before the token: a browser cannot send Authorization on a WebSocket, but a page must not
    // learn even whether one is needed. A refused page sees only the failed connection (403).
    const hostWhy = hostRefusal(req.headers.host, policy);
    const why = hostWhy ?? originRefusal(req.headers.origin, policy);
    if (why !== null) {
      const kind = hostWhy !== null ? 'host' : 'origin';
      refused[kind] += 1;
      logger.warn({ refused: kind, origin: req.headers.origin ?? null, host: req.headers.host ?? null, remote: req.socket.remoteAddress, count: refused[kind] }, `upgrade refused: ${why}`);
      return refuse(socket, 403, 'Forbidden');
    }
    if (token && !bearerMatches(req.headers.authorization, token)) return refuse(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket));
  }

  function onConnection(ws: WebSocket, socket: Duplex): void {
    if (closing || sessions.size >= maxSessions) {
      // A refused client may still send an invalid frame before the close: an 'error' with no listener would end the process.
      ws.on('error', (err) => logger.debug({ err: err.message }, 'refused connection: socket error'));
      ws.send(errorFrame(undefined, RpcErrorCode.sessionLimit, RpcErrorMessage.sessionLimit));
      ws.close(CloseCode.policy, RpcErrorMessage.sessionLimit);
      return;
    }
    const session = new Session(ws, sessionOptions, socket);
    sessions.add(session);
    logger.info({ session: session.id, sessions: sessions.size }, 'session opened');
    void session.finished.then(() => {
      sessions.delete(session);
      logger.info({ session: session.id, sessions: sessions.size }, 'session closed');
    });
  }

  const heartbeat = startHeartbeat(sessions, heartbeatMs, logger);

  const unlistenUpgrade = listen(http, { upgrade: onUpgrade });
  const port = await listenOn(http, options.port ?? 0, host);
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  logger.info({ host, port }, 'executor listening');

  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> => {
    clearInterval(heartbeat);
    unlistenUpgrade();
    // The reaper goes last: a group the close could not end in time is ended by it.
    return closeAll({ http, wss, sessions, boundMs: killGraceMs + CLOSE_SLACK_MS, logger }).finally(() => reaper.close());
  };

  return {
    url: `ws://${urlHost}:${port}${DEFAULT_PATH}`,
    port,
    close: () => (closing ??= shutdown()),
    sessionCount: () => sessions.size,
    refusedUpgrades: () => ({ ...refused }),
  };
}

/**
 * One timer for every session: ping each; drop one that has sent nothing since the ping two
 * ticks ago (it had two whole intervals to answer). Ticks are counted, not clock time, so a
 * tick made late by a busy event loop lengthens the client's time to answer too.
 */
function startHeartbeat(sessions: ReadonlySet<Session>, heartbeatMs: number, logger: ExecutorLogger): NodeJS.Timeout {
  const judge = (suspects: Session[]): void => {
    for (const session of suspects) {
      if (!session.open) continue;
      if (session.unansweredPings < 2) session.ping();
      else {
        logger.warn({ session: session.id }, 'no answer to two heartbeat pings: dropping the session');
        void session.drop('terminate');
      }
    }
  };
  const heartbeat = setInterval(() => {
    const suspects: Session[] = [];
    for (const session of sessions) {
      if (!session.open) continue; // being dropped or closed already
      if (session.silent()) suspects.push(session);
      else session.ping();
    }
    // Timers run before the poll phase: an answer that has already arrived but not been read
    // yet (the loop was busy sending output) is read before the verdict.
    if (suspects.length > 0) setImmediate(judge, suspects);
  }, heartbeatMs);
  heartbeat.unref();
  return heartbeat;
}

/** Drops every session (their commands end within the kill grace, bounded), then the sockets and the server. */
async function closeAll(o: { http: Server; wss: WebSocketServer; sessions: ReadonlySet<Session>; boundMs: number; logger: ExecutorLogger }): Promise<void> {
  const httpClosed = new Promise<void>((resolve) => o.http.close(() => resolve()));
  const all = Promise.all([...o.sessions].map((s) => s.drop('close')));
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, o.boundMs)));
  await Promise.race([all, bound]);
  clearTimeout(timer);
  for (const s of o.sessions) s.terminateSocket();
  for (const client of o.wss.clients) client.terminate();
  o.wss.close();
  o.http.closeAllConnections();
  await httpClosed;
  o.logger.info({}, 'executor closed');
}

/** Listens and resolves with the bound port, or rejects with the listen error (EADDRINUSE…). */
function listenOn(http: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const unlisten = listen(http, {
      error: (err: Error) => {
        unlisten();
        reject(err);
      },
    });
    http.listen(port, host, () => {
      unlisten();
      resolve((http.address() as AddressInfo).port);
    });
  });
}

function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refuse(socket: Duplex, status: number, text: string): void {
  const body = JSON.stringify({ error: text });
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}\r\n${body}`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
