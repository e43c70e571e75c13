/**
 * VFDC, the 82077AA floppy controller of a machine with a foreign BIOS, on the real VM monitor with VPIC,
 * VCMOS, VDMA and VDSK: programmed through its ports (and DMA channel 2 through the 8237's) as a BIOS's
 * INT 13h does — reset, specify, recalibrate, seek, read ID, read and write data, format — checking the
 * phases the MSR shows, the result bytes, IRQ 6 and the sectors that land in memory or on the image. Test
 * images are built in a temporary folder: each sector starts with its LBA (dword) and 'FDC!'.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import type { PropertyValue, VddModule } from '../../main/vmm/vdh.js';
import vcmos from '../../vdd/vcmos/vcmos.js';
import vdma from '../../vdd/vdma/vdma.js';
import vdsk from '../../vdd/vdsk/vdsk.js';
import vfdc, { commandKey, MSR_CB, MSR_DIO, MSR_RQM } from '../../vdd/vfdc/vfdc.js';
import vpic from '../../vdd/vpic/vpic.js';
import { tempDir } from '../support/pc.js';

const MODULES: VddModule[] = [vpic, vcmos, vdma, vdsk, vfdc];
const SIG = [0x46, 0x44, 0x43, 0x21]; // 'FDC!'

let dir: { dir: string; remove: () => void };
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

function sectorBytes(lba: number): Uint8Array {
  const s = new Uint8Array(512);
  for (let i = 8; i < 512; i++) s[i] = (lba * 13 + i) & 0xff;
  new DataView(s.buffer).setUint32(0, lba, true);
  s.set(SIG, 4);
  return s;
}

let images = 0;
function image(size = 1440 * 1024): string {
  const bytes = new Uint8Array(size);
  for (let lba = 0; lba < size / 512; lba++) bytes.set(sectorBytes(lba), lba * 512);
  const path = join(dir.dir, `fd${images++}.img`);
  writeFileSync(path, bytes);
  return path;
}

/** A machine with a foreign BIOS (no image needed: nothing runs but a JMP $ the tests park the CPU on). */
function rig(settings: Record<string, PropertyValue> = {}, firmware: 'foreign' | 'mvm' = 'foreign') {
  const vm = new VirtualMachine({ model: CpuModel.i80386, svc: firmware === 'mvm' });
  const host = new VddHost(vm, settings, { kind: firmware });
  host.load(MODULES);
  vm.machine.ram.set([0xeb, 0xfe], 0x500); // jmp $
  vm.cpu.setRegisters({ cs: 0, eip: 0x500, eflags: 0x2 }); // interrupts off: the test looks at the PIC itself
  const ports = vm.machine.ports;
  const irq6 = host.openVirq(6);
  const r = {
    vm,
    host,
    ram: vm.machine.ram,
    out: (p: number, v: number) => ports.out8(p, v),
    inp: (p: number) => ports.in8(p),
    msr: () => ports.in8(0x3f4),
    /** Let virtual time pass (the controller's execution phase, a seek). */
    wait: (seconds = 0.001) => void vm.run(Math.ceil(seconds * vm.ticksPerSecond)),
    irq: () => irq6.query().pending,
    /** Send a command's bytes, each when the MSR asks for it. */
    send(...bytes: number[]) {
      for (const b of bytes) {
        expect(r.msr() & (MSR_RQM | MSR_DIO)).toBe(MSR_RQM);
        ports.out8(0x3f5, b);
      }
    },
    /** Read the result phase's bytes while the MSR offers them. */
    results(): number[] {
      const out: number[] = [];
      while ((r.msr() & (MSR_RQM | MSR_DIO)) === (MSR_RQM | MSR_DIO)) out.push(ports.in8(0x3f5));
      return out;
    },
    /** DOR: motor A on, DMA and IRQ gate, out of reset, drive `drive` selected; then the reset's 4 sense statuses. */
    reset(drive = 0) {
      ports.out8(0x3f2, 0x00);
      ports.out8(0x3f2, 0x1c | drive);
      r.wait();
      expect(r.irq()).toBe(true);
      for (let d = 0; d < 4; d++) {
        r.send(0x08);
        expect(r.results()).toEqual([0xc0 | d, 0]);
      }
      expect(r.irq()).toBe(false);
      r.send(0x03, 0xaf, 0x02); // specify: step rate, head unload, head load, DMA
    },
    /** SEEK (or RECALIBRATE to 0) and its SENSE INTERRUPT STATUS. */
    seek(cylinder: number, drive = 0, head = 0): number[] {
      if (cylinder === 0) r.send(0x07, drive);
      else r.send(0x0f, (head << 2) | drive, cylinder);
      r.wait();
      expect(r.irq()).toBe(true);
      r.send(0x08);
      return r.results();
    },
    /** DMA channel 2 as a BIOS programs it: mode 46h (read: device to memory) or 4Ah (write), address, count. */
    dma(mode: number, phys: number, bytes: number) {
      ports.out8(0x0c, 0);
      ports.out8(0x0b, mode | 2);
      ports.out8(0x04, phys & 0xff);
      ports.out8(0x04, (phys >> 8) & 0xff);
      ports.out8(0x81, (phys >> 16) & 0xff);
      ports.out8(0x05, (bytes - 1) & 0xff);
      ports.out8(0x05, ((bytes - 1) >> 8) & 0xff);
      ports.out8(0x0a, 2);
    },
    /** A data command with its 8 parameter bytes; waits for the interrupt and returns the 7 result bytes. */
    data(command: number, drive: number, c: number, h: number, s: number, eot: number): number[] {
      r.send(command, (h << 2) | drive, c, h, s, 2, eot, 0x1b, 0xff);
      expect(r.msr() & (MSR_RQM | MSR_CB)).toBe(MSR_CB); // executing
      r.wait();
      expect(r.irq()).toBe(true);
      const res = r.results();
      expect(r.irq()).toBe(false);
      return res;
    },
  };
  return r;
}

const lbaOf = (c: number, h: number, s: number, heads = 2, spt = 18) => (c * heads + h) * spt + s - 1;

describe('VFDC', () => {
  it('is not there on a machine with MVM\'s own BIOS: its ports float', () => {
    const r = rig({ DISK_A: image() }, 'mvm');
    expect(r.inp(0x3f4)).toBe(0xff);
    expect(r.inp(0x3f7)).toBe(0xff);
  });

  it('writes the drive types into CMOS 10h: a 1.44M A: and a 720K B:', () => {
    const r = rig({ DISK_A: image(), DISK_B: image(720 * 1024) });
    r.out(0x70, 0x10);
    expect(r.inp(0x71)).toBe(0x43);
  });

  it('is held in reset until the DOR says otherwise, then interrupts with a ready-change status per drive', () => {
    const r = rig({ DISK_A: image() });
    expect(r.msr()).toBe(0);
    r.reset();
    expect(r.msr()).toBe(MSR_RQM);
    r.send(0x08); // nothing more to report: invalid
    expect(r.results()).toEqual([0x80]);
  });

  it('answers VERSION (82077AA), DUMPREG, LOCK and refuses an unknown command', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    r.send(0x10);
    expect(r.results()).toEqual([0x90]);
    r.send(0x0e);
    const dump = r.results();
    expect(dump).toHaveLength(10);
    expect(dump.slice(4, 6)).toEqual([0xaf, 0x02]); // the SPECIFY bytes
    r.send(0x94);
    expect(r.results()).toEqual([0x10]);
    r.send(0x1f);
    expect(r.results()).toEqual([0x80]);
    expect(commandKey(0xe6)).toBe(0x06); // READ DATA with MT, MFM, SK
    expect(commandKey(0xe5)).toBeUndefined(); // WRITE DATA has no SK bit
  });

  it('recalibrates and seeks: the interrupt, then SENSE INTERRUPT STATUS with seek end and the cylinder', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    expect(r.seek(0)).toEqual([0x20, 0]);
    expect(r.seek(33)).toEqual([0x20, 33]);
    r.send(0x04, 0); // SENSE DRIVE STATUS: ready, two-sided, not on track 0
    expect(r.results()).toEqual([0x28]);
    expect(r.seek(0)).toEqual([0x20, 0]);
    r.send(0x04, 0);
    expect(r.results()).toEqual([0x38]);
    // RELATIVE SEEK up by 5.
    r.send(0xcf, 0, 5);
    r.wait();
    r.send(0x08);
    expect(r.results()).toEqual([0x20, 5]);
  });

  it('reports equipment check for a drive the machine does not have', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    expect(r.seek(0, 1)).toEqual([0x71, 0]);
  });

  it('keeps the disk change line up until a step with a disk in the drive', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    expect(r.inp(0x3f7) & 0x80).toBe(0x80);
    r.seek(1);
    expect(r.inp(0x3f7) & 0x80).toBe(0);
    r.host.request('VDSK', 3, { drive: 0, path: image() });
    expect(r.inp(0x3f7) & 0x80).toBe(0x80);
  });

  it('reads ID fields at the disk\'s data rate only (how a BIOS senses the media)', () => {
    const r = rig({ DISK_A: image(), DISK_B: image(720 * 1024) });
    r.reset();
    r.seek(2);
    r.out(0x3f7, 0); // 500 kbps: the 1.44M disk
    r.send(0x4a, 0);
    r.wait();
    expect(r.results()).toEqual([0x00, 0, 0, 2, 0, 1, 2]);
    r.send(0x4a, 1); // the 720K disk in B: is at 250 kbps
    r.wait();
    expect(r.results().slice(0, 2)).toEqual([0x41, 0x01]); // abnormal: missing address mark
    r.out(0x3f7, 2);
    r.send(0x4a, 0x04 | 1);
    r.wait();
    expect(r.results()).toEqual([0x05, 0, 0, 0, 1, 1, 2]);
  });

  it('reads sectors by DMA up to terminal count; the result names the next sector', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    r.seek(5);
    r.dma(0x46, 0x20000, 2 * 512);
    expect(r.data(0xe6, 0, 5, 1, 3, 18)).toEqual([0x04, 0, 0, 5, 1, 5, 2]);
    expect(Array.from(r.ram.subarray(0x20000, 0x20400))).toEqual([...sectorBytes(lbaOf(5, 1, 3)), ...sectorBytes(lbaOf(5, 1, 4))]);
    const dma = r.host.request('VDMA', 2, 2) as { masked: boolean; terminalCount: boolean };
    expect(dma.terminalCount).toBe(true);
  });

  it('goes on to head 1 with MT, and ends with "end of cylinder" past EOT without terminal count', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    r.seek(7);
    r.dma(0x46, 0x30000, 3 * 512);
    expect(r.data(0xc6, 0, 7, 0, 17, 18)).toEqual([0x04, 0, 0, 7, 1, 2, 2]);
    expect(Array.from(r.ram.subarray(0x30400, 0x30600))).toEqual([...sectorBytes(lbaOf(7, 1, 1))]);
    // Without MT the track ends at EOT: 2 sectors moved of the 3 the DMA count asks for.
    r.dma(0x46, 0x30000, 3 * 512);
    const res = r.data(0x46, 0, 7, 0, 17, 18);
    expect(res.slice(0, 2)).toEqual([0x40, 0x80]);
    expect(res.slice(3)).toEqual([8, 0, 1, 2]);
  });

  it('finds no sector off the cylinder the head is on, or past the track', () => {
    const r = rig({ DISK_A: image() });
    r.reset();
    r.seek(3);
    r.dma(0x46, 0x20000, 512);
    expect(r.data(0x46, 0, 4, 0, 1, 18).slice(0, 3)).toEqual([0x40, 0x04, 0x10]); // wrong cylinder
    r.dma(0x46, 0x20000, 512);
    expect(r.data(0x46, 0, 3, 0, 19, 19).slice(0, 2)).toEqual([0x40, 0x04]); // no sector 19
  });

  it('writes sectors by DMA to the image, and refuses on a write-protected disk', () => {
    const path = image();
    const r = rig({ DISK_A: path });
    r.reset();
    r.seek(10);
    const data = Uint8Array.from({ length: 1024 }, (_, i) => (i * 5) & 0xff);
    r.ram.set(data, 0x40000);
    r.dma(0x4a, 0x40000, 1024);
    expect(r.data(0xc5, 0, 10, 1, 9, 18)).toEqual([0x04, 0, 0, 10, 1, 11, 2]);
    r.host.notify('terminate');
    const written = readFileSync(path).subarray(lbaOf(10, 1, 9) * 512, lbaOf(10, 1, 9) * 512 + 1024);
    expect(Array.from(written)).toEqual(Array.from(data));

    const ro = rig({ DISK_A: image(), DISK_READ_ONLY: true });
    ro.reset();
    ro.dma(0x4a, 0x40000, 512);
    expect(ro.data(0xc5, 0, 0, 0, 1, 18).slice(0, 2)).toEqual([0x40, 0x02]); // not writable
    ro.send(0x04, 0);
    expect(ro.results()[0] & 0x40).toBe(0x40); // ST3 write protected
  });

  it('formats a track from the IDs it takes by DMA', () => {
    const path = image();
    const r = rig({ DISK_A: path });
    r.reset();
    r.seek(20);
    const ids = new Uint8Array(18 * 4);
    for (let s = 0; s < 18; s++) ids.set([20, 1, s + 1, 2], s * 4);
    r.ram.set(ids, 0x50000);
    r.dma(0x4a, 0x50000, ids.length);
    r.send(0x4d, 0x04, 2, 18, 0x6c, 0xe5);
    r.wait();
    expect(r.results()).toEqual([0x04, 0, 0, 20, 1, 18, 2]);
    r.host.notify('terminate');
    const track = readFileSync(path).subarray(lbaOf(20, 1, 1) * 512, lbaOf(21, 0, 1) * 512);
    expect(track.every((b) => b === 0xe5)).toBe(true);
    expect(readFileSync(path)[lbaOf(20, 0, 18) * 512 + 4]).toBe(SIG[0]); // the other side untouched
  });

  it('keeps the interrupt off the line while the DOR gate bit is clear', () => {
    const r = rig({ DISK_A: image() });
    r.out(0x3f2, 0x00);
    r.out(0x3f2, 0x14); // out of reset, gate off
    r.wait();
    expect(r.irq()).toBe(false);
    r.out(0x3f2, 0x1c); // gate on: the pending interrupt reaches the PIC
    expect(r.irq()).toBe(true);
  });
});
