/**
 * The desktop's ear on a session port: it hears the VM's events (title, state, exit code) and the port's
 * close for the Window List, while the session window (<mvm-session>) gets the port as before — including
 * the events that arrived before the window attached, which a plain second listener would take from it.
 */
import type { FrameUpdate } from '../../main/vman/surface.js';
import type { SessionEvent } from '../../main/vman/wire.js';
import type { SessionPort } from '../session/session-port.js';

export type { SessionPort };

/** Events kept for the window until it listens (as the port itself keeps them). */
const EARLY_EVENTS = 32;

export interface PortWatcher {
  event(e: SessionEvent): void;
  closed(reason: string): void;
}

/** A port that behaves as `port` and also tells `watcher` every event and the close. */
export function teePort(port: SessionPort, watcher: PortWatcher): SessionPort {
  const early: SessionEvent[] = [];
  const listeners: ((e: SessionEvent) => void)[] = [];
  port.onEvent((e) => {
    watcher.event(e);
    if (listeners.length === 0) {
      early.push(e);
      if (early.length > EARLY_EVENTS) early.shift();
    } else for (const cb of listeners) cb(e);
  });
  port.onClose((reason) => watcher.closed(reason));
  return {
    send: (msg) => port.send(msg),
    onFrame: (cb) => port.onFrame(cb),
    onEvent: (cb) => {
      listeners.push(cb);
      for (const e of early.splice(0)) cb(e);
    },
    onClose: (cb) => port.onClose(cb),
    close: () => port.close(),
  };
}
