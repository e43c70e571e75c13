// The web host as a browser or an attacker meets it: a real HTTP server on an ephemeral loopback port,
// serving a fixture folder, with the WebSocket bridge answering the real contract implementation.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../main/web/api.js';
import { CPU_MODELS, version } from '../../main/web/info.js';
import { MvmServer } from '../../main/mvm/server.js';
import { CONTENT_SECURITY_POLICY, MAX_MESSAGE_BYTES, startWebHost, type WebHost } from '../../main/web/server.js';
import { RawWebSocket } from './ws-client.js';

let dir: string;
let host: WebHost;

beforeAll(async () => {
  // <dir>/secret.txt sits beside the served root <dir>/www, where a traversal would find it.
  dir = await mkdtemp(join(tmpdir(), 'mvm-web-'));
  await mkdir(join(dir, 'www', 'assets'), { recursive: true });
  await writeFile(join(dir, 'secret.txt'), 'TOP SECRET');
  await writeFile(join(dir, 'www', 'index.html'), '<!doctype html><title>MVM Desktop</title>');
  await writeFile(join(dir, 'www', 'assets', 'app.js'), 'console.log(1);');
  await writeFile(join(dir, 'www', '.env'), 'HIDDEN');
  host = await startWebHost({ root: join(dir, 'www'), api: createApi(new MvmServer()) });
});

afterAll(async () => {
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw HTTP request: the path is sent exactly as given (fetch would normalise "/../x" away). */
function get(path: string, options: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files', () => {
  it('serves index.html at / with a strict CSP', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>MVM Desktop</title>');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves assets with their content type', async () => {
    const res = await get('/assets/app.js?v=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe('console.log(1);');
  });

  it.each(['/../secret.txt', '/../package.json', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/../../secret.txt', '/..\\secret.txt', '/%00'])(
    'rejects path traversal: %s',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body).not.toContain('TOP SECRET');
    },
  );

  it('does not serve dot-files or missing files', async () => {
    expect((await get('/.env')).status).toBe(404);
    expect((await get('/nope.html')).status).toBe(404);
    expect((await get('/assets')).status).toBe(404);
  });

  it('allows only GET and HEAD', async () => {
    const res = await get('/', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await get('/', { headers: { Host: 'attacker.example:80' } });
    expect(res.status).toBe(403);
  });
});

describe('WebSocket bridge', () => {
  it('answers info() with the version and CPU models', async () => {
    const ws = await RawWebSocket.open(host.port);
    ws.sendText(JSON.stringify({ id: 1, method: 'info', args: [] }));
    expect(await ws.nextJson()).toEqual({ id: 1, result: { version: version(), cpuModels: [...CPU_MODELS] } });
    expect(CPU_MODELS).toEqual(['8086', '80186', '80286', '80386']);
    ws.destroy();
  });

  it('answers bad messages with a clear error and keeps the connection', async () => {
    const ws = await RawWebSocket.open(host.port);
    const cases: Array<[string, unknown]> = [
      ['not json', { id: null, error: { code: 'bad-json', message: 'message is not valid JSON' } }],
      ['[1,2]', { id: null, error: { code: 'bad-request', message: expect.stringContaining('JSON object') } }],
      ['{"method":"info","args":[]}', { id: null, error: { code: 'bad-request', message: '"id" must be a non-negative integer' } }],
      ['{"id":-1,"method":"info","args":[]}', { id: null, error: { code: 'bad-request', message: expect.any(String) } }],
      ['{"id":2,"method":"format","args":[]}', { id: 2, error: { code: 'unknown-method', message: 'unknown method "format"' } }],
      ['{"id":3,"method":"__proto__","args":[]}', { id: 3, error: { code: 'unknown-method', message: expect.any(String) } }],
      ['{"id":4,"method":"info","args":[1]}', { id: 4, error: { code: 'bad-request', message: 'info() takes 0 argument(s), got 1' } }],
      ['{"id":5,"method":"info"}', { id: 5, error: { code: 'bad-request', message: '"args" must be an array' } }],
      ['{"id":6,"method":"info","args":[],"x":1}', { id: 6, error: { code: 'bad-request', message: 'unexpected field(s): x' } }],
      ['{"id":7,"method":42,"args":[]}', { id: 7, error: { code: 'bad-request', message: '"method" must be a string' } }],
    ];
    for (const [message, expected] of cases) {
      ws.sendText(message);
      expect(await ws.nextJson(), message).toEqual(expected);
    }
    ws.sendText(JSON.stringify({ id: 8, method: 'info', args: [] }));
    expect(await ws.nextJson()).toMatchObject({ id: 8, result: { version: version() } });
    ws.destroy();
  });

  it('accepts a message sent in fragments', async () => {
    const ws = await RawWebSocket.open(host.port);
    const text = Buffer.from(JSON.stringify({ id: 9, method: 'info', args: [] }));
    ws.sendFrame(0x1, text.subarray(0, 5), { fin: false });
    ws.sendFrame(0x9, Buffer.from('ping')); // a control frame may come between fragments
    ws.sendFrame(0x0, text.subarray(5));
    expect(await ws.next()).toEqual({ opcode: 0xa, payload: Buffer.from('ping') });
    expect(await ws.nextJson()).toMatchObject({ id: 9, result: { cpuModels: [...CPU_MODELS] } });
    ws.destroy();
  });

  const violations: Array<[string, (ws: RawWebSocket) => void, number, string]> = [
    ['an oversized message', (ws) => ws.sendText('x'.repeat(MAX_MESSAGE_BYTES + 1)), 1009, `message larger than ${MAX_MESSAGE_BYTES} bytes`],
    ['an unmasked frame', (ws) => ws.sendFrame(0x1, Buffer.from('{}'), { mask: false }), 1002, 'client frames must be masked'],
    ['a binary message', (ws) => ws.sendFrame(0x2, Buffer.from([1, 2, 3])), 1003, 'binary messages are not accepted'],
    ['invalid UTF-8', (ws) => ws.sendFrame(0x1, Buffer.from([0xc3, 0x28])), 1007, 'text message is not valid UTF-8'],
    ['an unknown opcode', (ws) => ws.sendFrame(0x3, Buffer.alloc(0)), 1002, 'unknown opcode 3'],
  ];
  it.each(violations)('closes the connection on %s', async (_name, send, code, reason) => {
    const ws = await RawWebSocket.open(host.port);
    send(ws);
    expect(await ws.nextClose()).toEqual({ code, reason });
    expect(await ws.next()).toBeUndefined(); // and the TCP connection ends
  });

  it('answers the closing handshake', async () => {
    const ws = await RawWebSocket.open(host.port);
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(1000);
    ws.sendFrame(0x8, payload);
    expect(await ws.nextClose()).toEqual({ code: 1000, reason: '' });
  });

  it('refuses upgrades from another origin, on another path, or with a bad key', async () => {
    await expect(RawWebSocket.open(host.port, '/api', { Origin: 'http://attacker.example' })).rejects.toThrow('403');
    await expect(RawWebSocket.open(host.port, '/other')).rejects.toThrow('404');
    const own = await RawWebSocket.open(host.port, '/api', { Origin: `http://127.0.0.1:${host.port}` });
    own.destroy();
  });

  it('keeps serving after abusive clients', async () => {
    expect((await get('/')).status).toBe(200);
  });
});
