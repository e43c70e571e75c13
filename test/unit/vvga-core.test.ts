/**
 * VVGA's VGA core as a program sees it: registers and video memory driven only through portOut/portIn and
 * memRead/memWrite, with the register values of the standard BIOS modes, and Input Status 1 read against a
 * fake clock.
 */
import { describe, expect, it } from 'vitest';
import { PLANE_SIZE, VgaCore } from '../../vdd/vvga/vga.js';
import { biosMode, programMode } from '../support/vga-modes.js';

const MODE_03 = biosMode(0x03);
const MODE_12 = biosMode(0x12);
const MODE_13 = biosMode(0x13);

class FakeClock {
  t = 0;
  readonly ticksPerSecond = 1_000_000_000;
  now(): number {
    return this.t;
  }
}

function out(vga: VgaCore, port: number, value: number): void {
  vga.portOut(port, value);
}

const setMode = programMode;

function seqOut(vga: VgaCore, i: number, v: number): void {
  out(vga, 0x3c4, i);
  out(vga, 0x3c5, v);
}

function gcOut(vga: VgaCore, i: number, v: number): void {
  out(vga, 0x3ce, i);
  out(vga, 0x3cf, v);
}

function plane(vga: VgaCore, p: number, offset: number): number {
  return vga.vram[p * PLANE_SIZE + offset];
}

function setPlanes(vga: VgaCore, offset: number, bytes: [number, number, number, number]): void {
  for (let p = 0; p < 4; p++) vga.vram[p * PLANE_SIZE + offset] = bytes[p];
}

function planar(): VgaCore {
  const vga = new VgaCore(new FakeClock());
  setMode(vga, MODE_12);
  return vga;
}

describe('VGA latches and read modes', () => {
  it('a read loads all four latches from the same offset and read mode 0 returns the read map select plane', () => {
    const vga = planar();
    setPlanes(vga, 0x123, [0x11, 0x22, 0x33, 0x44]);
    gcOut(vga, 4, 2);
    expect(vga.memRead(0xa0123)).toBe(0x33);
    expect([...vga.latch]).toEqual([0x11, 0x22, 0x33, 0x44]);
    gcOut(vga, 4, 1);
    expect(vga.memRead(0xa0123)).toBe(0x22);
  });

  it('read mode 1 returns 1 where every cared-for plane matches the colour compare', () => {
    const vga = planar();
    // Pixels 0-7 colours: 5, 5, 7, 0, 5, 13, 5, 4
    const colours = [5, 5, 7, 0, 5, 13, 5, 4];
    const bytes: [number, number, number, number] = [0, 0, 0, 0];
    colours.forEach((c, i) => {
      for (let p = 0; p < 4; p++) if (c & (1 << p)) bytes[p] |= 0x80 >> i;
    });
    setPlanes(vga, 10, bytes);
    gcOut(vga, 5, 0x08);
    gcOut(vga, 2, 5);
    gcOut(vga, 7, 0x0f);
    expect(vga.memRead(0xa000a)).toBe(0b11001010);
    gcOut(vga, 7, 0x07); // plane 3 don't care: 13 matches 5 too
    expect(vga.memRead(0xa000a)).toBe(0b11001110);
    gcOut(vga, 7, 0x00); // nothing cared for: all ones
    expect(vga.memRead(0xa000a)).toBe(0xff);
  });
});

describe('VGA write modes', () => {
  it('write mode 0 stores the byte in the planes the map mask enables', () => {
    const vga = planar();
    seqOut(vga, 2, 0x05);
    vga.memWrite(0xa0000, 0x5a);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 0))).toEqual([0x5a, 0, 0x5a, 0]);
  });

  it('write mode 0 puts the set/reset value in the planes enable set/reset names', () => {
    const vga = planar();
    gcOut(vga, 0, 0x09); // set/reset: planes 0 and 3 ones
    gcOut(vga, 1, 0x03); // enabled for planes 0 and 1
    vga.memWrite(0xa0000, 0x3c);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 0))).toEqual([0xff, 0x00, 0x3c, 0x3c]);
  });

  it('write mode 0 rotates the data right by the rotate count', () => {
    const vga = planar();
    gcOut(vga, 3, 0x03);
    vga.memWrite(0xa0000, 0x81);
    expect(plane(vga, 0, 0)).toBe(0x30);
  });

  it('the logical operation combines the data with the latches (AND, OR, XOR)', () => {
    const vga = planar();
    setPlanes(vga, 0, [0xf0, 0xf0, 0xf0, 0xf0]);
    for (const [op, want] of [
      [0x08, 0xf0 & 0x3c],
      [0x10, 0xf0 | 0x3c],
      [0x18, 0xf0 ^ 0x3c],
    ]) {
      setPlanes(vga, 0, [0xf0, 0xf0, 0xf0, 0xf0]);
      gcOut(vga, 3, op);
      vga.memRead(0xa0000);
      vga.memWrite(0xa0000, 0x3c);
      expect(plane(vga, 0, 0)).toBe(want);
      expect(plane(vga, 3, 0)).toBe(want);
    }
  });

  it('the bit mask keeps the latched bits where it is 0', () => {
    const vga = planar();
    setPlanes(vga, 0, [0xaa, 0xaa, 0xaa, 0xaa]);
    vga.memRead(0xa0000);
    gcOut(vga, 8, 0x0f);
    vga.memWrite(0xa0000, 0x00);
    expect(plane(vga, 0, 0)).toBe(0xa0);
    // The latches, not the memory at the written address, supply the kept bits.
    vga.memWrite(0xa0001, 0x00);
    expect(plane(vga, 0, 1)).toBe(0xa0);
  });

  it('write mode 1 copies the latches to the map-mask planes, ignoring data and bit mask', () => {
    const vga = planar();
    setPlanes(vga, 0x40, [1, 2, 3, 4]);
    gcOut(vga, 5, 0x01);
    gcOut(vga, 8, 0x00);
    vga.memRead(0xa0040);
    seqOut(vga, 2, 0x0b);
    vga.memWrite(0xa0080, 0x99);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 0x80))).toEqual([1, 2, 0, 4]);
  });

  it('write mode 2 expands the colour to all four planes under the bit mask', () => {
    const vga = planar();
    setPlanes(vga, 0, [0xff, 0x00, 0xff, 0x00]);
    vga.memRead(0xa0000);
    gcOut(vga, 5, 0x02);
    gcOut(vga, 8, 0x18);
    gcOut(vga, 3, 0x07); // rotate does not apply in write mode 2
    vga.memWrite(0xa0000, 0x0a);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 0))).toEqual([0xe7, 0x18, 0xe7, 0x18]);
  });

  it('write mode 3 uses the rotated data ANDed with the bit mask as mask and set/reset as colour', () => {
    const vga = planar();
    setPlanes(vga, 0, [0, 0, 0, 0]);
    vga.memRead(0xa0000);
    gcOut(vga, 5, 0x03);
    gcOut(vga, 0, 0x06);
    gcOut(vga, 1, 0x00); // ignored in write mode 3
    gcOut(vga, 3, 0x04); // rotate by 4
    gcOut(vga, 8, 0xf0);
    vga.memWrite(0xa0000, 0x3c); // rotated: 0xc3, & 0xf0: 0xc0
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 0))).toEqual([0x00, 0xc0, 0xc0, 0x00]);
  });
});

describe('VGA CPU addressing', () => {
  it('chain-4 sends address n to plane n & 3 at offset n & ~3 and reads it back from there', () => {
    const vga = new VgaCore(new FakeClock());
    setMode(vga, MODE_13);
    for (let n = 0; n < 8; n++) vga.memWrite(0xa0000 + 0x100 + n, 0x10 + n);
    expect(plane(vga, 0, 0x100)).toBe(0x10);
    expect(plane(vga, 1, 0x100)).toBe(0x11);
    expect(plane(vga, 3, 0x104)).toBe(0x17);
    expect(plane(vga, 0, 0x101)).toBe(0);
    expect(vga.memRead(0xa0106)).toBe(0x16);
    // The map mask still gates the chained planes.
    seqOut(vga, 2, 0x0e);
    vga.memWrite(0xa0100, 0xee);
    expect(plane(vga, 0, 0x100)).toBe(0x10);
  });

  it('odd/even sends even addresses to plane 0 and odd to plane 1 at the even offset', () => {
    const vga = new VgaCore(new FakeClock());
    setMode(vga, MODE_03);
    vga.memWrite(0xb8000 + 160, 0x41);
    vga.memWrite(0xb8000 + 161, 0x1e);
    expect(plane(vga, 0, 160)).toBe(0x41);
    expect(plane(vga, 1, 160)).toBe(0x1e);
    expect(plane(vga, 0, 161)).toBe(0);
    expect(vga.memRead(0xb8000 + 160)).toBe(0x41);
    expect(vga.memRead(0xb8000 + 161)).toBe(0x1e);
    // With read map select 2 the odd/even read goes to planes 2/3.
    vga.vram[2 * PLANE_SIZE + 160] = 0x77;
    gcOut(vga, 4, 2);
    expect(vga.memRead(0xb8000 + 160)).toBe(0x77);
  });

  it('odd/even with the page bit clear reaches the odd plane bytes', () => {
    const vga = new VgaCore(new FakeClock());
    setMode(vga, MODE_03);
    out(vga, 0x3c2, MODE_03.misc & ~0x20);
    vga.memWrite(0xb8000 + 4, 0x55);
    expect(plane(vga, 0, 5)).toBe(0x55);
    expect(plane(vga, 0, 4)).toBe(0);
  });

  it('the memory map select decides which window is mapped', () => {
    const vga = planar(); // A000 64K
    vga.memWrite(0xa0010, 1);
    vga.memWrite(0xb8010, 2);
    expect(plane(vga, 0, 0x10)).toBe(1);
    expect(vga.memRead(0xb8010)).toBe(0xff);
    gcOut(vga, 6, 0x0d); // B800 32K
    expect(vga.memRead(0xa0010)).toBe(0xff);
    vga.memWrite(0xb8020, 3);
    expect(plane(vga, 0, 0x20)).toBe(3);
    expect(vga.memRead(0xb0020)).toBe(0xff);
    gcOut(vga, 6, 0x09); // B000 32K
    expect(vga.memRead(0xb0020)).toBe(3);
    expect(vga.memRead(0xb8020)).toBe(0xff);
    gcOut(vga, 6, 0x01); // A000 128K, wrapping at the 64K plane size
    expect(vga.memRead(0xb0020)).toBe(3);
    expect(vga.memRead(0xa0020)).toBe(3);
  });

  it('Misc Output bit 1 clear disables CPU access to video memory', () => {
    const vga = planar();
    out(vga, 0x3c2, MODE_12.misc & ~0x02);
    vga.memWrite(0xa0000, 9);
    expect(plane(vga, 0, 0)).toBe(0);
    expect(vga.memRead(0xa0000)).toBe(0xff);
  });

  it('register arrays written directly take effect on the next memory access', () => {
    const vga = planar();
    vga.memWrite(0xa0000, 0x12);
    vga.gc[5] = 0x02;
    vga.memWrite(0xa0001, 0x03);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 1))).toEqual([0xff, 0xff, 0, 0]);
  });
});

describe('VGA registers', () => {
  it('the attribute controller alternates index and data on 3C0h and reading 3DAh resets it to index', () => {
    const vga = planar();
    vga.portIn(0x3da);
    out(vga, 0x3c0, 0x11);
    out(vga, 0x3c0, 0x2a);
    expect(vga.ac[0x11]).toBe(0x2a);
    out(vga, 0x3c0, 0x33); // an index write (PAS set, index 13h)
    expect(vga.portIn(0x3c0)).toBe(0x33);
    vga.portIn(0x3da);
    out(vga, 0x3c0, 0x34); // index again after the reset: 14h
    out(vga, 0x3c0, 0x05);
    expect(vga.ac[0x14]).toBe(0x05);
    expect(vga.portIn(0x3c1)).toBe(0x05);
  });

  it('the palette registers are locked while the palette address source is set', () => {
    const vga = planar();
    vga.portIn(0x3da);
    out(vga, 0x3c0, 0x21);
    out(vga, 0x3c0, 0x3f);
    expect(vga.ac[1]).toBe(0x01);
    out(vga, 0x3c0, 0x01);
    out(vga, 0x3c0, 0x3f);
    expect(vga.ac[1]).toBe(0x3f);
  });

  it('the DAC takes R, G, B and steps the write index after blue; reads step the read index', () => {
    const vga = planar();
    out(vga, 0x3c8, 10);
    for (const v of [1, 2, 3, 4, 5, 0x46]) out(vga, 0x3c9, v);
    expect([...vga.dac.subarray(30, 36)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(vga.portIn(0x3c8)).toBe(12);
    expect(vga.portIn(0x3c7)).toBe(0);
    out(vga, 0x3c7, 11);
    expect(vga.portIn(0x3c7)).toBe(3);
    expect(vga.portIn(0x3c8)).toBe(12);
    expect([1, 2, 3].map(() => vga.portIn(0x3c9))).toEqual([4, 5, 6]);
    expect(vga.portIn(0x3c9)).toBe(0); // entry 12
  });

  it('a DAC entry is stored only when its blue component arrives', () => {
    const vga = planar();
    out(vga, 0x3c8, 7);
    out(vga, 0x3c9, 9);
    out(vga, 0x3c9, 9);
    expect([...vga.dac.subarray(21, 24)]).toEqual([0, 0, 0]);
    out(vga, 0x3c8, 7); // restarting the write loses the two components
    out(vga, 0x3c9, 1);
    out(vga, 0x3c9, 2);
    out(vga, 0x3c9, 3);
    expect([...vga.dac.subarray(21, 24)]).toEqual([1, 2, 3]);
  });

  it('CR11 bit 7 write-protects CR00-CR07 except the line compare bit in CR07', () => {
    const vga = planar();
    out(vga, 0x3d4, 0x11);
    out(vga, 0x3d5, 0x8c);
    out(vga, 0x3d4, 0x01);
    out(vga, 0x3d5, 0x27);
    expect(vga.crtc[1]).toBe(0x4f);
    out(vga, 0x3d4, 0x07);
    out(vga, 0x3d5, 0x00);
    expect(vga.crtc[7]).toBe(0x2e);
    out(vga, 0x3d4, 0x13);
    out(vga, 0x3d5, 0x50);
    expect(vga.crtc[0x13]).toBe(0x50);
    out(vga, 0x3d4, 0x11);
    out(vga, 0x3d5, 0x0c);
    out(vga, 0x3d4, 0x01);
    out(vga, 0x3d5, 0x27);
    expect(vga.portIn(0x3d5)).toBe(0x27);
  });

  it('the CRTC answers at 3D4h/3D5h or 3B4h/3B5h by Misc bit 0 and the other pair reads FFh', () => {
    const vga = planar();
    out(vga, 0x3d4, 0x0c);
    expect(vga.portIn(0x3d4)).toBe(0x0c);
    expect(vga.portIn(0x3b5)).toBe(0xff);
    expect(vga.portIn(0x3ba)).toBe(0xff);
    out(vga, 0x3c2, 0xe2);
    expect(vga.portIn(0x3cc)).toBe(0xe2);
    out(vga, 0x3b4, 0x0d);
    out(vga, 0x3b5, 0x42);
    expect(vga.crtc[0x0d]).toBe(0x42);
    expect(vga.portIn(0x3d5)).toBe(0xff);
    out(vga, 0x3d5, 0x99);
    expect(vga.crtc[0x0d]).toBe(0x42);
  });

  it('sequencer, graphics controller, PEL mask, feature control and 3C3h read back', () => {
    const vga = planar();
    out(vga, 0x3c4, 0x02);
    expect(vga.portIn(0x3c4)).toBe(2);
    expect(vga.portIn(0x3c5)).toBe(0x0f);
    out(vga, 0x3ce, 0x06);
    expect(vga.portIn(0x3cf)).toBe(0x05);
    out(vga, 0x3c6, 0x0f);
    expect(vga.portIn(0x3c6)).toBe(0x0f);
    out(vga, 0x3da, 0x03);
    expect(vga.portIn(0x3ca)).toBe(0x03);
    expect(vga.portIn(0x3c3)).toBe(1);
  });

  it('version moves with memory and register writes, not with reads', () => {
    const vga = planar();
    let v = vga.version;
    vga.memRead(0xa0000);
    vga.portIn(0x3da);
    expect(vga.version).toBe(v);
    vga.memWrite(0xa0000, 1);
    expect(vga.version).toBeGreaterThan(v);
    v = vga.version;
    out(vga, 0x3c8, 0);
    for (let i = 0; i < 3; i++) out(vga, 0x3c9, 0x3f);
    expect(vga.version).toBeGreaterThan(v);
    v = vga.version;
    gcOut(vga, 8, 0x0f);
    expect(vga.version).toBeGreaterThan(v);
  });

  it('reset returns the registers to a planar power-on state', () => {
    const vga = new VgaCore(new FakeClock());
    setMode(vga, MODE_13);
    vga.memWrite(0xa0005, 7);
    vga.reset();
    expect(vga.vram.every((b) => b === 0)).toBe(true);
    expect(vga.gc[8]).toBe(0xff);
    vga.memWrite(0xa0005, 7);
    expect([0, 1, 2, 3].map((p) => plane(vga, p, 5))).toEqual([7, 7, 7, 7]);
  });
});

describe('VGA Input Status 1 in virtual time', () => {
  /** Time from the start of one vertical retrace to the next, in seconds. */
  function retracePeriod(vga: VgaCore, clock: FakeClock): number {
    const step = clock.ticksPerSecond / 100_000; // 10 µs
    const starts: number[] = [];
    let prev = (vga.portIn(0x3da) & 8) !== 0;
    for (let t = 0; starts.length < 3 && t < clock.ticksPerSecond; t += step) {
      clock.t = t;
      const now = (vga.portIn(0x3da) & 8) !== 0;
      if (now && !prev) starts.push(t);
      prev = now;
    }
    return (starts[2] - starts[1]) / clock.ticksPerSecond;
  }

  it('mode 13h retraces at about 70 Hz and mode 12h at about 60 Hz', () => {
    const clock = new FakeClock();
    const vga = new VgaCore(clock);
    setMode(vga, MODE_13);
    expect(1 / retracePeriod(vga, clock)).toBeCloseTo(70.09, 0);
    expect(vga.refreshRate()).toBeCloseTo(70.09, 1);
    setMode(vga, MODE_12);
    expect(1 / retracePeriod(vga, clock)).toBeCloseTo(59.94, 0);
  });

  it('3DAh bit 3 is set during the vertical retrace lines and bit 0 outside the displayed area', () => {
    const clock = new FakeClock();
    const vga = new VgaCore(clock);
    setMode(vga, MODE_13);
    const line = (800 / 25_175_000) * clock.ticksPerSecond;
    clock.t = 100 * line + line * 0.1; // early in a displayed line
    expect(vga.portIn(0x3da) & 0x09).toBe(0);
    clock.t = 100 * line + line * 0.9; // horizontal blanking
    expect(vga.portIn(0x3da) & 0x09).toBe(0x01);
    clock.t = 405 * line; // vertical blanking, before the retrace
    expect(vga.portIn(0x3da) & 0x09).toBe(0x01);
    clock.t = 413 * line; // retrace: lines 412-413
    expect(vga.portIn(0x3da) & 0x09).toBe(0x09);
    clock.t = 415 * line;
    expect(vga.portIn(0x3da) & 0x08).toBe(0);
  });

  it('zero or garbage CRTC totals fall back to 70 Hz', () => {
    const clock = new FakeClock();
    const vga = new VgaCore(clock);
    expect(vga.refreshRate()).toBeCloseTo(70, 5);
    expect(1 / retracePeriod(vga, clock)).toBeCloseTo(70, 0);
  });
});
