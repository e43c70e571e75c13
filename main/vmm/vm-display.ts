/**
 * A VM's display in its own process: VMAN's side of the session shields. About sixty times a second of host
 * time it asks the video VDD to render (VVGA request 6: only when the picture can have changed) and sends
 * the surface's frame update to every attached shield over that shield's own port — a WebSocket to this
 * process for a browser, a MessagePort under Electron — so no frame passes through the main process. What a
 * shield sends back (keys, paste, mouse, refresh) goes to VKBD and VMOUSE as named requests.
 *
 * Wire format and message checks: main/vman/wire.ts. Security of the WebSocket endpoint: loopback only, a
 * random 128-bit token in its URL, browser Origins only from loopback, bounded message sizes.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { encodeUpdate, parseShieldMessage, SHIELD_MESSAGE_MAX, type SessionEvent } from '../vman/wire.js';
import { acceptWebSocket, refuseUpgrade } from '../web/websocket.js';
import type { VddHost } from './vdd-host.js';

/** One shield's port, whatever carries it. */
export interface ShieldLink {
  sendFrame(bytes: Uint8Array): void;
  sendEvent(event: SessionEvent): void;
  /** Bytes still queued towards the shield (frames are skipped while a shield is this far behind). */
  backlog(): number;
  close(reason: string): void;
}

/**
 * A still picture of the display: palette indices and a 256-entry RGBA palette (0xAABBGGRR) at depth 8,
 * R, G, B, A bytes a pixel at depth 32 (the surface's own layout).
 */
export interface Screenshot {
  width: number;
  height: number;
  depth: 8 | 32;
  pixels: Uint8Array;
  palette: Uint32Array;
  /** The screen as text in text modes. */
  text: string[] | null;
}

/** VVGA's render request (vdd/vvga/vvga.ts: VVGA_RENDER). */
const VVGA_RENDER = 6;
const FRAME_MS = 1000 / 60;
/** When after a shield's input the display looks for its effect (ms), until a frame goes out. */
const ECHO_MS = [2, 5, 9];
/** A shield more than this many bytes behind gets no new frames until it catches up. */
const MAX_BACKLOG = 2 * 1024 * 1024;

export class VmDisplay {
  private readonly shields = new Set<ShieldLink>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private echoTimer: ReturnType<typeof setTimeout> | undefined;
  private fullFrame = false;
  private server: Server | undefined;
  /** Frame bytes sent, for the figures (bytes per frame). */
  readonly stats = { frames: 0, bytes: 0 };

  constructor(
    private readonly host: VddHost,
    private readonly wake: () => void,
  ) {}

  /** Render now if the picture may have changed; false when there is no video VDD that renders. */
  render(): boolean {
    try {
      return this.host.request('VVGA', VVGA_RENDER) === true;
    } catch {
      return false;
    }
  }

  capture(): Screenshot {
    this.render();
    const s = this.host.surface();
    return {
      width: s.width,
      height: s.height,
      depth: s.depth,
      pixels: s.pixels.slice(),
      palette: s.palette.slice(),
      text: s.screen ? [...s.screen.lines] : null,
    };
  }

  attach(link: ShieldLink): { receive(text: string): void; detach(): void } {
    this.shields.add(link);
    this.fullFrame = true;
    this.timer ??= setInterval(() => this.pump(), FRAME_MS);
    return {
      receive: (text) => this.receive(link, text),
      detach: () => {
        this.shields.delete(link);
        if (this.shields.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  /** Send the frame update, if any, to every shield that keeps up; true when one went out. */
  pump(): boolean {
    if (this.shields.size === 0) return false;
    for (const s of this.shields) if (s.backlog() > MAX_BACKLOG) return false; // let the slow one drain; damage accumulates
    this.render();
    const update = this.host.surface().takeUpdate(this.fullFrame);
    this.fullFrame = false;
    if (!update) return false;
    const bytes = encodeUpdate(update);
    this.stats.frames++;
    this.stats.bytes += bytes.length;
    for (const s of this.shields) s.sendFrame(bytes);
    return true;
  }

  broadcast(event: SessionEvent): void {
    for (const s of this.shields) s.sendEvent(event);
  }

  private receive(link: ShieldLink, text: string): void {
    const m = parseShieldMessage(text);
    if (m instanceof Error) {
      link.sendEvent({ type: 'state', state: 'running', reason: `refused: ${m.message}` });
      return;
    }
    try {
      switch (m.type) {
        case 'keys':
          this.host.request('VKBD', 1, m.codes);
          break;
        case 'paste':
          this.host.request('VKBD', 2, m.text.replace(/\r\n?/g, '\r').replace(/\n/g, '\r'));
          break;
        case 'mouse':
          if (this.host.openVdd('VMOUSE')) this.host.request('VMOUSE', 1, { dx: m.dx, dy: m.dy, buttons: m.buttons });
          break;
        case 'refresh':
          this.fullFrame = true;
          break;
      }
    } catch (e) {
      link.sendEvent({ type: 'state', state: 'running', reason: (e as Error).message });
    }
    this.wake();
    // Input usually changes the screen within a few milliseconds (an echo, a cursor move): look again
    // soon instead of at the next 60 Hz tick, so typing feels immediate.
    if (m.type !== 'refresh' && !this.echoTimer) this.echoLook(0);
  }

  /** Look for input's effect at each of ECHO_MS after it came (stop at the first frame that went out). */
  private echoLook(step: number): void {
    const at = ECHO_MS[step];
    if (at === undefined) return;
    this.echoTimer = setTimeout(() => {
      this.echoTimer = undefined;
      if (!this.pump()) this.echoLook(step + 1);
    }, at - (ECHO_MS[step - 1] ?? 0));
  }

  /** Serve shields over WebSocket on 127.0.0.1 (a browser's session page connects here directly). */
  async listen(): Promise<string> {
    const token = randomBytes(16).toString('hex');
    const server = createServer((_req, res) => {
      res.writeHead(404).end();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/shield' || url.searchParams.get('token') !== token) return refuseUpgrade(socket, 403, 'Forbidden');
      const origin = req.headers.origin;
      if (origin !== undefined && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
      let handle: ReturnType<VmDisplay['attach']> | undefined;
      const ws = acceptWebSocket(req, socket, head, SHIELD_MESSAGE_MAX, {
        onText: (text) => handle?.receive(text),
        onClose: () => handle?.detach(),
      });
      if (!ws) return;
      handle = this.attach({
        sendFrame: (bytes) => ws.sendBinary(bytes),
        sendEvent: (e) => ws.sendText(JSON.stringify(e)),
        backlog: () => ws.buffered,
        close: (reason) => ws.close(1001, reason),
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    server.unref();
    this.server = server;
    return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/shield?token=${token}`;
  }

  /** The VM is ending: tell the shields why, then close their ports. */
  close(event: SessionEvent): void {
    this.pump();
    for (const s of this.shields) {
      s.sendEvent(event);
      s.close(event.type === 'state' ? (event.reason ?? event.state).slice(0, 100) : 'the VM ended');
    }
    this.shields.clear();
    if (this.timer) clearInterval(this.timer);
    if (this.echoTimer) clearTimeout(this.echoTimer);
    this.server?.close();
  }
}
