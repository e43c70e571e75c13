/**
 * VVGA's VESA BIOS Extension and SVGA on the real VM monitor: guest code calls INT 10h AH=4Fh through the
 * BIOS's SVC (as vvga-bios.test.ts does), writes video memory through the banked A000h window and the linear
 * frame buffer, and the picture comes back through the 'VVGA' render request as the VMAN surface — 8-bit
 * indexed or 32-bit RGBA — and from there through the wire format and the PNG writer.
 */
import { describe, expect, it } from 'vitest';
import { CpuModel } from '../../main/ist/index.js';
import { decodePng, encodeRgbPng } from '../../main/mvm/png.js';
import { applyUpdate, Surface } from '../../main/vman/surface.js';
import { decodeUpdate, encodeUpdate } from '../../main/vman/wire.js';
import { RunState, VirtualMachine } from '../../main/vmm/monitor.js';
import { VddHost } from '../../main/vmm/vdd-host.js';
import { VmDisplay } from '../../main/vmm/vm-display.js';
import { VBE_MODES } from '../../vdd/vvga/vbe.js';
import vvga from '../../vdd/vvga/vvga.js';

const SEG = 0x1000;
const CODE = SEG * 16 + 0x100;
/** ES:0400h, where the VBE blocks go. */
const BLOCK = 0x0400;
const LFB = 0xe000_0000;

/** INT 10h as the ROM stub reaches it: SVC 90h. */
const INT10 = [0xf4, 0x90, 0x6f];

const w16 = (op: number, v: number) => [op, v & 0xff, (v >> 8) & 0xff];
/** mov ax/bx/cx/dx, then INT 10h. */
function call10(ax: number, bx = 0, cx = 0, dx = 0): number[] {
  return [...w16(0xb8, ax), ...w16(0xbb, bx), ...w16(0xb9, cx), ...w16(0xba, dx), ...INT10];
}
/** mov di, BLOCK; then call10. */
function call10di(ax: number, bx = 0, cx = 0, dx = 0): number[] {
  return [...w16(0xbf, BLOCK), ...call10(ax, bx, cx, dx)];
}
/** mov ax,A000h ; mov es,ax */
const ES_A000 = [...w16(0xb8, 0xa000), 0x8e, 0xc0];
/** mov byte [es:di], value with di set first: mov di,off ; mov al,value ; stosb */
function storeAt(offset: number, value: number): number[] {
  return [...w16(0xbf, offset), 0xb0, value & 0xff, 0xaa];
}

function rig() {
  const vm = new VirtualMachine({ model: CpuModel.i80386 });
  const host = new VddHost(vm, {});
  host.load([vvga]);
  host.notify('post');
  const ram = vm.machine.ram;
  const memory = vm.machine.memory;
  return {
    vm,
    host,
    /** Run code at 1000:0100 (a final hlt is appended), DS = ES = 1000h; the registers after it. */
    run(code: number[]) {
      ram.set([...code, 0xf4], CODE);
      vm.cpu.memoryChanged(CODE, code.length + 1);
      vm.resetCpu();
      vm.cpu.setRegisters({ cs: SEG, ds: SEG, es: SEG, ss: SEG, esp: 0xfffe, eip: 0x100, eflags: 0x002, eax: 0, ebx: 0, ecx: 0, edx: 0, esi: 0, edi: 0, ebp: 0 });
      expect(vm.run(10_000_000)).toBe(RunState.Idle);
      return vm.cpu.getRegisters();
    },
    /** Bytes at ES:BLOCK. */
    block(length: number): Uint8Array {
      return ram.slice(SEG * 16 + BLOCK, SEG * 16 + BLOCK + length);
    },
    /** A byte/word/far pointer of physical memory as the CPU sees it (ROM and MMIO included). */
    byte: (addr: number) => memory.read(addr),
    word: (addr: number) => memory.read(addr) | (memory.read(addr + 1) << 8),
    string(seg: number, off: number): string {
      let s = '';
      for (let a = seg * 16 + off; memory.read(a) !== 0 && s.length < 256; a++) s += String.fromCharCode(memory.read(a));
      return s;
    },
    poke(addr: number, bytes: number[]) {
      bytes.forEach((b, i) => memory.write(addr + i, b));
    },
    render(): Surface {
      host.request('VVGA', 6);
      return host.surface();
    },
    dispi(index: number, value?: number): number {
      vm.machine.ports.out16(0x1ce, index);
      if (value !== undefined) vm.machine.ports.out16(0x1cf, value);
      return vm.machine.ports.in16(0x1cf);
    },
  };
}

type Rig = ReturnType<typeof rig>;

function modeInfo(r: Rig, mode: number) {
  const regs = r.run(call10di(0x4f01, 0, mode));
  const b = r.block(256);
  const v = new DataView(b.buffer);
  return {
    ax: regs.eax & 0xffff,
    attributes: v.getUint16(0, true),
    winA: b[2],
    granularity: v.getUint16(4, true),
    windowSize: v.getUint16(6, true),
    segmentA: v.getUint16(8, true),
    winFunc: { off: v.getUint16(0x0c, true), seg: v.getUint16(0x0e, true) },
    pitch: v.getUint16(0x10, true),
    width: v.getUint16(0x12, true),
    height: v.getUint16(0x14, true),
    planes: b[0x18],
    bpp: b[0x19],
    model: b[0x1b],
    pages: b[0x1d],
    masks: Array.from(b.subarray(0x1f, 0x27)),
    lfb: v.getUint32(0x28, true) >>> 0,
  };
}

/** The RGBA word a shield gets for a colour. */
const rgba = (r: number, g: number, b: number) => (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;

describe('VBE 4F00h/4F01h: controller and mode information', () => {
  it("answers 'VESA' 2.0 with 8 MiB, strings and a mode list in the video ROM", () => {
    const r = rig();
    r.poke(SEG * 16 + BLOCK, [0x56, 0x42, 0x45, 0x32]); // 'VBE2'
    const regs = r.run(call10di(0x4f00));
    expect(regs.eax & 0xffff).toBe(0x004f);
    const b = r.block(512);
    const v = new DataView(b.buffer);
    expect(String.fromCharCode(...b.subarray(0, 4))).toBe('VESA');
    expect(v.getUint16(4, true)).toBe(0x0200);
    expect(v.getUint16(0x12, true)).toBe(128);
    expect(r.string(v.getUint16(8, true), v.getUint16(6, true))).toMatch(/^MVM Desktop/);
    // VBE 2.0 fields: vendor, product and revision strings.
    expect(r.string(v.getUint16(0x18, true), v.getUint16(0x16, true))).toBe('MVM Desktop');
    expect(r.string(v.getUint16(0x1c, true), v.getUint16(0x1a, true))).toMatch(/VVGA/);
    expect(r.string(v.getUint16(0x20, true), v.getUint16(0x1e, true))).toBe('1.0');
    const list: number[] = [];
    const at = v.getUint16(0x10, true) * 16 + v.getUint16(0x0e, true);
    expect(at).toBeGreaterThanOrEqual(0xc0000);
    for (let a = at; r.word(a) !== 0xffff && list.length < 100; a += 2) list.push(r.word(a));
    expect(list).toEqual(expect.arrayContaining([0x101, 0x105, 0x111, 0x118, 0x142, 0x144]));
    expect(list).toEqual([...VBE_MODES.keys()]);
  });

  it('writes only 256 bytes for a VBE 1.x caller', () => {
    const r = rig();
    r.poke(SEG * 16 + BLOCK + 256, [0x5a]);
    r.run(call10di(0x4f00));
    expect(String.fromCharCode(...r.block(4))).toBe('VESA');
    expect(r.block(257)[256]).toBe(0x5a);
  });

  it('describes every listed mode consistently, and refuses unknown ones', () => {
    const r = rig();
    for (const m of VBE_MODES.values()) {
      const info = modeInfo(r, m.number);
      const bytes = Math.ceil(m.bpp / 8);
      expect(info.ax, m.number.toString(16)).toBe(0x004f);
      expect(info.attributes & 0x99).toBe(0x99); // supported, colour, graphics, linear frame buffer
      expect(info.attributes & 0x60).toBe(0); // VGA-compatible windowed memory
      expect({ width: info.width, height: info.height, bpp: info.bpp }).toEqual({ width: m.width, height: m.height, bpp: m.bpp });
      expect(info.pitch).toBe(m.width * bytes);
      expect([info.winA & 7, info.granularity, info.windowSize, info.segmentA, info.planes]).toEqual([7, 64, 64, 0xa000, 1]);
      expect(info.model).toBe(m.bpp === 8 ? 4 : 6);
      expect(info.pages).toBe(Math.min(255, Math.floor((8 << 20) / (info.pitch * m.height)) - 1));
      expect(info.lfb).toBe(LFB);
      const [rs, rp, gs, gp, bs, bp] = info.masks;
      if (m.bpp === 8) expect(info.masks.every((x) => x === 0)).toBe(true);
      else {
        // The fields sit side by side, blue lowest, and fill the pixel's colour bits.
        expect(bp).toBe(0);
        expect(gp).toBe(bs);
        expect(rp).toBe(bs + gs);
        expect(rs + gs + bs).toBe(m.bpp === 16 ? 16 : m.bpp === 15 ? 15 : 24);
      }
      // The window function is mov ax,4F05h ; int 10h ; retf in the ROM.
      const f = info.winFunc.seg * 16 + info.winFunc.off;
      expect([r.byte(f), r.byte(f + 1), r.byte(f + 2), r.byte(f + 3), r.byte(f + 4), r.byte(f + 5)]).toEqual([0xb8, 0x05, 0x4f, 0xcd, 0x10, 0xcb]);
    }
    expect(modeInfo(r, 0x1ff).ax).toBe(0x014f);
    expect(modeInfo(r, 0x13).ax).toBe(0x014f);
  });
});

describe('VBE 4F02h/4F05h: 8-bit modes through the banked window', () => {
  it('sets 101h and lands bank-switched writes at the right linear offsets, in the picture and the LFB', () => {
    const r = rig();
    const code = [...call10(0x4f02, 0x0101), ...ES_A000];
    // In banks 0-4: a byte at window offset 0 (bank + 1) and one at FFFFh (80h + bank).
    for (let bank = 0; bank < 5; bank++) code.push(...call10(0x4f05, 0x0000, 0, bank), ...storeAt(0x0000, bank + 1), ...storeAt(0xffff, 0x80 + bank));
    code.push(...call10(0x4f05, 0x0100)); // get window A: DX
    const regs = r.run(code);
    expect(regs.eax & 0xffff).toBe(0x004f);
    expect(regs.edx & 0xffff).toBe(4);
    expect(r.run(call10(0x4f03)).ebx & 0xffff).toBe(0x0101);
    expect(r.byte(0x449)).toBe(0xff);
    const s = r.render();
    expect([s.width, s.height, s.depth]).toEqual([640, 480, 8]);
    expect(s.screen).toBeNull();
    for (let bank = 0; bank < 5; bank++) {
      const first = bank * 0x10000;
      const last = first + 0xffff;
      expect(s.pixels[first], `bank ${bank}`).toBe(bank + 1);
      // Bank 4 runs past the 640x480 picture (4.7 banks); its end is still memory.
      if (last < 640 * 480) expect(s.pixels[last]).toBe(0x80 + bank);
      expect(r.byte(LFB + first)).toBe(bank + 1);
      expect(r.byte(LFB + last)).toBe(0x80 + bank);
    }
    // The palette is the DAC, loaded with the VGA's default 256 colours: 4 is red, 0Fh white.
    expect(s.palette[4]).toBe(rgba(0xaa, 0, 0));
    expect(s.palette[0x0f]).toBe(rgba(0xff, 0xff, 0xff));
    expect(r.host.request('VVGA', 6)).toBe(false); // nothing changed since
  });

  /** Enter unreal mode: DS keeps a 4 GiB limit after going back to real mode (assembled from 16-bit nasm). */
  const UNREAL_DS = [
    0x31, 0xc0, 0x8e, 0xd8, 0x66, 0xc7, 0x06, 0x00, 0x70, 0x00, 0x00, 0x00, 0x00, 0x66, 0xc7, 0x06, 0x04, 0x70, 0x00, 0x00,
    0x00, 0x00, 0x66, 0xc7, 0x06, 0x08, 0x70, 0xff, 0xff, 0x00, 0x00, 0x66, 0xc7, 0x06, 0x0c, 0x70, 0x00, 0x92, 0xcf, 0x00,
    0xc7, 0x06, 0x10, 0x70, 0x0f, 0x00, 0x66, 0xc7, 0x06, 0x12, 0x70, 0x00, 0x70, 0x00, 0x00, 0xfa, 0x0f, 0x01, 0x16, 0x10,
    0x70, 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0, 0xbb, 0x08, 0x00, 0x8e, 0xdb, 0x24, 0xfe, 0x0f, 0x22, 0xc0, 0xfb,
  ];

  it('reaches the linear frame buffer with 32-bit addresses from the CPU, both ways (unreal mode)', () => {
    const r = rig();
    r.run([...call10(0x4f02, 0x4105), ...ES_A000, ...call10(0x4f05, 0, 0, 3), ...storeAt(0x1234, 0x5a)]);
    expect(r.run(call10(0x4f03)).ebx & 0xffff).toBe(0x4105);
    // Real mode limits DS to 64 KiB (a 386 raises #GP past it), so first give DS a 4 GiB limit the way
    // unreal-mode programs do: a flat data descriptor loaded in protected mode, kept by the real-mode load.
    // (GDT at 0:7000h; lgdt; PE on; mov ds,8; PE off.) Each run starts from a CPU reset, so it goes first.
    // xor ax,ax ; mov ds,ax ; mov esi,E0031234h ; a32 mov bl,[esi] ; mov al,77h ; a32 mov [esi+1],al
    const regs = r.run([...UNREAL_DS, 0x31, 0xc0, 0x8e, 0xd8, 0x66, 0xbe, 0x34, 0x12, 0x03, 0xe0, 0x67, 0x8a, 0x1e, 0xb0, 0x77, 0x67, 0x88, 0x46, 0x01]);
    expect(regs.ebx & 0xff).toBe(0x5a);
    // Read back through the window (bank 3 still selected).
    expect(r.byte(0xa1235)).toBe(0x77);
    expect(r.render().pixels[0x31235]).toBe(0x77);
  });

  it('clears the memory on a mode set unless bit 15 asks to keep it', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0101));
    r.poke(LFB + 100, [9]);
    r.run(call10(0x4f02, 0x8103));
    expect(r.byte(LFB + 100)).toBe(9);
    r.run(call10(0x4f02, 0x0101));
    expect(r.byte(LFB + 100)).toBe(0);
  });

  it('refuses a bank beyond the memory, window B and unknown modes', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0101));
    expect(r.run(call10(0x4f05, 0, 0, 128)).eax & 0xffff).toBe(0x014f);
    expect(r.run(call10(0x4f05, 1, 0, 1)).eax & 0xffff).toBe(0x014f);
    expect(r.run(call10(0x4f02, 0x0177)).eax & 0xffff).toBe(0x014f);
    expect(r.run(call10(0x4f0a)).eax & 0xffff).toBe(0x014f);
  });

  it('draws BIOS teletype text into the SVGA memory', () => {
    const r = rig();
    r.run([...call10(0x4f02, 0x0101), ...call10(0x0e41, 0x000e)]); // 'A' in yellow
    const s = r.render();
    let lit = 0;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) lit += s.pixels[y * 640 + x] === 0x0e ? 1 : 0;
    expect(lit).toBeGreaterThan(10);
    expect(r.run(call10(0x0d00, 0, 2, 5)).eax & 0xff).toBe(s.pixels[5 * 640 + 2]);
  });
});

describe('VBE direct-colour modes: the picture in RGBA', () => {
  it('15 and 16 bits: 5:5:5 and 5:6:5 words become full-range RGBA', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0111));
    r.poke(LFB, [0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00, 0xff, 0xff, 0x10, 0x84]); // red, green, blue, white, 8410h grey
    let s = r.render();
    expect([s.width, s.height, s.depth]).toEqual([640, 480, 32]);
    expect(Array.from(s.rgba.subarray(0, 5))).toEqual([rgba(255, 0, 0), rgba(0, 255, 0), rgba(0, 0, 255), rgba(255, 255, 255), rgba(0x84, 0x82, 0x84)]);
    expect(s.rgba[6]).toBe(rgba(0, 0, 0));
    r.run(call10(0x4f02, 0x0110));
    r.poke(LFB, [0x00, 0x7c, 0xe0, 0x03, 0x1f, 0x00]);
    s = r.render();
    expect(Array.from(s.rgba.subarray(0, 3))).toEqual([rgba(255, 0, 0), rgba(0, 255, 0), rgba(0, 0, 255)]);
  });

  it('24 and 32 bits: B, G, R bytes, written through the banked window', () => {
    const r = rig();
    // 142h 640x480x32: pixel (10, 30) is at 30 * 2560 + 40 = 76840 = bank 1, offset 2C28h.
    r.run([...call10(0x4f02, 0x0142), ...ES_A000, ...call10(0x4f05, 0, 0, 1), ...storeAt(0x2c28, 0x56), ...storeAt(0x2c29, 0x34), ...storeAt(0x2c2a, 0x12)]);
    let s = r.render();
    expect([s.width, s.height, s.depth]).toEqual([640, 480, 32]);
    expect(s.rgba[30 * 640 + 10]).toBe(rgba(0x12, 0x34, 0x56));
    expect(s.rgba[30 * 640 + 11]).toBe(rgba(0, 0, 0));
    r.run(call10(0x4f02, 0x0112));
    r.poke(LFB + 3 * 7, [0xff, 0x80, 0x01]);
    s = r.render();
    expect(s.rgba[7]).toBe(rgba(0x01, 0x80, 0xff));
  });

  it('draws BIOS text in the colour of its DAC entry', () => {
    const r = rig();
    r.run([...call10(0x4f02, 0x0144), ...call10(0x0e41, 0x000f)]); // 'A' in white
    const s = r.render();
    const colours = new Set<number>();
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) colours.add(s.rgba[y * 1024 + x]);
    expect([...colours].sort()).toEqual([rgba(0, 0, 0), rgba(255, 255, 255)].sort());
    expect(r.run(call10(0x0d00, 0, 0, 0)).eax & 0xff).toBe(0);
  });

  it('gives the display a 32-bit capture', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0143));
    r.poke(LFB, [0x11, 0x22, 0x33, 0x00]);
    const shot = new VmDisplay(r.host, () => undefined).capture();
    expect([shot.width, shot.height, shot.depth]).toEqual([800, 600, 32]);
    expect(Array.from(shot.pixels.subarray(0, 4))).toEqual([0x33, 0x22, 0x11, 0xff]);
    expect(shot.text).toBeNull();
  });
});

describe('VBE 4F06h/4F07h: logical lines and the display start', () => {
  it('pans the picture with the display start and reports it back', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0101));
    r.poke(LFB + 10 * 640 + 5, [0x2a]);
    expect(r.render().pixels[0]).toBe(0);
    expect(r.run(call10(0x4f07, 0x0000, 0, 10)).eax & 0xffff).toBe(0x004f);
    let s = r.render();
    expect(s.pixels[5]).toBe(0x2a);
    expect(r.run(call10(0x4f07, 0x0080, 5, 10)).eax & 0xffff).toBe(0x004f);
    s = r.render();
    expect(s.pixels[0]).toBe(0x2a);
    const regs = r.run(call10(0x4f07, 0x0001));
    expect([regs.eax & 0xffff, regs.ecx & 0xffff, regs.edx & 0xffff]).toEqual([0x004f, 5, 10]);
    expect(r.run(call10(0x4f07, 0x0000, 0, 20000)).eax & 0xffff).toBe(0x014f);
  });

  it('sets the logical line length in pixels or bytes, and tells the maximum', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0111)); // 640x480, 2 bytes a pixel
    let regs = r.run(call10(0x4f06, 0x0000, 1024));
    expect([regs.eax & 0xffff, regs.ebx & 0xffff, regs.ecx & 0xffff, regs.edx & 0xffff]).toEqual([0x004f, 2048, 1024, 4096]);
    regs = r.run(call10(0x4f06, 0x0002, 1600));
    expect([regs.ebx & 0xffff, regs.ecx & 0xffff]).toEqual([1600, 800]);
    regs = r.run(call10(0x4f06, 0x0001));
    expect(regs.ecx & 0xffff).toBe(800);
    regs = r.run(call10(0x4f06, 0x0003));
    expect([regs.ebx & 0xffff, regs.ecx & 0xffff]).toEqual([17476, 8738]); // 8 MiB over 480 lines of 2 bytes a pixel
    expect(r.run(call10(0x4f06, 0x0000, 9000)).eax & 0xffff).toBe(0x014f);
    // The picture follows the new line length: pixel (3, 2) is at 2 * 1600 + 6.
    r.poke(LFB + 2 * 1600 + 6, [0x00, 0xf8]);
    expect(r.render().rgba[2 * 640 + 3]).toBe(rgba(255, 0, 0));
  });
});

describe('VBE: leaving the SVGA, the DAC and the state', () => {
  it('goes back to text with INT 10h AX=0003h, and with 4F02h BX=0003h', () => {
    for (const back of [call10(0x0003), call10(0x4f02, 0x0003)]) {
      const r = rig();
      r.run(call10(0x4f02, 0x0144));
      expect(r.render().depth).toBe(32);
      expect(r.dispi(4) & 1).toBe(1);
      r.run(back);
      expect(r.dispi(4)).toBe(0);
      expect(r.byte(0x449)).toBe(3);
      expect(r.run(call10(0x4f03)).ebx & 0xffff).toBe(0x0003);
      const s = r.render();
      expect([s.width, s.height, s.depth]).toEqual([720, 400, 8]);
      expect(s.screen?.rows).toBe(25);
      // The window is the VGA's again: text mode memory at B800h.
      r.poke(0xb8000, [0x41]);
      expect(r.byte(0xb8000)).toBe(0x41);
    }
  });

  it('keeps the DAC at 6 bits (4F08h) and sets and gets palette entries as blue, green, red (4F09h)', () => {
    const r = rig();
    r.run(call10(0x4f02, 0x0101));
    let regs = r.run(call10(0x4f08, 0x0800));
    expect([regs.eax & 0xffff, (regs.ebx >> 8) & 0xff]).toEqual([0x004f, 6]);
    regs = r.run(call10(0x4f08, 0x0001));
    expect((regs.ebx >> 8) & 0xff).toBe(6);
    r.poke(SEG * 16 + BLOCK, [0x3f, 0x20, 0x01, 0, 0x00, 0x00, 0x3f, 0]);
    expect(r.run(call10di(0x4f09, 0x0000, 2, 0x10)).eax & 0xffff).toBe(0x004f);
    r.vm.machine.ports.out8(0x3c7, 0x10);
    expect([0, 1, 2].map(() => r.vm.machine.ports.in8(0x3c9))).toEqual([0x01, 0x20, 0x3f]);
    r.poke(SEG * 16 + BLOCK, new Array<number>(8).fill(0));
    r.run(call10di(0x4f09, 0x0001, 2, 0x10));
    expect(Array.from(r.block(8))).toEqual([0x3f, 0x20, 0x01, 0, 0x00, 0x00, 0x3f, 0]);
    expect(r.render().palette[0x11]).toBe(rgba(0xff, 0, 0));
    expect(r.run(call10di(0x4f09, 0x0002, 1, 0)).eax & 0xffff).toBe(0x014f);
  });

  it('saves and restores the SVGA state with 4F04h', () => {
    const r = rig();
    let regs = r.run(call10(0x4f04, 0, 0x000f, 0x0000));
    expect([regs.eax & 0xffff, regs.ebx & 0xffff]).toEqual([0x004f, Math.ceil((128 + 64 + 800 + 64) / 64)]);
    const buffer = 0x0800; // ES:BX
    r.run([...call10(0x4f02, 0x0111), ...call10(0x4f07, 0, 0, 7), ...call10(0x4f04, buffer, 0x000f, 0x0001)]);
    r.run(call10(0x0003));
    expect(r.dispi(4)).toBe(0);
    regs = r.run([...call10(0x4f04, buffer, 0x000f, 0x0002), ...call10(0x4f03)]);
    expect(regs.ebx & 0xffff).toBe(0x0111);
    expect([r.dispi(1), r.dispi(3), r.dispi(9), r.dispi(4) & 1]).toEqual([640, 16, 7, 1]);
  });

  it('answers the DISPI registers on ports 1CEh/1CFh as Bochs does', () => {
    const r = rig();
    expect(r.dispi(0)).toBe(0xb0c5);
    expect(r.dispi(10)).toBe(128);
    r.dispi(4, 0x02); // GETCAPS
    expect([r.dispi(1), r.dispi(2), r.dispi(3)]).toEqual([1600, 1200, 32]);
    r.dispi(3, 32);
    r.dispi(1, 320);
    r.dispi(2, 200);
    r.dispi(4, 0x41);
    expect(r.dispi(4)).toBe(0x41);
    r.dispi(1, 640); // ignored while enabled
    expect(r.dispi(1)).toBe(320);
    r.poke(LFB + 4, [0xff, 0x00, 0x00, 0x00]);
    const s = r.render();
    expect([s.width, s.height, s.depth]).toEqual([320, 200, 32]);
    expect(s.rgba[1]).toBe(rgba(0, 0, 255));
  });
});

describe('true colour on the wire and in PNG files', () => {
  function trueColourSurface(): Surface {
    const s = new Surface(64, 40);
    s.resize(64, 40, 32);
    for (let i = 0; i < s.rgba.length; i++) s.rgba[i] = i < 1000 ? 0xff102030 : (0xff000000 | Math.imul(i, 2654435761)) >>> 0;
    s.damageAll();
    return s;
  }

  it('round-trips a 32-bit update, flat areas run-length coded', () => {
    const s = trueColourSurface();
    const u = s.takeUpdate()!;
    expect(u.depth).toBe(32);
    const bytes = encodeUpdate(u);
    expect(bytes.length).toBeLessThan(64 * 40 * 4);
    const copy = { width: 1, height: 1, pixels: new Uint8Array(1), palette: new Uint32Array(256) };
    applyUpdate(copy, decodeUpdate(bytes));
    expect(copy).toMatchObject({ width: 64, height: 40, depth: 32 });
    expect(copy.pixels).toEqual(s.pixels);
    // A later partial update, raw (noise) and flat (one colour): the copy follows.
    s.fill(3, 4, 10, 2, 0xff0000ff);
    s.blitRgba(20, 20, 2, 1, Uint32Array.of(0xff123456, 0xff654321));
    applyUpdate(copy, decodeUpdate(encodeUpdate(s.takeUpdate()!)));
    expect(copy.pixels).toEqual(s.pixels);
    // And back to 8 bits.
    s.resize(64, 40);
    applyUpdate(copy, decodeUpdate(encodeUpdate(s.takeUpdate()!)));
    expect(copy).toMatchObject({ depth: 8 });
    expect(copy.pixels.length).toBe(64 * 40);
  });

  it('refuses malformed 32-bit rectangles', () => {
    const s = new Surface(4, 4);
    s.resize(4, 4, 32);
    const good = encodeUpdate(s.takeUpdate()!); // one flat rectangle: run-length coded
    expect(() => decodeUpdate(good.subarray(0, good.length - 1))).toThrow(/truncated|run-length/);
    const bad = good.slice();
    bad[10] |= 0x40; // an unknown flag
    expect(() => decodeUpdate(bad)).toThrow(/flags/);
  });

  it('writes a 32-bit screenshot as a PNG that decodes to the same pixels', () => {
    const s = trueColourSurface();
    const png = encodeRgbPng(s.width, s.height, s.pixels);
    const back = decodePng(png);
    expect([back.width, back.height]).toEqual([64, 40]);
    expect(back.rgba).toEqual(s.pixels);
  });
});
