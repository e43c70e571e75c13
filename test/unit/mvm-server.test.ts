/**
 * The MVM server with real VM processes (child_process.fork of the built out/main/vmm/vm-process.js):
 * starting, requests to VDDs, pause/resume, stop, and isolation — a VM that dies or talks garbage never
 * takes the server or the other VMs down.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bootVm } from '../../main/mvm/boot.js';
import { MvmServer, forkLauncher, type ServerEvent, type VmChannel } from '../../main/mvm/server.js';
import { tempDir, writeImage } from '../support/pc.js';

const BIOSTEST = readFileSync(new URL('../guests/boot/biostest.bin', import.meta.url));

const temp = tempDir();
afterAll(() => temp.remove());
const floppy = writeImage(temp.dir, 'a.img', 1474560, { 0: BIOSTEST, 5: 'from the image\0' });

const servers: MvmServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.shutdown()));
});

function server(options = {}): MvmServer {
  const s = new MvmServer(options);
  servers.push(s);
  return s;
}

function waitFor(s: MvmServer, pred: (e: ServerEvent) => boolean, ms = 20_000): Promise<ServerEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for a server event')), ms);
    const off = s.on((e) => {
      if (pred(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}

describe('MVM server', { timeout: 60_000 }, () => {
  it('starts a VM in its own process, which boots the floppy and answers VDD requests', async () => {
    const s = server();
    const booted = waitFor(s, (e) => e.kind === 'event' && e.topic === 'boot');
    const vm = await s.startVm({ model: 386, paced: false, settings: { DISK_A: floppy } });
    expect(vm.pid).toBeGreaterThan(0);
    expect(vm.pid).not.toBe(process.pid);
    expect(vm.vdds).toEqual(expect.arrayContaining(['VPIC', 'VTIMER', 'VCMOS', 'VKBD', 'VDSK', 'VVGA', 'VBIOS']));
    await booted;
    const h = s.openVdd(vm.id, 'VCMOS');
    const clock = (await s.requestVdd(h, 3)) as { year: number; month: number };
    s.closeVdd(h);
    expect(clock.month).toBeGreaterThanOrEqual(1);
    await expect(s.request(vm.id, 'VCMOS', 99)).rejects.toThrow(/unknown request 99/);
    await expect(s.request(vm.id, 'NOSUCH', 1)).rejects.toThrow(/no VDD named NOSUCH/);
    expect(() => s.openVdd(vm.id, 'NOSUCH')).toThrow(/has no VDD named NOSUCH/);
    const stats = await s.stats(vm.id);
    expect(stats.instructions).toBeGreaterThan(0);
    expect(stats.rss).toBeGreaterThan(1e6);
    await s.stop(vm.id);
    expect(s.get(vm.id)?.state).toBe('stopped');
  });

  it('types keys when the guest waits and reads the screen (the headless boot)', async () => {
    const s = server();
    const r = await bootVm(s, { floppy, keys: 'hello\r', until: 'DONE', timeoutMs: 30_000 });
    expect(r.outcome).toBe('matched');
    expect(r.screen).toContain('KEYS hello');
    expect(r.screen).toContain('SECTOR from the image');
    expect(r.bootSectorMs).toBeGreaterThan(0);
  });

  it('reports a VM whose process is killed as crashed, and the other VMs go on', async () => {
    const s = server();
    const a = await s.startVm({ model: 386, paced: false, settings: { DISK_A: floppy } });
    const b = await s.startVm({ model: 386, paced: false, settings: { DISK_A: floppy } });
    const crashed = waitFor(s, (e) => e.kind === 'state' && e.vm.id === a.id && e.vm.state === 'crashed');
    process.kill(a.pid!, 'SIGKILL');
    const e = (await crashed) as Extract<ServerEvent, { kind: 'state' }>;
    expect(e.vm.reason).toMatch(/killed \(SIGKILL\)/);
    await expect(s.request(a.id, 'VCMOS', 3)).rejects.toThrow(/crashed/);
    expect(await s.request(b.id, 'VVIDEO', 2)).toEqual({ mode: 3 });
    expect(s.list().map((v) => v.state)).toEqual(['crashed', expect.stringMatching(/running|idle/)]);
  });

  it('refuses to start a VM with a disk image that is not there, saying which', async () => {
    const s = server();
    await expect(s.startVm({ model: 386, settings: { DISK_A: '/nonexistent/x.img' } })).rejects.toThrow(/x\.img/);
    expect(s.list()[0].state).toBe('crashed');
  });

  it('survives garbage from a VM process and garbage sent to one', async () => {
    let raw: VmChannel | undefined;
    const s = server({
      launch: (entry: string) => {
        raw = forkLauncher(entry);
        return raw;
      },
    });
    const logs: string[] = [];
    s.on((e) => {
      if (e.kind === 'log') logs.push(e.message);
    });
    const vm = await s.startVm({ model: 386, paced: false, settings: { DISK_A: floppy } });
    for (const junk of [[], 42, 'text', { type: 'request', id: -1 }, { type: 'start' }, { type: 'nope' }, { type: 'request', id: 1, vdd: '../x', command: 1 }]) {
      raw!.send(junk as never);
    }
    expect(await s.request(vm.id, 'VVIDEO', 2)).toEqual({ mode: 3 });
    await new Promise((r) => setTimeout(r, 200));
    expect(logs.filter((l) => l.startsWith('refused a message')).length).toBeGreaterThanOrEqual(6);
  });

  it('pauses and resumes a VM: a paused guest does not run', async () => {
    const s = server();
    const vm = await s.startVm({ model: 386, paced: true, settings: { DISK_A: floppy } });
    await waitFor(s, (e) => e.kind === 'event' && e.topic === 'boot');
    s.pause(vm.id);
    await waitFor(s, (e) => e.kind === 'state' && e.vm.state === 'paused');
    const before = (await s.stats(vm.id)).ticks;
    await new Promise((r) => setTimeout(r, 300));
    expect((await s.stats(vm.id)).ticks).toBe(before);
    s.resume(vm.id);
    await new Promise((r) => setTimeout(r, 300));
    expect((await s.stats(vm.id)).ticks).toBeGreaterThan(before);
  });
});
