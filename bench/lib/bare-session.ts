/**
 * The floor of what any client costs: one bare `ws` connection that sends `execute`, answers
 * `ping`, and looks at frames only as text. Resolves true when `process.completed` came.
 */
import WebSocket from 'ws';

export function bareSession(url: string, command: string, onFrame: (text: string) => void = () => undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let completed = false;
    ws.on('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', method: 'execute', params: { command, timeout: 120 }, id: 1 })));
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      onFrame(text);
      if (text.includes('"process.completed"')) {
        completed = true;
        ws.close();
      } else if (text.includes('"method":"ping"')) ws.send('{"jsonrpc":"2.0","method":"pong"}');
    });
    ws.on('close', () => resolve(completed));
    ws.on('error', () => resolve(completed));
  });
}
