/**
 * A deliberately low-level WebSocket client for testing the web host: it speaks raw frames over a TCP socket,
 * so tests can send exactly the malformed input (unmasked, oversized, binary, broken UTF-8) a browser won't.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface Frame {
  opcode: number;
  payload: Buffer;
}

export class RawWebSocket {
  #socket: Socket;
  #buffer = Buffer.alloc(0);
  #frames: Frame[] = [];
  #waiters: Array<() => void> = [];
  #ended = false;

  private constructor(socket: Socket, rest: Buffer) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      this.#ended = true;
      this.#wake();
    });
    if (rest.length) this.#receive(rest);
  }

  /** Opens a connection; resolves with the client, or rejects with the HTTP status line if refused. */
  static open(port: number, path = '/api', headers: Record<string, string> = {}): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      socket.once('connect', () =>
        socket.write(
          `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`,
        ),
      );
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        const statusLine = head.subarray(0, head.indexOf('\r\n')).toString();
        if (!statusLine.startsWith('HTTP/1.1 101')) {
          socket.destroy();
          reject(new Error(statusLine));
          return;
        }
        resolve(new RawWebSocket(socket, head.subarray(end + 4)));
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  }

  /** Sends one frame; masked as a client must, unless told otherwise. */
  sendFrame(opcode: number, payload: Buffer, { mask = true, fin = true } = {}): void {
    const len = payload.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = (fin ? 0x80 : 0) | opcode;
    if (len < 126) header[1] = len;
    else if (len < 65536) {
      header[1] = 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 127;
      header.writeUInt32BE(0, 2);
      header.writeUInt32BE(len, 6);
    }
    if (!mask) {
      this.#socket.write(Buffer.concat([header, payload]));
      return;
    }
    header[1] |= 0x80;
    const key = randomBytes(4);
    const masked = Buffer.from(payload);
    for (let i = 0; i < masked.length; i++) masked[i] ^= key[i & 3];
    this.#socket.write(Buffer.concat([header, key, masked]));
  }

  sendText(text: string): void {
    this.sendFrame(0x1, Buffer.from(text, 'utf8'));
  }

  /** The next frame from the server, or undefined once the connection has closed. */
  async next(): Promise<Frame | undefined> {
    while (this.#frames.length === 0 && !this.#ended) await new Promise<void>((r) => this.#waiters.push(r));
    return this.#frames.shift();
  }

  /** The next text message, parsed as JSON. */
  async nextJson(): Promise<unknown> {
    const frame = await this.next();
    if (!frame || frame.opcode !== 0x1) throw new Error(`expected a text frame, got ${frame ? `opcode ${frame.opcode}` : 'close'}`);
    return JSON.parse(frame.payload.toString('utf8'));
  }

  /** Waits for the server's close frame and returns its status code and reason. */
  async nextClose(): Promise<{ code: number; reason: string }> {
    const frame = await this.next();
    if (!frame || frame.opcode !== 0x8) throw new Error(`expected a close frame, got ${frame ? `opcode ${frame.opcode}` : 'nothing'}`);
    return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString('utf8') };
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) break;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) break;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) break;
        len = b.readUInt32BE(6);
        off = 10;
      }
      if (b.length < off + len) break;
      this.#frames.push({ opcode: b[0] & 0x0f, payload: Buffer.from(b.subarray(off, off + len)) });
      this.#buffer = b.subarray(off + len);
    }
    this.#wake();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
