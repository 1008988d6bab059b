// Between the app and the Meta simulator: passes calls through, or cuts a send off the way a crash
// or a network failure does — after Meta got it (the answer is lost) or before (Meta never got it).
import { createServer, type IncomingHttpHeaders } from 'node:http';

export type ProxyMode = 'pass' | 'drop-answer' | 'drop-request';

export interface LossyProxy {
  url: string;
  /** Applies to message sends (POST …/messages, not mark-as-read); every other call passes. */
  mode: ProxyMode;
  close(): Promise<void>;
}

function forwardable(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) out[k] = v;
  return out;
}

export async function startLossyProxy(target: string): Promise<LossyProxy> {
  const proxy: LossyProxy = { url: '', mode: 'pass', close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const isSend = req.method === 'POST' && /\/messages$/.test(req.url ?? '') && !body.includes('"status":"read"');
    const mode = isSend ? proxy.mode : 'pass';
    if (mode === 'drop-request') return void req.socket.destroy();
    const r = await fetch(target + req.url, { method: req.method, headers: forwardable(req.headers), body: req.method === 'GET' ? undefined : body });
    const answer = Buffer.from(await r.arrayBuffer());
    if (mode === 'drop-answer') return void req.socket.destroy();
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  proxy.url = `http://127.0.0.1:${port}`;
  proxy.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}
