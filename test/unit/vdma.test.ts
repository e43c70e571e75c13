/**
 * VDMA on the real VM monitor and VDD host: channels are programmed through the ports exactly as a BIOS
 * floppy or sound driver does, then a device moves data through the 'VDMA' named request.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import vdma, { Command, type ChannelInfo, type TransferResult } from '../../vdd/vdma/vdma.js';

function rig() {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const host = new VddHost(vm);
  host.load([vdma]);
  const ports = vm.machine.ports;
  const handle = host.openVdd('VDMA')!;
  return {
    vm,
    ram: vm.machine.ram,
    out8: (port: number, value: number) => ports.out8(port, value),
    in8: (port: number) => ports.in8(port),
    transfer: (input: { channel: number; data?: Uint8Array; length?: number }) =>
      host.requestVdd(handle, Command.Transfer, input) as TransferResult,
    query: (channel: number) => host.requestVdd(handle, Command.Query, channel) as ChannelInfo,
  };
}
type Rig = ReturnType<typeof rig>;

/** Program channel 0-3 as the BIOS floppy driver does: flip-flop, mode, address, page, count, unmask. */
function program8(r: Rig, channel: number, mode: number, phys: number, bytes: number, unmask = true): void {
  const page = [0x87, 0x83, 0x81, 0x82][channel];
  r.out8(0x0c, 0); // clear the byte pointer flip-flop
  r.out8(0x0b, mode | channel);
  r.out8(channel * 2, phys & 0xff);
  r.out8(channel * 2, (phys >> 8) & 0xff);
  r.out8(page, (phys >> 16) & 0xff);
  r.out8(channel * 2 + 1, (bytes - 1) & 0xff);
  r.out8(channel * 2 + 1, ((bytes - 1) >> 8) & 0xff);
  if (unmask) r.out8(0x0a, channel);
}

/** Program channel 4-7: addresses and counts in words, page bit 0 unused. */
function program16(r: Rig, channel: number, mode: number, phys: number, words: number): void {
  const page = [0x8f, 0x8b, 0x89, 0x8a][channel - 4];
  const c = channel & 3;
  const wordAddr = (phys >> 1) & 0xffff;
  r.out8(0xd8, 0);
  r.out8(0xd6, mode | c);
  r.out8(0xc0 + c * 4, wordAddr & 0xff);
  r.out8(0xc0 + c * 4, wordAddr >> 8);
  r.out8(page, (phys >> 16) & 0xfe);
  r.out8(0xc2 + c * 4, (words - 1) & 0xff);
  r.out8(0xc2 + c * 4, ((words - 1) >> 8) & 0xff);
  r.out8(0xd4, c);
}

const pattern = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('VDMA', () => {
  it('a floppy read (mode 46h) on channel 2 writes the sector into guest memory at page:address', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x12340, 512);
    const sector = pattern(512);
    const res = r.transfer({ channel: 2, data: sector });
    expect(res).toEqual({ bytes: 512, terminalCount: true });
    expect(r.ram.subarray(0x12340, 0x12340 + 512)).toEqual(sector);
    expect(r.ram[0x12340 + 512]).toBe(0);
    expect(r.ram[0x1233f]).toBe(0);
  });

  it('reports terminal count in the status register once, then clears it on read', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x8000, 16);
    expect(r.in8(0x08) & 0x0f).toBe(0);
    r.transfer({ channel: 2, data: pattern(16) });
    expect(r.in8(0x08) & 0x0f).toBe(0x04);
    expect(r.in8(0x08) & 0x0f).toBe(0);
  });

  it('stops at terminal count and masks a non-autoinit channel', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x8000, 16);
    const res = r.transfer({ channel: 2, data: pattern(40) });
    expect(res).toEqual({ bytes: 16, terminalCount: true });
    expect(r.ram[0x8010]).toBe(0);
    expect(r.query(2).masked).toBe(true);
    expect(r.transfer({ channel: 2, data: pattern(4) }).bytes).toBe(0);
  });

  it('moves nothing on a masked channel', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x8000, 16, false);
    const res = r.transfer({ channel: 2, data: pattern(16) });
    expect(res).toEqual({ bytes: 0, terminalCount: false });
    expect(r.ram.subarray(0x8000, 0x8010).every((b) => b === 0)).toBe(true);
    expect(r.query(2).currentCount).toBe(15);
    // single mask write 04h|ch masks again after unmasking
    r.out8(0x0a, 0x02);
    r.out8(0x0a, 0x06);
    expect(r.transfer({ channel: 2, data: pattern(16) }).bytes).toBe(0);
    // all-mask write at 0Fh
    r.out8(0x0f, 0x00);
    expect(r.transfer({ channel: 2, data: pattern(16) }).bytes).toBe(16);
  });

  it('a floppy write (mode 4Ah) reads memory to the device, and a partial transfer leaves the counters mid-way', () => {
    const r = rig();
    const src = pattern(256, 5);
    r.ram.set(src, 0x20000);
    program8(r, 2, 0x4a, 0x20000, 256);
    const first = r.transfer({ channel: 2, length: 100 });
    expect(first.bytes).toBe(100);
    expect(first.terminalCount).toBe(false);
    expect(first.data).toEqual(src.subarray(0, 100));
    // read the current address and count back through the ports, LSB then MSB
    r.out8(0x0c, 0);
    const addr = r.in8(0x04) | (r.in8(0x04) << 8);
    const count = r.in8(0x05) | (r.in8(0x05) << 8);
    expect(addr).toBe(100);
    expect(count).toBe(255 - 100);
    const rest = r.transfer({ channel: 2, length: 1000 });
    expect(rest.bytes).toBe(156);
    expect(rest.terminalCount).toBe(true);
    expect(rest.data).toEqual(src.subarray(100));
  });

  it('refuses a direction the mode does not allow', () => {
    const r = rig();
    program8(r, 2, 0x4a, 0x8000, 16); // read-from-memory
    expect(r.transfer({ channel: 2, data: pattern(16) }).bytes).toBe(0);
    expect(r.ram[0x8000]).toBe(0);
    program8(r, 2, 0x46, 0x8000, 16); // write-to-memory
    expect(r.transfer({ channel: 2, length: 16 }).bytes).toBe(0);
  });

  it('verify mode advances the counters without touching memory', () => {
    const r = rig();
    program8(r, 2, 0x42, 0x8000, 16);
    expect(r.transfer({ channel: 2, data: pattern(16) })).toEqual({ bytes: 16, terminalCount: true });
    expect(r.ram.subarray(0x8000, 0x8010).every((b) => b === 0)).toBe(true);
  });

  it('autoinit reloads the base address and count at terminal count and stays unmasked', () => {
    const r = rig();
    program8(r, 1, 0x58, 0x30000, 8); // single, autoinit, read-from-memory: a sound card's loop buffer
    r.ram.set(pattern(8, 9), 0x30000);
    const a = r.transfer({ channel: 1, length: 8 });
    expect(a.terminalCount).toBe(true);
    expect(r.query(1)).toMatchObject({ currentAddress: 0, currentCount: 7, masked: false });
    const b = r.transfer({ channel: 1, length: 5 });
    expect(b.data).toEqual(pattern(8, 9).subarray(0, 5));
    expect(b.terminalCount).toBe(false);
    expect(r.in8(0x08) & 0x02).toBe(0x02);
  });

  it('address decrement walks memory downward', () => {
    const r = rig();
    program8(r, 3, 0x64, 0x40010, 4); // single, decrement, write-to-memory
    r.transfer({ channel: 3, data: Uint8Array.of(1, 2, 3, 4) });
    expect(Array.from(r.ram.subarray(0x4000d, 0x40011))).toEqual([4, 3, 2, 1]);
    expect(r.query(3).currentAddress).toBe(0x000c);
  });

  it('the address counter wraps within its 64 KiB page; the page register does not carry', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x5fffe, 4);
    r.transfer({ channel: 2, data: Uint8Array.of(0xa1, 0xa2, 0xa3, 0xa4) });
    expect(r.ram[0x5fffe]).toBe(0xa1);
    expect(r.ram[0x5ffff]).toBe(0xa2);
    expect(r.ram[0x50000]).toBe(0xa3);
    expect(r.ram[0x50001]).toBe(0xa4);
    expect(r.ram[0x60000]).toBe(0);
    expect(r.in8(0x81)).toBe(0x05);
  });

  it('a 16-bit channel counts addresses and lengths in words and wraps within 128 KiB', () => {
    const r = rig();
    program16(r, 5, 0x44, 0x3fffc, 4); // 4 words from 3FFFCh: 2 words up to the 128 KiB boundary, then wrap to 20000h
    const data = pattern(8, 3);
    const res = r.transfer({ channel: 5, data });
    expect(res).toEqual({ bytes: 8, terminalCount: true });
    expect(r.ram.subarray(0x3fffc, 0x40000)).toEqual(data.subarray(0, 4));
    expect(r.ram.subarray(0x20000, 0x20004)).toEqual(data.subarray(4));
    expect(r.ram[0x40000]).toBe(0);
    expect(r.in8(0xd0) & 0x0f).toBe(0x02); // channel 5 is bit 1 of controller 2's status
    r.out8(0xd8, 0);
    expect(r.in8(0xc6) | (r.in8(0xc6) << 8)).toBe(0xffff); // count rolled over
    expect(r.query(5)).toMatchObject({ unitBytes: 2, masked: true });
  });

  it('master clear masks every channel and resets the flip-flop', () => {
    const r = rig();
    program8(r, 2, 0x46, 0x1234, 16);
    r.out8(0x04, 0x99); // leaves the flip-flop on the MSB
    r.out8(0x0d, 0);
    expect(r.query(2).masked).toBe(true);
    r.out8(0x04, 0x78); // LSB again after master clear
    r.out8(0x04, 0x56);
    expect(r.query(2).baseAddress).toBe(0x5678);
    r.out8(0x0e, 0); // clear all masks
    expect(r.query(2).masked).toBe(false);
  });
});
