/** The embedded executor's public types. */

/** A pino-compatible logger (pino's own Logger fits). */
export interface ExecutorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface ExecutorOptions {
  /** Listen address; default '127.0.0.1'. Anything beyond loopback needs a token. */
  host?: string;
  /** Listen port; 0 (the default) picks an ephemeral one. */
  port?: number;
  /** When set, the upgrade needs `Authorization: Bearer <token>` (else HTTP 401). */
  token?: string;
  /** Origins whose pages may open the WebSocket (normalized, see request-origin.ts); default none: a request with any Origin is refused. */
  allowOrigins?: readonly string[];
  /** Host names the upgrade may name beside the listening address and localhost (DNS rebinding). */
  allowHosts?: readonly string[];
  /** When set, every simple command of a line must run one of these (bare names, or exact absolute paths); see allow.ts. */
  allow?: readonly string[];
  /** Names of the executor's own variables that commands may see, beside the clean base (clean-env.ts). */
  envPassthrough?: readonly string[];
  /** JSON-RPC `ping` interval (plus a WebSocket ping); a client that sends nothing in answer to two pings in a row is dropped. Default 30,000. */
  heartbeatIntervalMs?: number;
  /** Between SIGTERM and SIGKILL when a group is ended; default 2,000. */
  killGraceMs?: number;
  /** Connections served at once; default 100. */
  maxSessions?: number;
  /** The shell that runs `-c <command>`; default '/bin/sh'. */
  shell?: string;
  /** Socket bytes buffered before the child's output stops being read; default 1 MiB. */
  highWaterMark?: number;
  logger?: ExecutorLogger;
}

export interface ExecutorServer {
  /** ws://host:port/ws/mcp */
  url: string;
  port: number;
  /** Ends every process group and closes every connection; idempotent and bounded in time. */
  close(): Promise<void>;
  sessionCount(): number;
  /** Upgrades refused for their Origin or Host header since start (also in /health). */
  refusedUpgrades(): { origin: number; host: number };
}

export const silentLogger: ExecutorLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
