/**
 * VDSK under a guest: a real VirtualMachine with the VDD loaded on raw image files built in a temporary
 * folder. Every sector of a test image starts with its LBA (dword) and the signature 'VDSK', then a pattern
 * derived from the LBA, so a read that lands the wrong sector is caught. The guest calls the INT 13h service
 * directly with its SVC (`F4 93 6C`: HLT ; db 93h ; db 6Ch, what the ROM stub `sti ; SVC 93h ; retf 2` does
 * without the far return) and stops on a plain HLT, where the test reads the registers and memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuModel, type CpuRegisters } from '../../main/ist/index.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import type { PropertyValue } from '../../main/vmm/vdh.js';
import vdsk, { floppyFormat, hardDiskGeometry } from '../../vdd/vdsk/vdsk.js';

const CODE = 0x1000; // the guest's code segment; programs at 1000:0100
const BUF = 0x2000; // data buffers at 2000:xxxx
const CF = 0x0001;
const SIG = [0x56, 0x44, 0x53, 0x4b]; // 'VDSK'

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vdsk-test-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The 512 bytes of sector `lba` in a test image. */
function sectorBytes(lba: number): Uint8Array {
  const s = new Uint8Array(512);
  for (let i = 8; i < 512; i++) s[i] = (lba * 7 + i) & 0xff;
  new DataView(s.buffer).setUint32(0, lba, true);
  s.set(SIG, 4);
  return s;
}

let imageCount = 0;
/** A test image of `sectors` sectors (each its sectorBytes), sector 0 optionally replaced. */
function image(sectors: number, sector0?: Uint8Array): string {
  const bytes = new Uint8Array(sectors * 512);
  for (let lba = 0; lba < sectors; lba++) bytes.set(sectorBytes(lba), lba * 512);
  if (sector0) bytes.set(sector0, 0);
  const path = join(dir, `disk${imageCount++}.img`);
  writeFileSync(path, bytes);
  return path;
}

const K = 1024;
const floppy = (kb: number): string => image((kb * K) / 512);

interface Rig {
  vm: VirtualMachine;
  host: VddHost;
  ram: Uint8Array;
  /** Run the guest program at 1000:0100 to its final HLT; returns the registers there. */
  run(program: number[]): CpuRegisters;
  /** Call INT 13h with these registers (ES and DS default to the buffer segment). */
  int13(regs: Regs): CpuRegisters;
}

interface Regs {
  ax: number;
  bx?: number;
  cx?: number;
  dx?: number;
  si?: number;
  es?: number;
  ds?: number;
}

function rig(settings: Record<string, PropertyValue>): Rig {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const host = new VddHost(vm, settings);
  host.load([vdsk]);
  const ram = vm.machine.ram;
  const run = (program: number[]): CpuRegisters => {
    host.writeGuest(CODE * 16 + 0x100, Uint8Array.from(program)); // through the VDH: drops translated code
    vm.resetCpu(); // out of the previous program's final HLT (memory and devices keep their state)
    vm.cpu.setRegisters({ cs: CODE, eip: 0x100, ss: CODE, esp: 0xfffe, eflags: 0x2 });
    expect(vm.run(100_000)).toBe(RunState.Idle);
    return vm.cpu.getRegisters();
  };
  return { vm, host, ram, run, int13: (regs) => run(call13(regs)) };
}

const lo = (v: number): number => v & 0xff;
const hi = (v: number): number => (v >>> 8) & 0xff;

/** A program that loads the registers and calls INT 13h's service, then halts. */
function call13(r: Regs): number[] {
  return [
    0xb8, lo(r.es ?? BUF), hi(r.es ?? BUF), // mov ax,es value
    0x8e, 0xc0, //                             mov es,ax
    0xb8, lo(r.ds ?? BUF), hi(r.ds ?? BUF), // mov ax,ds value
    0x8e, 0xd8, //                             mov ds,ax
    0xbb, lo(r.bx ?? 0), hi(r.bx ?? 0), //     mov bx,imm16
    0xb9, lo(r.cx ?? 0), hi(r.cx ?? 0), //     mov cx,imm16
    0xba, lo(r.dx ?? 0), hi(r.dx ?? 0), //     mov dx,imm16
    0xbe, lo(r.si ?? 0), hi(r.si ?? 0), //     mov si,imm16
    0xb8, lo(r.ax), hi(r.ax), //               mov ax,imm16
    0xf4, 0x93, 0x6c, //                       SVC 93h (INT 13h)
    0xf4, //                                   hlt
  ];
}

const ah = (r: CpuRegisters): number => (r.eax >>> 8) & 0xff;
const al = (r: CpuRegisters): number => r.eax & 0xff;
const cf = (r: CpuRegisters): boolean => (r.eflags & CF) !== 0;

/** CL/CH for cylinder c, sector s as the BIOS packs them. */
const cx = (c: number, s: number): number => ((c & 0xff) << 8) | ((c >> 2) & 0xc0) | s;
/** DH/DL for head h, drive d. */
const dx = (h: number, d: number): number => (h << 8) | d;

function expectSectors(ram: Uint8Array, addr: number, firstLba: number, count: number): void {
  for (let i = 0; i < count; i++) {
    expect(ram.subarray(addr + i * 512, addr + (i + 1) * 512)).toEqual(sectorBytes(firstLba + i));
  }
}

describe('VDSK INT 13h on floppy images', () => {
  it('reads several sectors by CHS from a 1.44M image into ES:BX', () => {
    const { ram, int13 } = rig({ DISK_A: floppy(1440) });
    const r = int13({ ax: 0x0203, bx: 0x0100, cx: cx(0, 1), dx: dx(0, 0) });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0);
    expect(al(r)).toBe(3);
    expectSectors(ram, BUF * 16 + 0x100, 0, 3);
    expect(ram[BUF * 16 + 0x100 + 3 * 512]).toBe(0); // nothing past the third sector
  });

  it('maps CHS to LBA across heads and cylinders on a 1.44M image (18 sectors, 2 heads)', () => {
    const { ram, int13 } = rig({ DISK_A: floppy(1440) });
    let r = int13({ ax: 0x0201, bx: 0, cx: cx(5, 7), dx: dx(1, 0) });
    expect(cf(r)).toBe(false);
    expectSectors(ram, BUF * 16, (5 * 2 + 1) * 18 + 6, 1); // LBA 204
    // Sectors 17-18 of head 0 and on into head 1 sector 1: LBA 16, 17, 18.
    r = int13({ ax: 0x0203, bx: 0x1000, cx: cx(0, 17), dx: dx(0, 0) });
    expect(al(r)).toBe(3);
    expectSectors(ram, BUF * 16 + 0x1000, 16, 3);
    // The last sector of the disk.
    r = int13({ ax: 0x0201, bx: 0x2000, cx: cx(79, 18), dx: dx(1, 0) });
    expect(cf(r)).toBe(false);
    expectSectors(ram, BUF * 16 + 0x2000, 2879, 1);
  });

  it('maps CHS to LBA on a 720K image (9 sectors, 2 heads)', () => {
    const { ram, int13 } = rig({ DISK_B: floppy(720), DISK_A: floppy(1440) });
    const r = int13({ ax: 0x0202, bx: 0, cx: cx(3, 9), dx: dx(1, 1) });
    expect(cf(r)).toBe(false);
    expectSectors(ram, BUF * 16, (3 * 2 + 1) * 9 + 8, 2); // LBA 71, 72 (cylinder 4 head 0 sector 1)
  });

  it('writes sectors from ES:BX, reads them back, and the bytes reach the file after terminate', () => {
    const path = floppy(1440);
    const { ram, host, run } = rig({ DISK_A: path });
    const data = new Uint8Array(1024).map((_, i) => (i * 13 + 5) & 0xff);
    ram.set(data, BUF * 16 + 0x400);
    const r = run([
      0xb8, lo(BUF), hi(BUF), // mov ax,2000h
      0x8e, 0xc0, //             mov es,ax
      0xbb, 0x00, 0x04, //       mov bx,0400h
      0xb9, 0x01, 0x01, //       mov cx,0101h       cylinder 1, sector 1
      0xba, 0x00, 0x01, //       mov dx,0100h       head 1, drive A:
      0xb8, 0x02, 0x03, //       mov ax,0302h       write 2 sectors
      0xf4, 0x93, 0x6c, //       SVC 93h (INT 13h)
      0x72, 0x0b, //             jc done
      0xbb, 0x00, 0x10, //       mov bx,1000h
      0xb8, 0x02, 0x02, //       mov ax,0202h       read them back
      0xf4, 0x93, 0x6c, //       SVC 93h (INT 13h)
      0x90, 0x90, //             nop ; nop
      0xf4, //                   done: hlt
    ]);
    expect(cf(r)).toBe(false);
    expect(al(r)).toBe(2);
    expect(ram.subarray(BUF * 16 + 0x1000, BUF * 16 + 0x1400)).toEqual(data);
    host.notify('terminate');
    const file = readFileSync(path);
    const lba = (1 * 2 + 1) * 18; // 54
    expect(new Uint8Array(file.subarray(lba * 512, lba * 512 + 1024))).toEqual(data);
    expect(new Uint8Array(file.subarray((lba + 2) * 512, (lba + 3) * 512))).toEqual(sectorBytes(lba + 2));
  });

  it('refuses writes with AH=03h on DISK_READ_ONLY and leaves the file untouched', () => {
    const path = floppy(1440);
    const before = readFileSync(path);
    const { ram, host, int13 } = rig({ DISK_A: path, DISK_READ_ONLY: true });
    ram.fill(0xee, BUF * 16, BUF * 16 + 512);
    const r = int13({ ax: 0x0301, bx: 0, cx: cx(0, 1), dx: dx(0, 0) });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x03);
    expect(al(r)).toBe(0);
    // Formatting a track is a write too.
    expect(ah(int13({ ax: 0x0512, bx: 0, cx: cx(0, 0), dx: dx(0, 0) }))).toBe(0x03);
    host.notify('terminate');
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('formats a track by filling it with F6h', () => {
    const path = floppy(720);
    const { host, int13 } = rig({ DISK_A: path });
    const r = int13({ ax: 0x0509, bx: 0, cx: cx(2, 0), dx: dx(1, 0) });
    expect(cf(r)).toBe(false);
    host.notify('terminate');
    const file = readFileSync(path);
    const first = (2 * 2 + 1) * 9;
    expect(file.subarray(first * 512, (first + 9) * 512).every((b) => b === 0xf6)).toBe(true);
    expect(new Uint8Array(file.subarray((first + 9) * 512, (first + 10) * 512))).toEqual(sectorBytes(first + 9));
  });

  it('answers sector 0, a sector beyond the track, a head beyond the geometry and a transfer past the end with AH=04h', () => {
    const { ram, int13 } = rig({ DISK_A: floppy(1440) });
    const cases = [
      { cx: cx(0, 0), dx: dx(0, 0), ax: 0x0201 }, // sector 0
      { cx: cx(0, 19), dx: dx(0, 0), ax: 0x0201 }, // sector 19 of 18
      { cx: cx(0, 1), dx: dx(2, 0), ax: 0x0201 }, // head 2 of 2
      { cx: cx(80, 1), dx: dx(0, 0), ax: 0x0201 }, // cylinder 80 of 80
      { cx: cx(79, 18), dx: dx(1, 0), ax: 0x0202 }, // the last sector and one past the end
    ];
    for (const c of cases) {
      ram.fill(0xcc, BUF * 16, BUF * 16 + 1024);
      const r = int13({ ...c, bx: 0 });
      expect(cf(r)).toBe(true);
      expect(ah(r)).toBe(0x04);
      expect(al(r)).toBe(0);
      expect(ram[BUF * 16]).toBe(0xcc); // nothing transferred
      expect(ram[0x441]).toBe(0x04); // the diskette status in the BDA
    }
    // AH=01h reports the last status.
    const status = int13({ ax: 0x0100, dx: dx(0, 0) });
    expect(ah(status)).toBe(0x04);
    expect(cf(status)).toBe(true);
  });

  it('fails a floppy transfer whose buffer crosses a 64 KiB page with AH=09h, as the DMA controller would', () => {
    const { ram, int13 } = rig({ DISK_A: floppy(1440) });
    // 1000:F000 + 8 KiB = 1F000h..20FFFh crosses 20000h.
    const r = int13({ ax: 0x0210, es: 0x1000, bx: 0xf000, cx: cx(0, 1), dx: dx(0, 0) });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x09);
    expect(al(r)).toBe(0);
    // The same transfer inside one page works.
    ram.fill(0, 0x30000, 0x32000);
    const ok = int13({ ax: 0x0210, es: 0x3000, bx: 0x0000, cx: cx(0, 1), dx: dx(0, 0) });
    expect(cf(ok)).toBe(false);
    expectSectors(ram, 0x30000, 0, 16);
  });

  it('reports a 1.44M drive with AH=08h: type 4, 80/2/18, the drive count and the ROM parameter table', () => {
    const { int13 } = rig({ DISK_A: floppy(1440) });
    const r = int13({ ax: 0x0800, dx: dx(0, 0) });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0);
    expect(r.ebx & 0xff).toBe(4);
    expect((r.ecx >>> 8) & 0xff).toBe(79);
    expect(r.ecx & 0xff).toBe(18);
    expect((r.edx >>> 8) & 0xff).toBe(1);
    expect(r.edx & 0xff).toBe(1);
    expect(r.es).toBe(0xf000);
    expect(r.edi & 0xffff).toBe(0xefc7);
  });

  it('reports the drive types of 360K, 720K, 1.2M and 2.88M images in AH=08h BL', () => {
    const types: [number, number, number][] = [
      [360, 1, 9],
      [720, 3, 9],
      [1200, 2, 15],
      [2880, 6, 36],
    ];
    for (const [kb, type, spt] of types) {
      const r = rig({ DISK_A: floppy(kb) }).int13({ ax: 0x0800, dx: 0 });
      expect(r.ebx & 0xff).toBe(type);
      expect(r.ecx & 0x3f).toBe(spt);
    }
  });

  it('reports change-line support with AH=15h and a media change through request 3 with AH=16h once', () => {
    const { host, ram, int13 } = rig({ DISK_A: floppy(1440) });
    let r = int13({ ax: 0x1500, dx: 0 });
    expect(ah(r)).toBe(0x02);
    expect(cf(r)).toBe(false);
    r = int13({ ax: 0x1600, dx: 0 });
    expect(ah(r)).toBe(0x00);
    expect(cf(r)).toBe(false);

    const other = image(1440, new Uint8Array(512).fill(0x5a)); // a 720K disk whose boot sector is all 5Ah
    host.request('VDSK', 3, { drive: 0, path: other });
    r = int13({ ax: 0x1600, dx: 0 });
    expect(ah(r)).toBe(0x06);
    expect(cf(r)).toBe(true);
    r = int13({ ax: 0x1600, dx: 0 });
    expect(ah(r)).toBe(0x00);
    // The new disk is what reads see, with its own geometry.
    r = int13({ ax: 0x0201, bx: 0, cx: cx(0, 1), dx: 0 });
    expect(cf(r)).toBe(false);
    expect(ram.subarray(BUF * 16, BUF * 16 + 512).every((b) => b === 0x5a)).toBe(true);
    expect(int13({ ax: 0x0800, dx: 0 }).ebx & 0xff).toBe(3);

    // Ejecting: the change line once, then the empty drive times out like a real one.
    host.request('VDSK', 3, { drive: 0, path: '' });
    expect(ah(int13({ ax: 0x1600, dx: 0 }))).toBe(0x06);
    r = int13({ ax: 0x0201, bx: 0, cx: cx(0, 1), dx: 0 });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x80);
  });

  it('refuses a floppy of no diskette size through request 3 and keeps the disk in the drive', () => {
    const { host, ram, int13 } = rig({ DISK_A: floppy(1440) });
    const bad = join(dir, 'odd-change.img');
    writeFileSync(bad, new Uint8Array(1000));
    expect(() => host.request('VDSK', 3, { drive: 0, path: bad })).toThrow(/A:.*odd-change\.img/);
    const r = int13({ ax: 0x0201, bx: 0, cx: cx(0, 2), dx: 0 });
    expect(cf(r)).toBe(false);
    expectSectors(ram, BUF * 16, 1, 1);
  });

  it('accepts a non-standard diskette of whole 2-sided tracks (82 cylinders of 18 sectors)', () => {
    expect(floppyFormat(82 * 2 * 18 * 512)).toMatchObject({ cylinders: 82, heads: 2, sectorsPerTrack: 18, type: 4 });
    expect(floppyFormat(1000 * 512)).toBeUndefined();
    const { ram, int13 } = rig({ DISK_A: image(82 * 2 * 18) });
    const r = int13({ ax: 0x0800, dx: 0 });
    expect((r.ecx >>> 8) & 0xff).toBe(81);
    const read = int13({ ax: 0x0201, bx: 0, cx: cx(81, 18), dx: dx(1, 0) });
    expect(cf(read)).toBe(false);
    expectSectors(ram, BUF * 16, 82 * 2 * 18 - 1, 1);
  });
});

/** A master boot record with one partition ending at (cylinder, head, sector). */
function mbr(endCyl: number, endHead: number, endSector: number): Uint8Array {
  const s = new Uint8Array(512);
  const e = 0x1be;
  s.set([0x80, 0x01, 0x01, 0x00, 0x06, endHead, endSector | ((endCyl >> 2) & 0xc0), endCyl & 0xff], e);
  new DataView(s.buffer).setUint32(e + 8, endSector, true);
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

describe('VDSK INT 13h on hard-disk images', () => {
  it('takes the geometry from the partition table CHS end fields for AH=08h (cylinder bits 8-9 in CL)', () => {
    // 300 cylinders x 4 heads x 17 sectors; the partition ends at 299/3/17.
    const sectors = 300 * 4 * 17;
    const { ram, int13 } = rig({ DISK_C: image(sectors, mbr(299, 3, 17)) });
    const r = int13({ ax: 0x0800, dx: 0x80 });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0);
    expect((r.ecx >>> 8) & 0xff).toBe(299 & 0xff); // CH: max cylinder bits 0-7
    expect(r.ecx & 0xc0).toBe((299 >> 2) & 0xc0); // CL bits 6-7: bits 8-9
    expect(r.ecx & 0x3f).toBe(17);
    expect((r.edx >>> 8) & 0xff).toBe(3); // max head
    expect(r.edx & 0xff).toBe(1); // one hard disk
    // CHS reads use that geometry: cylinder 299 head 2 sector 5.
    const read = int13({ ax: 0x0201, bx: 0, cx: cx(299, 5), dx: dx(2, 0x80) });
    expect(cf(read)).toBe(false);
    expectSectors(ram, BUF * 16, (299 * 4 + 2) * 17 + 4, 1);
    // AH=15h: a hard disk with CX:DX sectors.
    const type = int13({ ax: 0x1500, dx: 0x80 });
    expect(ah(type)).toBe(3);
    expect(cf(type)).toBe(false);
    expect(((type.ecx & 0xffff) << 16) | (type.edx & 0xffff)).toBe(sectors);
  });

  it('uses 16 heads x 63 sectors without a partition table', () => {
    const sectors = 3 * 16 * 63 + 10;
    expect(hardDiskGeometry(sectorBytes(0), sectors)).toEqual({ cylinders: 3, heads: 16, sectorsPerTrack: 63 });
    const { int13 } = rig({ DISK_C: image(sectors) });
    const r = int13({ ax: 0x0800, dx: 0x80 });
    expect(cf(r)).toBe(false);
    expect((r.ecx >>> 8) & 0xff).toBe(2);
    expect(r.ecx & 0xff).toBe(63);
    expect((r.edx >>> 8) & 0xff).toBe(15);
    expect(r.edx & 0xff).toBe(1);
  });

  it('offers EDD 1.1 with AH=41h on hard disks only', () => {
    const { int13 } = rig({ DISK_C: image(2048), DISK_A: floppy(1440) });
    const r = int13({ ax: 0x4100, bx: 0x55aa, dx: 0x80 });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0x21);
    expect(r.ebx & 0xffff).toBe(0xaa55);
    expect(r.ecx & 0xffff).toBe(1);
    expect(cf(int13({ ax: 0x4100, bx: 0x55aa, dx: 0x00 }))).toBe(true);
    expect(cf(int13({ ax: 0x4100, bx: 0x1234, dx: 0x80 }))).toBe(true);
  });

  it('reads and writes by LBA with AH=42h/43h through the disk address packet at DS:SI', () => {
    const sectors = 2 * 16 * 63 + 40; // beyond the last whole cylinder: LBA sees it, CHS does not
    const path = image(sectors);
    const { ram, host, int13 } = rig({ DISK_C: path });
    const dap = BUF * 16 + 0x10;
    // size 10h, count 3, buffer 3000:0200, LBA sectors-3 (the last three sectors of the image)
    const packet = (count: number, offset: number, segment: number, lba: number): void => {
      ram.fill(0, dap, dap + 16);
      ram.set([0x10, 0, lo(count), hi(count), lo(offset), hi(offset), lo(segment), hi(segment)], dap);
      new DataView(ram.buffer, ram.byteOffset).setUint32(dap + 8, lba, true);
    };
    packet(3, 0x200, 0x3000, sectors - 3);
    let r = int13({ ax: 0x4200, si: 0x10, dx: 0x80 });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0);
    expectSectors(ram, 0x30200, sectors - 3, 3);

    // Past the end: AH=04h and the packet's count becomes 0.
    packet(4, 0x200, 0x3000, sectors - 3);
    r = int13({ ax: 0x4200, si: 0x10, dx: 0x80 });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x04);
    expect(ram[dap + 2]).toBe(0);

    // Write two sectors across a 64 KiB page (fine on a hard disk), read them back.
    const data = new Uint8Array(1024).map((_, i) => (i * 31) & 0xff);
    ram.set(data, 0x3fe00);
    packet(2, 0xfe00, 0x3000, 1000);
    r = int13({ ax: 0x4300, si: 0x10, dx: 0x80 });
    expect(cf(r)).toBe(false);
    packet(2, 0x0000, 0x5000, 1000);
    r = int13({ ax: 0x4200, si: 0x10, dx: 0x80 });
    expect(cf(r)).toBe(false);
    expect(ram.subarray(0x50000, 0x50400)).toEqual(data);
    host.notify('terminate');
    expect(new Uint8Array(readFileSync(path).subarray(1000 * 512, 1002 * 512))).toEqual(data);
  });

  it('fills the AH=48h parameter buffer: size, cylinders, heads, sectors, total sectors, 512 bytes', () => {
    const sectors = 2 * 16 * 63 + 40;
    const { ram, int13 } = rig({ DISK_C: image(sectors) });
    const buf = BUF * 16 + 0x80;
    ram.fill(0xff, buf, buf + 0x20);
    ram.set([0x1a, 0x00], buf);
    const r = int13({ ax: 0x4800, si: 0x80, dx: 0x80 });
    expect(cf(r)).toBe(false);
    const view = new DataView(ram.buffer, ram.byteOffset + buf);
    expect(view.getUint16(0, true)).toBe(0x1a);
    expect(view.getUint32(4, true)).toBe(2);
    expect(view.getUint32(8, true)).toBe(16);
    expect(view.getUint32(12, true)).toBe(63);
    expect(view.getUint32(16, true)).toBe(sectors);
    expect(view.getUint32(20, true)).toBe(0);
    expect(view.getUint16(24, true)).toBe(512);
    expect(ram[buf + 0x1a]).toBe(0xff); // nothing written past the 1Ah bytes
    // A buffer too small for EDD 1.1 is refused.
    ram.set([0x10, 0x00], buf);
    expect(cf(int13({ ax: 0x4800, si: 0x80, dx: 0x80 }))).toBe(true);
  });

  it('answers an absent hard disk with AH=01h and an absent floppy with AH=80h', () => {
    const { ram, int13 } = rig({ DISK_C: image(2048) });
    let r = int13({ ax: 0x0201, bx: 0, cx: cx(0, 1), dx: 0x81 });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x01);
    expect(ram[0x474]).toBe(0x01);
    r = int13({ ax: 0x0201, bx: 0, cx: cx(0, 1), dx: 0x00 });
    expect(cf(r)).toBe(true);
    expect(ah(r)).toBe(0x80);
    expect(ram[0x441]).toBe(0x80);
    // AH=15h: no such drive, without an error.
    r = int13({ ax: 0x1500, dx: 0x01 });
    expect(cf(r)).toBe(false);
    expect(ah(r)).toBe(0);
    r = int13({ ax: 0x1500, dx: 0x81 });
    expect(ah(r)).toBe(0);
  });
});

describe('VDSK configuration, BIOS data and requests', () => {
  it('sets up the BIOS data area at POST and reports its drive counts to VBIOS', () => {
    const { host, ram } = rig({ DISK_A: floppy(1440), DISK_B: floppy(720), DISK_C: image(2048) });
    ram.fill(0x77, 0x43e, 0x442);
    ram.fill(0x77, 0x474, 0x478);
    host.notify('post');
    expect([...ram.subarray(0x43e, 0x442)]).toEqual([0, 0, 0, 0]);
    expect(ram[0x474]).toBe(0);
    expect(ram[0x475]).toBe(1);
    expect(ram[0x490]).toBe(0x17); // 1.44M in a 1.44M drive, established, 500 kbps
    expect(ram[0x491]).toBe(0x97); // 720K, established, 250 kbps
    expect(host.request('VDSK', 1)).toEqual({ floppies: 2, hardDisks: 1 });
  });

  it('counts no drives when no image is configured', () => {
    const { host, int13 } = rig({});
    expect(host.request('VDSK', 1)).toEqual({ floppies: 0, hardDisks: 0 });
    const r = int13({ ax: 0x0800, dx: 0x00 });
    expect(cf(r)).toBe(false);
    expect(r.edx & 0xff).toBe(0);
    expect(cf(int13({ ax: 0x0800, dx: 0x80 }))).toBe(true);
  });

  it('reads sectors for the host with request 2', () => {
    const { host } = rig({ DISK_C: image(100) });
    const bytes = host.request('VDSK', 2, { drive: 0x80, lba: 10, count: 2 }) as Uint8Array;
    expect(bytes.length).toBe(1024);
    expect(bytes.subarray(0, 512)).toEqual(sectorBytes(10));
    expect(bytes.subarray(512)).toEqual(sectorBytes(11));
    expect(() => host.request('VDSK', 2, { drive: 0x80, lba: 99, count: 2 })).toThrow(/outside/);
  });

  it('fails to load with the drive and path named when an image cannot be opened', () => {
    const vm = new VirtualMachine({ model: CpuModel.i80386 });
    const missing = join(dir, 'no-such-disk.img');
    const host = new VddHost(vm, { DISK_A: missing });
    expect(() => host.load([vdsk])).toThrow(/disk A: cannot open image .*no-such-disk\.img/);
  });

  it('fails to load with the drive and path named for a floppy image of no diskette size', () => {
    const odd = join(dir, 'odd.img');
    writeFileSync(odd, new Uint8Array(1000 * 512));
    const vm = new VirtualMachine({ model: CpuModel.i80386 });
    expect(() => new VddHost(vm, { DISK_B: odd }).load([vdsk])).toThrow(/disk B: .*odd\.img is 512000 bytes/);
  });

  it('fails to load a hard-disk image that is not whole sectors', () => {
    const odd = join(dir, 'odd-hd.img');
    writeFileSync(odd, new Uint8Array(1000));
    const vm = new VirtualMachine({ model: CpuModel.i80386 });
    expect(() => new VddHost(vm, { DISK_C: odd }).load([vdsk])).toThrow(/disk C: .*odd-hd\.img/);
  });
});
