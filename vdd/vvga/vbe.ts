/**
 * The VESA BIOS Extension 2.0 of VVGA: INT 10h AH=4Fh on the SVGA (svga.ts), as Bochs's and QEMU's VBE BIOSes
 * answer it. bios.ts hands every AH=4Fh call here.
 *
 * - 4F00h controller information (the 'VESA' block, 256 bytes, or 512 when the caller put 'VBE2' in it):
 *   version 2.0, 8 MiB, strings and the mode list in the video ROM (vbeRomArea, at VideoRomLayout.vbe).
 * - 4F01h mode information, 4F02h set mode (bit 14 the linear frame buffer, bit 15 keep the memory; a VGA
 *   mode number sets that mode through AH=00h and turns the SVGA off), 4F03h current mode.
 * - 4F04h save/restore state: AH=1Ch's three parts (bios.ts) plus bit 3, the SVGA registers.
 * - 4F05h window A (64 KiB at A000h, 64 KiB granularity; no window B), also callable far through the
 *   ModeInfoBlock's WinFuncPtr; 4F06h logical scan line length; 4F07h display start; 4F08h DAC width (fixed
 *   at 6 bits); 4F09h palette (primary only). Anything else (4F0Ah protected-mode interface, 4F10h power,
 *   4F15h DDC) fails with AX=014Fh.
 *
 * The modes: the VESA numbers 100h 640x400x8, 101h 640x480x8, 103h 800x600x8, 105h 1024x768x8 (8-bit
 * packed pixels through the DAC), 10Dh-10Fh 320x200, 110h-112h 640x480, 113h-115h 800x600 and 116h-118h
 * 1024x768 at 15, 16 and 24 bits (direct colour), and the 32-bit modes under the numbers Bochs and QEMU
 * give them, 140h 320x200, 141h 640x400, 142h 640x480, 143h 800x600, 144h 1024x768. Every mode has a linear
 * frame buffer at LFB_BASE (E0000000h), reachable with 32-bit addresses.
 */
import type { Vdh } from '../../main/vmm/vdh.js';
import type { VideoBios } from './bios.js';
import { MODES, type VideoMode } from './modes.js';
import {
  bytesPerPixel,
  DISPI,
  DISPI_ENABLED,
  DISPI_LFB_ENABLED,
  DISPI_NOCLEARMEM,
  LFB_BASE,
  SVGA_MEMORY,
  type SvgaCore,
} from './svga.js';
import type { VgaCore } from './vga.js';

export interface VbeMode {
  number: number;
  width: number;
  height: number;
  bpp: 8 | 15 | 16 | 24 | 32;
}

const mode = (number: number, width: number, height: number, bpp: VbeMode['bpp']): VbeMode => ({ number, width, height, bpp });

/** The modes 4F00h lists, in that order. */
export const VBE_MODES: ReadonlyMap<number, VbeMode> = new Map(
  [
    mode(0x100, 640, 400, 8),
    mode(0x101, 640, 480, 8),
    mode(0x103, 800, 600, 8),
    mode(0x105, 1024, 768, 8),
    mode(0x10d, 320, 200, 15),
    mode(0x10e, 320, 200, 16),
    mode(0x10f, 320, 200, 24),
    mode(0x110, 640, 480, 15),
    mode(0x111, 640, 480, 16),
    mode(0x112, 640, 480, 24),
    mode(0x113, 800, 600, 15),
    mode(0x114, 800, 600, 16),
    mode(0x115, 800, 600, 24),
    mode(0x116, 1024, 768, 15),
    mode(0x117, 1024, 768, 16),
    mode(0x118, 1024, 768, 24),
    mode(0x140, 320, 200, 32),
    mode(0x141, 640, 400, 32),
    mode(0x142, 640, 480, 32),
    mode(0x143, 800, 600, 32),
    mode(0x144, 1024, 768, 32),
  ].map((m) => [m.number, m]),
);

const STRINGS = {
  oem: 'MVM Desktop VVGA VBE 2.0',
  vendor: 'MVM Desktop',
  product: 'VVGA SVGA (Bochs DISPI)',
  revision: '1.0',
} as const;

/**
 * The ROM area (offsets from its start): the window function, the mode list (words, FFFFh at the end), the
 * strings (zero-terminated).
 */
const AREA = (() => {
  const bankSwitch = 0x00;
  const modes = 0x10;
  let at = modes + 2 * (VBE_MODES.size + 1);
  const strings = {} as Record<keyof typeof STRINGS, number>;
  for (const key of Object.keys(STRINGS) as (keyof typeof STRINGS)[]) {
    strings[key] = at;
    at += STRINGS[key].length + 1;
  }
  return { bankSwitch, modes, ...strings, size: at };
})();

/** Bytes the ROM area takes (vvga.ts places it at VideoRomLayout.vbe). */
export const VBE_ROM_AREA_SIZE = AREA.size;

/** The ROM area's bytes. */
export function vbeRomArea(): Uint8Array {
  const area = new Uint8Array(AREA.size);
  // The window function a program may call far instead of INT 10h AX=4F05h: mov ax,4F05h ; int 10h ; retf
  area.set([0xb8, 0x05, 0x4f, 0xcd, 0x10, 0xcb], AREA.bankSwitch);
  let at = AREA.modes;
  for (const n of VBE_MODES.keys()) {
    area[at++] = n & 0xff;
    area[at++] = n >> 8;
  }
  area[at++] = 0xff;
  area[at++] = 0xff;
  for (const key of Object.keys(STRINGS) as (keyof typeof STRINGS)[]) {
    const s = STRINGS[key];
    for (let i = 0; i < s.length; i++) area[AREA[key] + i] = s.charCodeAt(i);
  }
  return area;
}

/** VbeInfoBlock sizes: VBE 1.x callers get 256 bytes, callers that ask with 'VBE2' 512. */
const INFO_SIZE = 256;
const INFO_SIZE_VBE2 = 512;
const MODE_INFO_SIZE = 256;
/** The SVGA part of a 4F04h state buffer: the registers, the index and the VBE mode number, as words. */
const SVGA_STATE_SIZE = 64;

/** ModeAttributes: supported, extended information, BIOS output, colour, graphics, linear frame buffer. */
const MODE_ATTRIBUTES = 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x80;
/** WinAAttributes: the window exists, is readable and is writeable. */
const WINDOW_ATTRIBUTES = 0x07;
const WINDOW_KB = 64;
const MEMORY_PACKED = 4;
const MEMORY_DIRECT = 6;

/** Red, green, blue and reserved fields (size, position) of the direct-colour formats. */
const FIELDS: Record<number, readonly number[]> = {
  15: [5, 10, 5, 5, 5, 0, 1, 15],
  16: [5, 11, 6, 5, 5, 0, 0, 0],
  24: [8, 16, 8, 8, 8, 0, 0, 0],
  32: [8, 16, 8, 8, 8, 0, 8, 24],
};

/** The BIOS's view of a VBE mode: mode 13h's VGA registers, a 16-line font, the SVGA's memory. */
function biosMode(m: VbeMode): VideoMode {
  const vga13 = MODES.get(0x13)!;
  return {
    ...vga13,
    number: m.number,
    kind: 'vbe',
    columns: m.width / 8,
    rows: Math.floor(m.height / 16),
    width: m.width,
    height: m.height,
    charHeight: 16,
    pageSize: 0,
    pages: 1,
  };
}

export class VbeBios {
  private readonly logged = new Set<number>();

  constructor(
    private readonly vdh: Vdh,
    private readonly bios: VideoBios,
    private readonly vga: VgaCore,
    private readonly svga: SvgaCore,
    private readonly rom: { segment: number; vbe: number },
  ) {}

  /** INT 10h AH=4Fh. */
  int10(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const al = r.eax & 0xff;
    const bx = r.ebx & 0xffff;
    const bl = bx & 0xff;
    const cx = r.ecx & 0xffff;
    const dx = r.edx & 0xffff;
    const es = (offset: number) => ((r.es << 4) + (offset & 0xffff)) & 0xfffff;
    const status = (code: number) => vdh.setRegisters({ eax: (r.eax & ~0xffff) | (code << 8) | 0x4f });
    const set = (regs: { bx?: number; cx?: number; dx?: number }) =>
      vdh.setRegisters({
        ...(regs.bx !== undefined ? { ebx: (r.ebx & ~0xffff) | (regs.bx & 0xffff) } : {}),
        ...(regs.cx !== undefined ? { ecx: (r.ecx & ~0xffff) | (regs.cx & 0xffff) } : {}),
        ...(regs.dx !== undefined ? { edx: (r.edx & ~0xffff) | (regs.dx & 0xffff) } : {}),
      });
    let code: number;
    switch (al) {
      case 0x00:
        code = this.controllerInfo(es(r.edi));
        break;
      case 0x01:
        code = this.modeInfo(cx & 0x1ff, es(r.edi));
        break;
      case 0x02:
        code = this.setMode(bx);
        break;
      case 0x03:
        set({ bx: this.currentMode() });
        code = 0;
        break;
      case 0x04:
        code = this.state(dx & 0xff, cx & 0x0f, es(bx), (blocks) => set({ bx: blocks }));
        break;
      case 0x05:
        code = this.window(bx >> 8, bl, dx, (bank) => set({ dx: bank }));
        break;
      case 0x06:
        code = this.scanLine(bl, cx, set);
        break;
      case 0x07:
        code = this.displayStart(bl, cx, dx, set);
        break;
      case 0x08:
        // The DAC is 6 bits wide and stays so (capabilities bit 0 clear): both set and get report 6.
        code = bl <= 1 ? 0 : 1;
        if (code === 0) set({ bx: (6 << 8) | bl });
        break;
      case 0x09:
        code = this.palette(bl, cx, dx, es(r.edi));
        break;
      default:
        if (!this.logged.has(al)) {
          this.logged.add(al);
          vdh.log(`VVGA: INT 10h AX=4F${al.toString(16).toUpperCase().padStart(2, '0')}h is not supported`);
        }
        code = 1;
    }
    status(code);
  }

  private inVbeMode(): boolean {
    return this.bios.mode.kind === 'vbe' && this.svga.enabled;
  }

  private far(offset: number): number {
    return ((this.rom.segment << 16) | (this.rom.vbe + offset)) >>> 0;
  }

  /** 4F00h: the VbeInfoBlock. */
  private controllerInfo(addr: number): number {
    const vdh = this.vdh;
    const asked = vdh.readGuest(addr, 4);
    const vbe2 = String.fromCharCode(...asked) === 'VBE2';
    const block = new Uint8Array(vbe2 ? INFO_SIZE_VBE2 : INFO_SIZE);
    const v = new DataView(block.buffer);
    block.set([0x56, 0x45, 0x53, 0x41], 0); // 'VESA'
    v.setUint16(0x04, 0x0200, true);
    v.setUint32(0x06, this.far(AREA.oem), true);
    v.setUint32(0x0a, 0, true); // capabilities: 6-bit DAC, VGA compatible, normal RAMDAC
    v.setUint32(0x0e, this.far(AREA.modes), true);
    v.setUint16(0x12, SVGA_MEMORY >> 16, true);
    if (vbe2) {
      v.setUint16(0x14, 0x0100, true);
      v.setUint32(0x16, this.far(AREA.vendor), true);
      v.setUint32(0x1a, this.far(AREA.product), true);
      v.setUint32(0x1e, this.far(AREA.revision), true);
    }
    vdh.writeGuest(addr, block);
    return 0;
  }

  /** 4F01h: the ModeInfoBlock of a listed mode. */
  private modeInfo(number: number, addr: number): number {
    const m = VBE_MODES.get(number);
    if (!m) return 1;
    const bytes = bytesPerPixel(m.bpp);
    const pitch = m.width * bytes;
    const block = new Uint8Array(MODE_INFO_SIZE);
    const v = new DataView(block.buffer);
    v.setUint16(0x00, MODE_ATTRIBUTES, true);
    block[0x02] = WINDOW_ATTRIBUTES;
    block[0x03] = 0;
    v.setUint16(0x04, WINDOW_KB, true); // granularity
    v.setUint16(0x06, WINDOW_KB, true); // size
    v.setUint16(0x08, 0xa000, true);
    v.setUint16(0x0a, 0, true);
    v.setUint32(0x0c, this.far(AREA.bankSwitch), true);
    v.setUint16(0x10, pitch, true);
    v.setUint16(0x12, m.width, true);
    v.setUint16(0x14, m.height, true);
    block[0x16] = 8; // character cell
    block[0x17] = 16;
    block[0x18] = 1; // planes
    block[0x19] = m.bpp;
    block[0x1a] = 1; // banks
    block[0x1b] = m.bpp === 8 ? MEMORY_PACKED : MEMORY_DIRECT;
    block[0x1c] = 0; // bank size
    block[0x1d] = Math.min(255, Math.floor(SVGA_MEMORY / (pitch * m.height)) - 1); // image pages beyond the first
    block[0x1e] = 1;
    const fields = FIELDS[m.bpp];
    if (fields) block.set(fields, 0x1f);
    block[0x27] = 0; // colour ramp fixed
    v.setUint32(0x28, LFB_BASE, true);
    v.setUint32(0x2c, 0, true);
    v.setUint16(0x30, 0, true);
    this.vdh.writeGuest(addr, block);
    return 0;
  }

  /** 4F02h. */
  private setMode(bx: number): number {
    const number = bx & 0x1ff;
    const linear = (bx & 0x4000) !== 0;
    const keep = (bx & 0x8000) !== 0;
    if (number < 0x100) {
      if (linear || !MODES.has(number)) return 1;
      this.bios.setMode(number | (keep ? 0x80 : 0));
      return 0;
    }
    const m = VBE_MODES.get(number);
    if (!m) return 1;
    const svga = this.svga;
    svga.write(DISPI.ENABLE, 0);
    svga.write(DISPI.BPP, m.bpp);
    svga.write(DISPI.XRES, m.width);
    svga.write(DISPI.YRES, m.height);
    svga.write(DISPI.ENABLE, DISPI_ENABLED | (linear ? DISPI_LFB_ENABLED : 0) | (keep ? DISPI_NOCLEARMEM : 0));
    if (!svga.enabled) return 1;
    this.bios.setVbeMode(biosMode(m), keep);
    return 0;
  }

  /** 4F03h: the VBE mode with bit 14 for the linear frame buffer, or the VGA mode. */
  private currentMode(): number {
    if (this.inVbeMode()) return this.bios.mode.number | (this.svga.regs[DISPI.ENABLE] & DISPI_LFB_ENABLED ? 0x4000 : 0);
    return this.vdh.readByte(0x449) & 0x7f;
  }

  /** 4F04h: DL 0 size (BX = 64-byte blocks), 1 save, 2 restore the `states` at ES:BX. */
  private state(op: number, states: number, addr: number, setBlocks: (blocks: number) => void): number {
    if (op > 2) return 1;
    const size = this.bios.videoState(op, states & 7, addr);
    if (op === 0) {
      setBlocks(Math.ceil((size + (states & 8 ? SVGA_STATE_SIZE : 0)) / 64));
      return 0;
    }
    if (!(states & 8)) return 0;
    const at = addr + size;
    if (op === 1) {
      const regs = this.svga.saveRegisters();
      const block = new Uint8Array(SVGA_STATE_SIZE);
      const v = new DataView(block.buffer);
      regs.forEach((w, i) => v.setUint16(2 * i, w, true));
      v.setUint16(2 * regs.length, this.bios.mode.kind === 'vbe' ? this.bios.mode.number : 0, true);
      this.vdh.writeGuest(at, block);
    } else {
      const block = this.vdh.readGuest(at, SVGA_STATE_SIZE);
      const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
      const regs = this.svga.saveRegisters();
      for (let i = 0; i < regs.length; i++) regs[i] = v.getUint16(2 * i, true);
      this.svga.restoreRegisters(regs);
      const m = VBE_MODES.get(v.getUint16(2 * regs.length, true));
      if (m) this.bios.adoptMode(biosMode(m));
    }
    return 0;
  }

  /** 4F05h: BH 0 set window BL to DX (64 KiB units), BH 1 get it. Only window A exists. */
  private window(bh: number, bl: number, dx: number, setDx: (bank: number) => void): number {
    if (bl !== 0) return 1;
    if (bh === 0) {
      if (dx >= SVGA_MEMORY / (WINDOW_KB * 1024)) return 1;
      this.svga.write(DISPI.BANK, dx);
      return 0;
    }
    if (bh === 1) {
      setDx(this.svga.regs[DISPI.BANK]);
      return 0;
    }
    return 1;
  }

  /**
   * 4F06h: BL 0 set the logical line in pixels (CX), 2 in bytes, 1 get, 3 get the maximum. Answers BX bytes
   * per line, CX pixels per line, DX lines the memory holds. A length below the mode's width is the width;
   * one the memory cannot hold fails.
   */
  private scanLine(bl: number, cx: number, set: (regs: { bx?: number; cx?: number; dx?: number }) => void): number {
    if (!this.inVbeMode()) return 1;
    const svga = this.svga;
    const bytes = bytesPerPixel(svga.bpp);
    const maxPixels = Math.min(Math.floor(SVGA_MEMORY / (svga.height * bytes)), Math.floor(0xffff / bytes));
    switch (bl) {
      case 0x00:
      case 0x02: {
        const pixels = Math.max(svga.width, bl === 0 ? cx : Math.ceil(cx / bytes));
        if (pixels > maxPixels) return 1;
        svga.write(DISPI.VIRT_WIDTH, pixels);
        break;
      }
      case 0x01:
        break;
      case 0x03:
        set({ bx: maxPixels * bytes, cx: maxPixels });
        return 0;
      default:
        return 1;
    }
    set({ bx: svga.pitch, cx: svga.regs[DISPI.VIRT_WIDTH], dx: svga.regs[DISPI.VIRT_HEIGHT] });
    return 0;
  }

  /** 4F07h: BL 00h/80h set the first displayed pixel (CX) and line (DX), 01h get them (BH 0; no retrace wait). */
  private displayStart(bl: number, cx: number, dx: number, set: (regs: { bx?: number; cx?: number; dx?: number }) => void): number {
    if (!this.inVbeMode()) return 1;
    const svga = this.svga;
    if (bl === 0x00 || bl === 0x80) {
      if (cx >= svga.regs[DISPI.VIRT_WIDTH] || dx >= svga.regs[DISPI.VIRT_HEIGHT]) return 1;
      svga.write(DISPI.X_OFFSET, cx);
      svga.write(DISPI.Y_OFFSET, dx);
      return 0;
    }
    if (bl === 0x01) {
      set({ bx: bl, cx: svga.regs[DISPI.X_OFFSET], dx: svga.regs[DISPI.Y_OFFSET] });
      return 0;
    }
    return 1;
  }

  /**
   * 4F09h: BL 00h/80h set, 01h get CX primary palette entries from DX, entries of four bytes blue, green,
   * red, alignment at ES:DI, 6 bits each (the DAC's width).
   */
  private palette(bl: number, count: number, first: number, addr: number): number {
    if ((bl !== 0x00 && bl !== 0x80 && bl !== 0x01) || first + count > 256) return 1;
    const dac = this.vga.dac;
    if (bl === 0x01) {
      const table = new Uint8Array(count * 4);
      for (let i = 0; i < count; i++) {
        const d = (first + i) * 3;
        table.set([dac[d + 2], dac[d + 1], dac[d], 0], i * 4);
      }
      this.vdh.writeGuest(addr, table);
      return 0;
    }
    const table = this.vdh.readGuest(addr, count * 4);
    for (let i = 0; i < count; i++) {
      const d = (first + i) * 3;
      dac[d] = table[i * 4 + 2] & 0x3f;
      dac[d + 1] = table[i * 4 + 1] & 0x3f;
      dac[d + 2] = table[i * 4] & 0x3f;
    }
    this.vga.touch();
    return 0;
  }
}
