/**
 * A machine with a foreign BIOS (docs/firmware.md "Foreign BIOS"), without SeaBIOS: the image checks, a
 * small BIOS built here that the 386 runs from its own reset vector at FFFFFFF0h, the memory it gets, the
 * VDDs that stay out, SVCs off, the CMOS memory size and the PCI VGA (VPCI) whose expansion ROM carries the
 * VGA BIOS. test/unit/seabios-boot.test.ts boots the real thing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { biosImageProblem, readForeignFirmware, vgaBiosImageProblem } from '../../main/vmm/foreign-bios.js';
import { tempDir, testPc, type TestPc } from '../support/pc.js';

/** A 64 KiB BIOS: the reset vector jumps to F000:E000, which writes `text` and a newline to port E9h and halts. */
function tinyBios(text = 'OK'): Uint8Array {
  const rom = new Uint8Array(0x10000);
  const code = [0xfa, 0xba, 0xe9, 0x00]; // cli ; mov dx, 0E9h
  for (const c of text + '\n') code.push(0xb0, c.charCodeAt(0), 0xee); // mov al, c ; out dx, al
  code.push(0xf4, 0x80, 0x7f); // hlt, followed by what MVM's firmware would take for SVC 80h
  code.push(0xeb, 0xfe); // jmp $
  rom.set(code, 0xe000);
  rom.set([0xea, 0x00, 0xe0, 0x00, 0xf0], 0xfff0); // jmp far F000:E000
  return rom;
}

/** A 2 KiB PCI option ROM for `vendor`:`device` with a valid checksum. */
function tinyVgaBios(vendor = 0x1234, device = 0x1111): Uint8Array {
  const rom = new Uint8Array(2048);
  rom.set([0x55, 0xaa, 4, 0xcb]); // 4 × 512 bytes; the entry is a RETF
  rom.set([0x40, 0x00], 0x18); // the PCI data structure at 40h
  rom.set([0x50, 0x43, 0x49, 0x52, vendor & 0xff, vendor >> 8, device & 0xff, device >> 8], 0x40);
  rom[0x40 + 0x0d] = 0x00; // class code at 0Dh-0Fh: 030000h
  rom[0x40 + 0x0f] = 0x03;
  let sum = 0;
  for (const b of rom) sum += b;
  rom[0x7ff] = (0x100 - (sum & 0xff)) & 0xff;
  return rom;
}

/** `vgaBios` null: none. */
function foreignPc(ramSize?: number, vgaBios: Uint8Array | null = tinyVgaBios()): TestPc {
  const pc = testPc({ firmware: { bios: tinyBios(), vgaBios: vgaBios ?? undefined }, ramSize });
  pc.runUntil(() => pc.debug.length > 0, 100_000);
  return pc;
}

const pci = (pc: TestPc) => {
  const ports = pc.vm.machine.ports;
  const select = (device: number, reg: number) => ports.out32(0xcf8, 0x8000_0000 | (device << 11) | reg);
  return {
    read: (device: number, reg: number) => (select(device, reg), ports.in32(0xcfc) >>> 0),
    write: (device: number, reg: number, value: number) => (select(device, reg), ports.out32(0xcfc, value)),
  };
};

describe('foreign BIOS images', () => {
  it('takes 64, 128 and 256 KiB images with a jump at the reset vector, and says what is wrong with others', () => {
    expect(biosImageProblem(tinyBios())).toBeUndefined();
    expect(biosImageProblem(new Uint8Array(1000))).toMatch(/is 1000 bytes; a BIOS image is 64, 128 or 256 KiB/);
    expect(biosImageProblem(new Uint8Array(0x20000))).toMatch(/no jump at its reset vector .* holds 00h/);
  });

  it('takes a VGA BIOS that is an option ROM for the standard VGA only', () => {
    expect(vgaBiosImageProblem(tinyVgaBios())).toBeUndefined();
    expect(vgaBiosImageProblem(tinyBios())).toMatch(/option ROM signature/);
    const bad = tinyVgaBios();
    bad[100] ^= 1;
    expect(vgaBiosImageProblem(bad)).toMatch(/bad checksum/);
    expect(vgaBiosImageProblem(tinyVgaBios(0x1013, 0x00b8))).toMatch(/for PCI device 1013h:00B8h/);
    const isa = tinyVgaBios();
    isa.fill(0, 0x18, 0x1a);
    isa[0x7ff] = 0;
    let sum = 0;
    for (const b of isa) sum += b;
    isa[0x7ff] = (0x100 - (sum & 0xff)) & 0xff;
    expect(vgaBiosImageProblem(isa)).toMatch(/not a PCI option ROM/);
  });

  it('reads images from the paths given and names the file that is wrong', () => {
    const dir = tempDir();
    try {
      const bios = join(dir.dir, 'bios.bin');
      writeFileSync(bios, tinyBios());
      expect(readForeignFirmware({ bios }).bios.length).toBe(0x10000);
      expect(() => readForeignFirmware({ bios: join(dir.dir, 'none.bin') })).toThrow(/BIOS image .*none\.bin: cannot read it \(no such file\)/);
      expect(() => readForeignFirmware({ bios: dir.dir })).toThrow(/it is a folder/);
      const vga = join(dir.dir, 'vga.bin');
      writeFileSync(vga, new Uint8Array(4096));
      expect(() => readForeignFirmware({ bios, vgaBios: vga })).toThrow(/VGA BIOS image .*vga\.bin does not start with an option ROM signature/);
    } finally {
      dir.remove();
    }
  });
});

describe('a machine with a foreign BIOS', () => {
  it('starts the 386 at FFFFFFF0h in the image\'s top-of-4-GiB copy and runs it', () => {
    const pc = foreignPc();
    expect(pc.debug).toEqual(['OK']);
    const mem = pc.vm.machine.memory;
    expect(mem.read(0xfffffff0)).toBe(0xea);
    mem.write(0xfffffff0, 0x90); // flash: writes go nowhere
    expect(mem.read(0xfffffff0)).toBe(0xea);
  });

  it('has the BIOS in writable RAM below 1 MiB and RAM for option ROMs from C0000h', () => {
    const pc = foreignPc();
    const ram = pc.vm.machine.ram;
    expect(ram[0xffff0]).toBe(0xea);
    pc.host.writeByte(0xf0000, 0x12);
    pc.host.writeByte(0xc0000, 0x34); // no VVGA ROM here: the option-ROM space is the BIOS's
    expect([pc.host.readByte(0xf0000), pc.host.readByte(0xc0000)]).toEqual([0x12, 0x34]);
  });

  it('leaves out the VDDs that are services of MVM\'s BIOS and treats every HLT as a HLT', () => {
    const pc = foreignPc();
    expect(pc.vdds).not.toContain('VBIOS');
    expect(pc.vdds).not.toContain('VMOUSE');
    expect(pc.vdds).toEqual(expect.arrayContaining(['VPIC', 'VKBD', 'VDSK', 'VFDC', 'VVGA', 'VPCI']));
    // Halted on the HLT the SVC-looking bytes follow, not past them, and not stopped for an unserved SVC.
    expect(pc.vm.cpu.getRegisters().eip).toBe(0xe000 + 4 + 9 + 1);
    expect(pc.vm.stopReason).toBe('');
  });

  it('has CMOS report the memory as QEMU does: 30h/31h up to 64 MiB, 34h/35h in 64 KiB blocks above 16 MiB', () => {
    const cmos = (pc: TestPc, reg: number) => pc.host.request('VCMOS', 1, { reg }) as number;
    const small = foreignPc(16 << 20);
    expect(cmos(small, 0x30) | (cmos(small, 0x31) << 8)).toBe(15 * 1024);
    expect(cmos(small, 0x34) | (cmos(small, 0x35) << 8)).toBe(0);
    const big = foreignPc(64 << 20);
    expect(cmos(big, 0x34) | (cmos(big, 0x35) << 8)).toBe(48 * 16);
  });

  it('offers the VGA BIOS as the expansion ROM of a PCI VGA at 00:02.0', () => {
    const pc = foreignPc();
    const cfg = pci(pc);
    const ports = pc.vm.machine.ports;
    ports.out32(0xcf8, 0x8000_0000);
    expect(ports.in32(0xcf8) >>> 0).toBe(0x8000_0000);
    expect(cfg.read(0, 0)).toBe(0xffff_ffff); // no host bridge
    expect(cfg.read(2, 0)).toBe(0x1111_1234);
    expect(cfg.read(2, 0x08) >>> 8).toBe(0x030000);
    // BAR 0: sized as 8 MiB of prefetchable memory, and always VVGA's frame buffer.
    cfg.write(2, 0x10, 0xffff_ffff);
    expect(cfg.read(2, 0x10)).toBe(0xff80_0008);
    cfg.write(2, 0x10, 0xfe00_0000);
    expect(cfg.read(2, 0x10)).toBe(0xe000_0008);
    // The expansion ROM: 2 KiB, moved where the BIOS puts it, decoded once enabled with memory on.
    cfg.write(2, 0x30, 0xffff_fffe);
    expect(cfg.read(2, 0x30)).toBe(0xffff_f800);
    cfg.write(2, 0x30, 0xfebf_0001);
    const mem = pc.vm.machine.memory;
    expect(mem.read(0xfebf_0000)).toBe(0xff); // memory decoding still off
    cfg.write(2, 0x04, 0x0003);
    expect([mem.read(0xfebf_0000), mem.read(0xfebf_0001), mem.read(0xfebf_0002)]).toEqual([0x55, 0xaa, 4]);
    cfg.write(2, 0x30, 0xfebf_0000);
    expect(mem.read(0xfebf_0000)).toBe(0xff);
  });

  it('has no PCI bus without a VGA BIOS, nor on MVM\'s own machine', () => {
    const noVga = foreignPc(undefined, null);
    noVga.vm.machine.ports.out32(0xcf8, 0x8000_0000);
    expect(noVga.vm.machine.ports.in32(0xcf8) >>> 0).toBe(0xffff_ffff);
    const own = testPc();
    own.vm.machine.ports.out32(0xcf8, 0x8000_0000);
    expect(own.vm.machine.ports.in32(0xcf8) >>> 0).toBe(0xffff_ffff);
  });
});
