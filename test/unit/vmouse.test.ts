/**
 * VMOUSE as a DOS program meets it: test/guests/mouse/mouse.com finds the driver behind INT 33h, resets it,
 * installs an event handler and shows the cursor; the test moves the mouse and clicks through the shield's
 * request ('VMOUSE' 1), and the program reports over the debug console what its handler was called with.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TextScreen } from '../../vdd/vvga/vvga.js';
import type { MouseState } from '../../vdd/vmouse/vmouse.js';
import { testPc, type TestPc } from '../support/pc.js';

const PROGRAM = readFileSync(fileURLToPath(new URL('../guests/mouse/mouse.com', import.meta.url)));
const SEG = 0x1000;

/** A PC after POST (no disks: the boot fails and it idles), with mouse.com started at 1000:0100. */
function start(): TestPc {
  const pc = testPc();
  expect(pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
  pc.vm.machine.ram.set(PROGRAM, SEG * 16 + 0x100);
  pc.vm.cpu.memoryChanged(SEG * 16 + 0x100, PROGRAM.length);
  pc.vm.resetCpu();
  pc.vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202 });
  return pc;
}

const motion = (pc: TestPc, dx: number, dy: number, buttons: number) => pc.host.request('VMOUSE', 1, { dx, dy, buttons });

describe('VMOUSE: INT 33h for a DOS program', () => {
  it('is found behind vector 33h, resets to two buttons and calls the event handler for motion, press and release', () => {
    const pc = start();
    expect(pc.runUntil(() => pc.debug.includes('READY'))).toBe(true);
    const [vector] = pc.debug.filter((l) => l.startsWith('VECTOR'));
    expect(vector).toBe('VECTOR F000 00FB'); // the ROM's driver stub, which begins with STI
    expect(pc.debug).toContain('RESET FFFF 0002');

    // The cursor is shown at the centre of the 640x200 virtual screen: cell (40, 12), attribute inverted.
    const screen = pc.host.request('VVGA', 1) as TextScreen;
    expect(screen.attrs[12][40]).toBe(0x70);
    expect((pc.host.request('VMOUSE', 2) as MouseState).visible).toBe(true);

    motion(pc, 16, 0, 0); // 16 mickeys right: 16 pixels at 8 mickeys per 8 pixels
    expect((pc.host.request('VMOUSE', 2) as MouseState).x).toBe(336);
    motion(pc, 0, 0, 1);
    motion(pc, 0, 0, 0);
    expect(pc.runUntil(() => pc.debug.includes('DONE'))).toBe(true);
    const events = pc.debug.filter((l) => l.startsWith('EV'));
    expect(events).toEqual(['EV 0001 0000 0150 0064', 'EV 0002 0001 0150 0064', 'EV 0004 0000 0150 0064']);
    expect(pc.debug).toContain('POS 0000 0150 0064');
    expect(pc.debug).toContain('PRESS 0000 0001 0150 0064');
    // The cursor moved with the mouse: two cells right, and the old cell got its attribute back.
    const after = pc.host.request('VVGA', 1) as TextScreen;
    expect(after.attrs[12][40]).toBe(0x07);
    expect(after.attrs[12][42]).toBe(0x70);
  });

  it('keeps the position inside the ranges and refuses malformed motion', () => {
    const pc = start();
    expect(pc.runUntil(() => pc.debug.includes('READY'))).toBe(true);
    motion(pc, -2000, -2000, 0);
    let s = pc.host.request('VMOUSE', 2) as MouseState;
    expect([s.x, s.y]).toEqual([0, 0]);
    motion(pc, 5000, 5000, 0);
    s = pc.host.request('VMOUSE', 2) as MouseState;
    expect([s.x, s.y]).toEqual([639, 199]);
    expect(() => pc.host.request('VMOUSE', 1, { dx: 1.5, dy: 0, buttons: 0 })).toThrow(/integer/);
    expect(() => pc.host.request('VMOUSE', 1, { dx: 0, dy: 0, buttons: 9 })).toThrow(/buttons/);
    expect(() => pc.host.request('VMOUSE', 1, 'garbage')).toThrow();
  });
});

describe('VMOUSE in a VESA mode', () => {
  it('takes its ranges and centre from the VBE resolution (BDA mode FFh)', () => {
    const pc = testPc();
    expect(pc.runUntil(() => pc.events.some((e) => e.topic === 'boot-failed'))).toBe(true);
    // mov ax,4F02h ; mov bx,0101h ; int 10h ; xor ax,ax ; int 33h ; mov ax,0026h ; int 33h ; cli ; hlt
    const code = [0xb8, 0x02, 0x4f, 0xbb, 0x01, 0x01, 0xcd, 0x10, 0x31, 0xc0, 0xcd, 0x33, 0xb8, 0x26, 0x00, 0xcd, 0x33, 0xfa, 0xf4];
    pc.vm.machine.ram.set(code, SEG * 16 + 0x100);
    pc.vm.cpu.memoryChanged(SEG * 16 + 0x100, code.length);
    pc.vm.resetCpu();
    pc.vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x202 });
    pc.runUntil(() => false, 2_000_000);
    const r = pc.vm.cpu.getRegisters();
    expect([r.ecx & 0xffff, r.edx & 0xffff]).toEqual([639, 479]); // AX=0026h: the maximum coordinates
    expect(pc.host.request('VMOUSE', 2)).toMatchObject({ x: 320, y: 240 });
  });
});
