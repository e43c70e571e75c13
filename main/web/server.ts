/**
 * The web host: the renderer pages (the vite build in out/renderer) over HTTP on the loopback interface, and
 * the WebSocket bridge at /api that serves the same contract as Electron's preload. It is how the UI runs in
 * a plain browser — Playwright's Chromium in the e2e tests, and a user's browser with `mvm serve`.
 *
 * Loopback only, and treated as hostile all the same: any web page the user opens can send requests to
 * 127.0.0.1, so the Host header is checked (DNS rebinding), the WebSocket Origin must be this host (another
 * site cannot drive the bridge), paths cannot leave the root, and every response carries a strict CSP.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import type { ApiSocketPath, MvmApi } from '../../preload/api.js';
import { dispatch } from './rpc.js';
import { acceptWebSocket, refuseUpgrade, type WebSocketConnection } from './websocket.js';

export const API_PATH: ApiSocketPath = '/api';

/** Requests are a few hundred bytes; anything near this is not our renderer talking. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

/**
 * Scripts and styles only from this host (lit uses constructable stylesheets, which CSP does not block),
 * WebSocket back to this host, and nothing else: no plugins, frames, forms or <base>.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  // The bridge on this host, and each session's shield WebSocket, served by its VM's own process on loopback.
  "connect-src 'self' ws://127.0.0.1:*",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface WebHostOptions {
  /** The folder served: out/renderer in the app, a fixture folder in tests. */
  root: string;
  /** The contract implementation the bridge calls. */
  api: MvmApi;
  /** Loopback address to listen on; 127.0.0.1 unless told. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
}

export interface WebHost {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const root = resolve(options.root);
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<WebSocketConnection>();
  let port = 0;

  /** Names this server answers to; anything else in the Host header is a rebinding attempt or a mistake. */
  const hostAllowed = (value: string | undefined): boolean =>
    value !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`].includes(value.toLowerCase());

  const server = createServer((req, res) => {
    serveFile(root, req, res, hostAllowed(req.headers.host)).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (pathOf(req.url) !== API_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req.headers.host)) return refuseUpgrade(socket, 403, 'Forbidden');
    // Browsers always send Origin; it must be this very host. Non-browser clients (tests, scripts) send none.
    const origin = req.headers.origin;
    if (origin !== undefined && origin.toLowerCase() !== `http://${req.headers.host?.toLowerCase()}`) {
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const ws = acceptWebSocket(req, socket, head, MAX_MESSAGE_BYTES, {
      onText(text, conn) {
        void dispatch(options.api, text).then((response) => conn.sendText(JSON.stringify(response)));
      },
      onClose(conn) {
        sockets.delete(conn);
      },
    });
    if (ws) sockets.add(ws);
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const ws of sockets) ws.close(1001, 'server shutting down');
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?', 1)[0] ?? '';
}

function send(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  const body = `${message}\n`;
  res.writeHead(status, {
    ...securityHeaders(),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

/**
 * Maps a request path to a file strictly inside `root`, or explains why not. The path is checked segment by
 * segment after percent-decoding, so "/../x", "/%2e%2e/x" and "/a/..%2fx" are all refused, and the joined
 * result is checked again against the root as a second line of defence.
 */
export function resolveRequestPath(root: string, url: string): { file: string } | { status: number; reason: string } {
  const raw = pathOf(url);
  if (!raw.startsWith('/')) return { status: 400, reason: 'Bad Request: path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { status: 400, reason: 'Bad Request: malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400, reason: 'Bad Request: bad character in path' };
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return { status: 400, reason: 'Bad Request: path traversal' };
  // Dot-files (.env, .git) are never part of a build; refuse rather than risk serving one.
  if (segments.some((s) => s.startsWith('.'))) return { status: 404, reason: 'Not Found' };
  if (decoded.endsWith('/')) segments.push('index.html');
  const file = resolve(join(root, ...segments));
  if (!file.startsWith(root + sep)) return { status: 400, reason: 'Bad Request: path traversal' };
  return { file };
}

async function serveFile(root: string, req: IncomingMessage, res: ServerResponse, hostOk: boolean): Promise<void> {
  if (!hostOk) return send(res, 403, 'Forbidden: unexpected Host header');
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
  const target = resolveRequestPath(root, req.url ?? '');
  if ('status' in target) return send(res, target.status, target.reason);
  const info = await stat(target.file).catch(() => undefined);
  if (!info?.isFile()) return send(res, 404, 'Not Found');
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': CONTENT_TYPES[extname(target.file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': info.size,
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(target.file)
    .on('error', () => res.destroy())
    .pipe(res);
}
