/**
 * Asks an executor what it can do without running anything: connect, read the `connected`
 * notification's `capabilities`, close. `stressd verify` uses it to say beforehand that a suite's
 * `env` will have no effect on a server that does not apply it.
 */
import WebSocket from 'ws';

export type Capabilities = { capabilities: string[] | null } | { error: string };

/** `capabilities: null`: the server sent something else first (a server that announces nothing). */
export function probeCapabilities(url: string, token: string | undefined, timeoutMs = 5000): Promise<Capabilities> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: token ? { authorization: `Bearer ${token}` } : {}, perMessageDeflate: false, followRedirects: false });
    const done = (answer: Capabilities): void => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(answer);
    };
    const timer = setTimeout(() => done({ error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    ws.on('error', (err) => done({ error: err.message }));
    ws.on('close', (code) => done({ error: `closed (${code}) before announcing anything` }));
    ws.on('message', (data) => {
      let frame: unknown;
      try {
        frame = JSON.parse(String(data));
      } catch {
        frame = null;
      }
      const f = frame as { method?: unknown; params?: { capabilities?: unknown } } | null;
      const caps = f?.method === 'connected' ? f.params?.capabilities : undefined;
      done({ capabilities: Array.isArray(caps) ? caps.filter((c): c is string => typeof c === 'string') : null });
    });
  });
}
