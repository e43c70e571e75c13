/**
 * A session's port as the shield and the desktop use it, whatever carries it (a WebSocket or a MessagePort:
 * ./port.ts). No DOM in this file, so Node-side code and tests can name the type.
 */
import type { FrameUpdate } from '../../main/vman/surface.js';
import type { SessionEvent, ShieldMessage } from '../../main/vman/wire.js';

export interface SessionPort {
  send(msg: ShieldMessage): void;
  onFrame(cb: (u: FrameUpdate) => void): void;
  onEvent(cb: (e: SessionEvent) => void): void;
  onClose(cb: (reason: string) => void): void;
  close(): void;
}
