/**
 * The desktop listens to a session's port (title, state, exit code, close) without taking the events that
 * arrive before the session window attaches: the window still gets them, in order.
 */
import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../main/vman/wire.js';
import { teePort, type SessionPort } from '../../renderer/shell/session-tee.js';

function fakePort() {
  const events: ((e: SessionEvent) => void)[] = [];
  const closes: ((r: string) => void)[] = [];
  const sent: unknown[] = [];
  let closed = false;
  const port: SessionPort = {
    send: (m) => sent.push(m),
    onFrame: () => undefined,
    onEvent: (cb) => events.push(cb),
    onClose: (cb) => closes.push(cb),
    close: () => (closed = true),
  };
  return {
    port,
    sent,
    isClosed: () => closed,
    emit: (e: SessionEvent) => events.forEach((cb) => cb(e)),
    end: (r: string) => closes.forEach((cb) => cb(r)),
  };
}

describe('teePort', () => {
  it('tells the watcher every event and keeps the early ones for the window', () => {
    const f = fakePort();
    const seen: SessionEvent[] = [];
    const ends: string[] = [];
    const tee = teePort(f.port, { event: (e) => seen.push(e), closed: (r) => ends.push(r) });
    f.emit({ type: 'title', title: 'HELLO' });
    const window: SessionEvent[] = [];
    tee.onEvent((e) => window.push(e));
    f.emit({ type: 'state', state: 'stopped', exitCode: 42 });
    expect(seen).toEqual([
      { type: 'title', title: 'HELLO' },
      { type: 'state', state: 'stopped', exitCode: 42 },
    ]);
    expect(window).toEqual(seen);
    f.end('the session ended');
    expect(ends).toEqual(['the session ended']);
  });

  it('passes sends and close through', () => {
    const f = fakePort();
    const tee = teePort(f.port, { event: () => undefined, closed: () => undefined });
    tee.send({ type: 'refresh' });
    tee.close();
    expect(f.sent).toEqual([{ type: 'refresh' }]);
    expect(f.isClosed()).toBe(true);
  });
});
