/**
 * A DOS session's display end to end below the browser: the web host's session manager starts a real VM
 * process running the DOS shell, a shield connects to the VM's own WebSocket (no frame passes through the
 * server), sees the prompt in the frame updates' screen text, types `dir` and sees the listing; intruders
 * with a wrong token or a foreign Origin are refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkLauncher, MvmServer } from '../../main/mvm/server.js';
import { applyUpdate, type ScreenText } from '../../main/vman/surface.js';
import { decodeUpdate } from '../../main/vman/wire.js';
import { SessionManager } from '../../main/web/sessions.js';
import { RawWebSocket } from './ws-client.js';

let dir: string;
let server: MvmServer;
let sessions: SessionManager;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvm-session-'));
  writeFileSync(join(dir, 'README.TXT'), 'hello from the host\r\n');
  server = new MvmServer();
  sessions = new SessionManager(server);
});

afterAll(async () => {
  await server.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

function shieldPath(url: string): { port: number; path: string } {
  const u = new URL(url);
  return { port: Number(u.port), path: u.pathname + u.search };
}

/** A shield's copy of the screen, fed from frames until `until` holds for its text. */
async function watch(ws: RawWebSocket, until: (text: string) => boolean, ms = 15_000) {
  const copy = { width: 1, height: 1, pixels: new Uint8Array(1), palette: new Uint32Array(256), text: null as ScreenText | null };
  const deadline = Date.now() + ms;
  let frames = 0;
  let bytes = 0;
  while (Date.now() < deadline) {
    const f = await Promise.race([ws.next(), new Promise<undefined>((r) => setTimeout(() => r(undefined), deadline - Date.now()))]);
    if (!f) break;
    if (f.opcode !== 2) continue;
    frames++;
    bytes += f.payload.length;
    applyUpdate(copy, decodeUpdate(new Uint8Array(f.payload)));
    if (copy.text && until(copy.text.lines.join('\n'))) return { copy, frames, bytes };
  }
  throw new Error(`screen never matched; last text:\n${copy.text?.lines.join('\n') ?? '(graphics)'}`);
}

describe('a DOS session display', () => {
  it('shows the prompt, takes typed text and shows the listing', async () => {
    const s = await sessions.start({ driveC: dir });
    expect(s.title).toBe('DOS Window');
    expect(s.shield).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/shield\?token=[0-9a-f]{32}$/);
    const { port, path } = shieldPath(s.shield!);
    const ws = await RawWebSocket.open(port, path, { Origin: 'http://127.0.0.1:1234' });
    const first = await watch(ws, (t) => t.includes('C:\\>'));
    expect(first.copy.width).toBe(720);
    expect(first.copy.height).toBe(400);
    ws.sendText(JSON.stringify({ type: 'paste', text: 'dir\r' }));
    const after = await watch(ws, (t) => /README\s+TXT/.test(t));
    expect(after.copy.text!.lines.join('\n')).toMatch(/file\(s\)/i);
    ws.destroy();
    await sessions.stop(s.id);
  }, 40_000);

  it('refuses a shield with a wrong token or from a foreign origin', async () => {
    const s = await sessions.start({ driveC: dir });
    const { port, path } = shieldPath(s.shield!);
    await expect(RawWebSocket.open(port, path.replace(/token=\w+/, 'token=' + '0'.repeat(32)))).rejects.toThrow('403');
    await expect(RawWebSocket.open(port, path, { Origin: 'http://attacker.example' })).rejects.toThrow('403');
    await sessions.stop(s.id);
  }, 30_000);

  it('refuses session options a page should not send', async () => {
    await expect(sessions.start({ program: '..\\..\\ETC\\PASSWD' })).rejects.toThrow(/DOS path/);
    await expect(sessions.start({ driveC: 'relative/dir' })).rejects.toThrow(/absolute/);
    await expect(sessions.start({ driveC: join(dir, 'missing') })).rejects.toThrow(/not a folder/);
    await expect(sessions.start({ shell: '/bin/sh' })).rejects.toThrow(/unknown session option/);
    await expect(sessions.stop(99999)).rejects.toThrow(/no session/);
  });

  it('hands a shield its own port only through a launcher that can send ports (Electron), for a live VM', async () => {
    // Plain Node's fork launcher cannot transfer a MessagePort: the page uses the WebSocket instead.
    const s = await sessions.start({ driveC: dir });
    expect(server.attachShieldPort(s.id, {})).toBe(false);
    expect(server.attachShieldPort(9999, {})).toBe(false);
    await sessions.stop(s.id);

    // A launcher that can (as utilityProcess does): the port goes to the VM process with {type: 'shield'}.
    const sent: { message: unknown; port: unknown }[] = [];
    const portServer = new MvmServer({ launch: (entry) => ({ ...forkLauncher(entry), sendPort: (message, port) => void sent.push({ message, port }) }) });
    try {
      const vm = await portServer.startVm({ model: 386, settings: {} });
      const port = { a: 'port' };
      expect(portServer.attachShieldPort(vm.id, port)).toBe(true);
      expect(sent).toEqual([{ message: { type: 'shield' }, port }]);
      await portServer.stop(vm.id, 'done');
      expect(portServer.attachShieldPort(vm.id, port)).toBe(false);
    } finally {
      await portServer.shutdown();
    }
  });
});

