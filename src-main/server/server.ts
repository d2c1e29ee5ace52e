/**
 * Browser mode: the built renderer and the same API over HTTP (`POST /api/<method>`, JSON array of arguments)
 * plus a WebSocket (`/api/events`) for job progress and notices. Bound to 127.0.0.1 by default and guarded by a
 * random access token: every API request and the WebSocket must carry it (Authorization: Bearer, or ?token=),
 * otherwise 401. The Host header must name the server itself, which defeats DNS-rebinding pages.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvent } from '../api/contract.js';
import { dispatch } from '../api/dispatch.js';
import type { ReviewService } from '../services/review-service.js';

export interface ServeOptions {
  service: ReviewService;
  /** Directory of the built renderer (index.html); when absent only the API is served. */
  rendererDir?: string;
  host?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  server: Server;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

/** Same policy as the Electron window: only our own scripts, styles and API. */
export const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src blob:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

const MAX_BODY = 16 * 1024 * 1024;

function tokenOf(req: IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7);
  return url.searchParams.get('token');
}

function sameToken(a: string | null, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a), y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function send(res: ServerResponse, status: number, body: string | Buffer, type = 'application/json'): void {
  res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > MAX_BODY) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const root = opts.rendererDir ? resolve(opts.rendererDir) : undefined;
  let allowedHosts: Set<string> = new Set();

  const server = createServer((req, res) => {
    void handle(req, res).catch((e) => { if (!res.headersSent) send(res, 500, JSON.stringify({ ok: false, error: { name: 'Error', message: String(e), expected: false } })); });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'unknown host', 'text/plain');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/api/')) {
      if (!sameToken(tokenOf(req, url), token)) return send(res, 401, JSON.stringify({ ok: false, error: { name: 'Unauthorized', message: 'missing or wrong access token', expected: true } }));
      if (req.method !== 'POST') return send(res, 405, JSON.stringify({ ok: false, error: { name: 'BadRequest', message: 'use POST', expected: true } }));
      let args: unknown;
      try { args = JSON.parse((await readBody(req)) || '[]'); } catch (e) {
        return send(res, 400, JSON.stringify({ ok: false, error: { name: 'BadRequest', message: `bad JSON body: ${(e as Error).message}`, expected: true } }));
      }
      const out = await dispatch(opts.service, url.pathname.slice(5), args);
      return send(res, out.ok || out.error.expected ? 200 : 500, JSON.stringify(out));
    }
    if (!root || (req.method !== 'GET' && req.method !== 'HEAD')) return send(res, 404, 'not found', 'text/plain');
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '');
    let file = resolve(root, rel || 'index.html');
    if (file !== root && !file.startsWith(root + sep)) return send(res, 404, 'not found', 'text/plain');
    const st = await stat(file).catch(() => null);
    if (!st || st.isDirectory()) file = join(root, 'index.html');
    const body = await readFile(file).catch(() => null);
    if (!body) return send(res, 404, 'renderer not built (run npm run build)', 'text/plain');
    const type = MIME[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
      ...(type.startsWith('text/html') ? { 'content-security-policy': CSP, 'cache-control': 'no-store' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/api/events' || !allowedHosts.has(req.headers.host ?? '') || !sameToken(url.searchParams.get('token'), token)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  const unsubscribe = opts.service.onEvent((e: ApiEvent) => {
    const msg = JSON.stringify(e);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(msg);
  });

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, host, () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const hostName = host.includes(':') ? `[${host}]` : host;
  allowedHosts = new Set([`${hostName}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`]);
  return {
    url: `http://${hostName}:${port}/?token=${token}`, port, token, server,
    async close() {
      unsubscribe();
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
