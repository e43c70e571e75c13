/**
 * A session shield's port to its VM (main/vman/wire.ts is the format): binary frame updates and JSON events
 * in, JSON shield messages out. Two carriers: a WebSocket straight to the VM's process (a browser, the web
 * host) and a DOM MessagePort (Electron hands the renderer one end, the VM's utility process the other).
 */
import type { FrameUpdate } from '../../main/vman/surface.js';
import type { MvmApi, SessionInfo, ShieldPortMessage } from '../../preload/api.js';
import { decodeUpdate, type SessionEvent, type ShieldMessage } from '../../main/vman/wire.js';
import type { SessionPort } from './session-port.js';

export type { SessionPort };

/** Events that arrive before anyone listens are kept, up to this many (the latest win). */
const EARLY_EVENTS = 32;

/**
 * What both carriers share: listeners, and not losing what arrives before the shield element attached
 * (the desktop creates the port a render before the element exists). A frame nobody saw, a gap in the
 * sequence or a frame that does not decode all ask the VM for a full frame instead.
 */
class PortCore {
  private readonly frameListeners: ((u: FrameUpdate) => void)[] = [];
  private readonly eventListeners: ((e: SessionEvent) => void)[] = [];
  private readonly closeListeners: ((reason: string) => void)[] = [];
  private readonly earlyEvents: SessionEvent[] = [];
  private missedFrames = false;
  private lastSeq: number | undefined;
  closedReason: string | undefined;

  constructor(private readonly refresh: () => void) {}

  frame(bytes: Uint8Array): void {
    if (this.closedReason !== undefined) return;
    if (this.frameListeners.length === 0) {
      this.missedFrames = true;
      return;
    }
    let update: FrameUpdate;
    try {
      update = decodeUpdate(bytes);
    } catch {
      this.lastSeq = undefined;
      this.refresh();
      return;
    }
    // The next full frame resynchronises; until it comes, keep applying (damage is still damage).
    if (this.lastSeq !== undefined && update.seq !== ((this.lastSeq + 1) >>> 0)) this.refresh();
    this.lastSeq = update.seq;
    for (const cb of this.frameListeners) cb(update);
  }

  text(data: string): void {
    if (this.closedReason !== undefined) return;
    let event: SessionEvent;
    try {
      event = JSON.parse(data) as SessionEvent;
    } catch {
      return; // not ours to show; the VM only sends JSON
    }
    if (typeof event !== 'object' || event === null || typeof event.type !== 'string') return;
    if (this.eventListeners.length === 0) {
      this.earlyEvents.push(event);
      if (this.earlyEvents.length > EARLY_EVENTS) this.earlyEvents.shift();
      return;
    }
    for (const cb of this.eventListeners) cb(event);
  }

  closed(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    for (const cb of this.closeListeners) cb(reason);
  }

  onFrame(cb: (u: FrameUpdate) => void): void {
    this.frameListeners.push(cb);
    if (this.missedFrames) {
      this.missedFrames = false;
      this.lastSeq = undefined;
      this.refresh();
    }
  }

  onEvent(cb: (e: SessionEvent) => void): void {
    this.eventListeners.push(cb);
    for (const e of this.earlyEvents.splice(0)) cb(e);
  }

  onClose(cb: (reason: string) => void): void {
    this.closeListeners.push(cb);
    if (this.closedReason !== undefined) cb(this.closedReason);
  }
}

function bytesOf(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** A port over a WebSocket to the VM's shield endpoint (`ws://127.0.0.1:…/shield?token=…`). */
export function webSocketPort(url: string): SessionPort {
  const queue: string[] = [];
  let ws: WebSocket | undefined;
  const send = (msg: ShieldMessage): void => {
    if (core.closedReason !== undefined) return;
    const text = JSON.stringify(msg);
    if (ws?.readyState === WebSocket.OPEN) ws.send(text);
    else queue.push(text);
  };
  const core = new PortCore(() => send({ type: 'refresh' }));
  try {
    ws = new WebSocket(url);
  } catch (e) {
    // A malformed URL throws synchronously; report it as a close so the shield shows it.
    const reason = e instanceof Error ? e.message : String(e);
    queueMicrotask(() => core.closed(`cannot connect: ${reason}`));
  }
  if (ws) {
    const socket = ws;
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => {
      socket.send(JSON.stringify({ type: 'refresh' } satisfies ShieldMessage));
      for (const text of queue.splice(0)) socket.send(text);
    });
    socket.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (typeof event.data === 'string') core.text(event.data);
      else {
        const bytes = bytesOf(event.data);
        if (bytes) core.frame(bytes);
      }
    });
    socket.addEventListener('close', (event: CloseEvent) => {
      core.closed(event.reason || (event.wasClean ? 'the session ended' : `connection lost (code ${event.code})`));
    });
  }
  return {
    send,
    onFrame: (cb) => core.onFrame(cb),
    onEvent: (cb) => core.onEvent(cb),
    onClose: (cb) => core.onClose(cb),
    close: () => {
      queue.length = 0;
      ws?.close(1000, 'shield closed');
      core.closed('closed');
    },
  };
}

/** A port over a DOM MessagePort (Electron): Uint8Array/ArrayBuffer data is a frame, a string an event. */
export function messagePortPort(port: MessagePort): SessionPort {
  const post = (msg: ShieldMessage): void => port.postMessage(JSON.stringify(msg));
  const core = new PortCore(() => post({ type: 'refresh' }));
  port.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (typeof event.data === 'string') core.text(event.data);
    else {
      const bytes = bytesOf(event.data);
      if (bytes) core.frame(bytes);
    }
  });
  // Chromium fires 'close' on a MessagePort when the other end goes away (the VM process ended).
  port.addEventListener('close', () => core.closed('the session ended'));
  port.start();
  post({ type: 'refresh' });
  return {
    send: (msg) => {
      if (core.closedReason === undefined) post(msg);
    },
    onFrame: (cb) => core.onFrame(cb),
    onEvent: (cb) => core.onEvent(cb),
    onClose: (cb) => core.onClose(cb),
    close: () => {
      port.close();
      core.closed('closed');
    },
  };
}

/** How long the page waits for a MessagePort the main process said it sent. */
const PORT_WAIT_MS = 5000;

/**
 * A session's port as the application offers it: under Electron a MessagePort straight to the VM process
 * (asked for with openShieldPort, delivered as a ShieldPortMessage); elsewhere the WebSocket in
 * `info.shield`, also straight to the VM process.
 */
export async function connectSession(api: Pick<MvmApi, 'openShieldPort'>, info: SessionInfo): Promise<SessionPort> {
  let listener: ((e: MessageEvent) => void) | undefined;
  const arrived = new Promise<MessagePort>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the session port did not arrive')), PORT_WAIT_MS);
    listener = (e: MessageEvent) => {
      const m = e.data as Partial<ShieldPortMessage> | null;
      if (e.source !== window || m?.type !== 'mvm-shield-port' || m.id !== info.id || e.ports.length !== 1) return;
      clearTimeout(timer);
      resolve(e.ports[0]);
    };
    window.addEventListener('message', listener);
  });
  arrived.catch(() => undefined); // handled below, or not needed at all on the WebSocket path
  try {
    if (await api.openShieldPort(info.id)) return messagePortPort(await arrived);
  } finally {
    if (listener) window.removeEventListener('message', listener);
  }
  if (!info.shield) throw new Error('the session has no display port');
  return webSocketPort(info.shield);
}
