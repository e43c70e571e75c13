/**
 * The server side of RFC 6455 WebSocket, just what the web host's bridge needs: the opening handshake,
 * masked client frames (text, fragmented or not), ping/pong and the closing handshake. Written here with
 * node:crypto instead of taken from a package because it is small, and because every byte a page sends
 * must be checked before it is believed: sizes are capped before anything is buffered, and any protocol
 * violation closes the connection with the status code the RFC names for it.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const HANDSHAKE_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  ProtocolError: 1002,
  Unsupported: 1003,
  InvalidData: 1007,
  PolicyViolation: 1008,
  TooBig: 1009,
} as const;

const Op = { Continuation: 0x0, Text: 0x1, Binary: 0x2, Close: 0x8, Ping: 0x9, Pong: 0xa } as const;

export interface WebSocketHandlers {
  /** A complete text message, valid UTF-8. */
  onText(text: string, ws: WebSocketConnection): void;
  onClose?(ws: WebSocketConnection): void;
}

/** Answers a bad upgrade request with a plain HTTP error and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string, extraHeaders = ''): void {
  const body = `${reason}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${extraHeaders}\r\n${body}`,
  );
}

/**
 * Completes the opening handshake for an HTTP `upgrade` event, or refuses it (and returns undefined) if the
 * request is not a well-formed version-13 WebSocket request. The caller has already checked path and origin.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  maxMessageBytes: number,
  handlers: WebSocketHandlers,
): WebSocketConnection | undefined {
  const key = req.headers['sec-websocket-key'];
  const upgrade = req.headers.upgrade?.toLowerCase();
  const connection = req.headers.connection?.toLowerCase() ?? '';
  if (req.method !== 'GET' || upgrade !== 'websocket' || !connection.split(/\s*,\s*/).includes('upgrade')) {
    refuseUpgrade(socket, 400, 'Bad Request');
    return undefined;
  }
  if (req.headers['sec-websocket-version'] !== '13') {
    refuseUpgrade(socket, 426, 'Upgrade Required', 'Sec-WebSocket-Version: 13\r\n');
    return undefined;
  }
  // The key must be 16 random bytes in base64 (RFC 6455 §4.1); anything else is not a real client.
  if (typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    refuseUpgrade(socket, 400, 'Bad Request');
    return undefined;
  }
  const accept = createHash('sha1').update(key + HANDSHAKE_GUID).digest('base64');
  // Messages are small and latency-bound (a keystroke's echo): no Nagle delay behind an unacknowledged one.
  (socket as Duplex & { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  const ws = new WebSocketConnection(socket, maxMessageBytes, handlers);
  if (head.length > 0) ws.receive(head);
  return ws;
}

export class WebSocketConnection {
  #socket: Duplex;
  #maxMessageBytes: number;
  #handlers: WebSocketHandlers;
  /** Bytes received but not yet parsed into a whole frame. */
  #pending: Buffer = Buffer.alloc(0);
  /** Payloads of a fragmented message so far, and their total size. */
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #fragmenting = false;
  #closed = false;
  static readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(socket: Duplex, maxMessageBytes: number, handlers: WebSocketHandlers) {
    this.#socket = socket;
    this.#maxMessageBytes = maxMessageBytes;
    this.#handlers = handlers;
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => socket.destroy()); // a reset by the peer is not our error
    socket.on('close', () => {
      this.#closed = true;
      this.#handlers.onClose?.(this);
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  sendText(text: string): void {
    this.#send(Op.Text, Buffer.from(text, 'utf8'));
  }

  /** A binary message (frame updates to a session shield). */
  sendBinary(bytes: Uint8Array): void {
    this.#send(Op.Binary, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** Bytes written but not yet handed to the network: a slow reader shows here. */
  get buffered(): number {
    return (this.#socket as Duplex & { writableLength?: number }).writableLength ?? 0;
  }

  /** Starts the closing handshake; the peer's reply (or a timeout) ends the TCP connection. */
  close(code: number = CloseCode.Normal, reason = ''): void {
    if (this.#closed) return;
    // A close reason is at most 123 bytes (125 minus the code); ours are short ASCII sentences.
    const why = Buffer.from(reason, 'utf8').subarray(0, 123);
    const payload = Buffer.alloc(2 + why.length);
    payload.writeUInt16BE(code, 0);
    why.copy(payload, 2);
    this.#send(Op.Close, payload);
    this.#closed = true;
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  /** Feeds raw bytes from the socket; parses and handles every complete frame in them. */
  receive(chunk: Buffer): void {
    if (this.#closed) return;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (!this.#closed && this.#parseFrame()) {
      // each call consumes one frame
    }
  }

  /** Parses one frame off #pending; false when more bytes are needed (or the connection was closed). */
  #parseFrame(): boolean {
    const buf = this.#pending;
    if (buf.length < 2) return false;
    const fin = (buf[0] & 0x80) !== 0;
    const rsv = buf[0] & 0x70;
    const opcode = buf[0] & 0x0f;
    const masked = (buf[1] & 0x80) !== 0;
    let length = buf[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return false;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return false;
      // Anything needing the high 32 bits is far beyond any limit we accept.
      length = buf.readUInt32BE(2) !== 0 ? Number.MAX_SAFE_INTEGER : buf.readUInt32BE(6);
      offset = 10;
    }
    if (rsv !== 0) return this.#fail(CloseCode.ProtocolError, 'reserved bits set (no extensions were negotiated)');
    if (!masked) return this.#fail(CloseCode.ProtocolError, 'client frames must be masked');
    const control = (opcode & 0x08) !== 0;
    if (control && (!fin || length > 125)) return this.#fail(CloseCode.ProtocolError, 'bad control frame');
    // Refuse an oversized message from its header, before buffering its payload.
    if (!control && this.#fragmentBytes + length > this.#maxMessageBytes) {
      return this.#fail(CloseCode.TooBig, `message larger than ${this.#maxMessageBytes} bytes`);
    }
    if (buf.length < offset + 4 + length) return false;
    const mask = buf.subarray(offset, offset + 4);
    const payload = Buffer.from(buf.subarray(offset + 4, offset + 4 + length));
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
    this.#pending = buf.subarray(offset + 4 + length);

    switch (opcode) {
      case Op.Text:
      case Op.Continuation: {
        if ((opcode === Op.Text) === this.#fragmenting) {
          return this.#fail(CloseCode.ProtocolError, opcode === Op.Text ? 'expected a continuation frame' : 'unexpected continuation frame');
        }
        this.#fragments.push(payload);
        this.#fragmentBytes += payload.length;
        this.#fragmenting = !fin;
        if (fin) {
          const whole = Buffer.concat(this.#fragments);
          this.#fragments = [];
          this.#fragmentBytes = 0;
          let text: string;
          try {
            text = WebSocketConnection.#utf8.decode(whole);
          } catch {
            return this.#fail(CloseCode.InvalidData, 'text message is not valid UTF-8');
          }
          this.#handlers.onText(text, this);
        }
        return true;
      }
      case Op.Binary:
        return this.#fail(CloseCode.Unsupported, 'binary messages are not accepted');
      case Op.Ping:
        this.#send(Op.Pong, payload);
        return true;
      case Op.Pong:
        return true;
      case Op.Close: {
        // Echo the peer's status code, as the closing handshake asks.
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : CloseCode.Normal;
        this.close(code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 ? code : CloseCode.ProtocolError);
        return false;
      }
      default:
        return this.#fail(CloseCode.ProtocolError, `unknown opcode ${opcode}`);
    }
  }

  #fail(code: number, reason: string): false {
    this.#pending = Buffer.alloc(0);
    this.close(code, reason);
    return false;
  }

  #send(opcode: number, payload: Buffer): void {
    if (this.#closed || this.#socket.destroyed) return;
    let header: Buffer;
    if (payload.length < 126) {
      header = Buffer.from([0x80 | opcode, payload.length]);
    } else if (payload.length < 0x10000) {
      header = Buffer.alloc(4);
      header[1] = 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[1] = 127;
      header.writeUInt32BE(Math.floor(payload.length / 2 ** 32), 2);
      header.writeUInt32BE(payload.length >>> 0, 6);
    }
    header[0] = 0x80 | opcode;
    this.#socket.write(Buffer.concat([header, payload]));
  }
}
