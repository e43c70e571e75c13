/**
 * The video BIOS of VVGA: INT 10h as an IBM VGA BIOS answers it, on the VgaCore's registers and planes.
 *
 * - Mode set (AH=00h) programs every register from the mode table (modes.ts), loads the DAC and, in text
 *   modes, the font into plane 2; the BIOS data area (40:49h-66h, 40:84h-8Ah) follows. 350-line text
 *   (AX=1201h BL=30h) and the 8x8 / 8x14 / 8x16 fonts (AX=11xxh) give 80x43, 80x28 and 80x50.
 * - Text services (cursor, scroll, characters, teletype, write string) work in every mode: in text modes on
 *   the character/attribute planes, in graphics modes by drawing glyphs from the INT 43h font, as a VGA
 *   BIOS does (colour bit 7 XORs outside the 256-colour mode).
 * - Pixels (AH=0Ch/0Dh) in the CGA, planar and 256-colour modes; palette and DAC (AH=10h); character
 *   generator (AH=11h); alternate select (AH=12h); display combination (AH=1Ah); state (AH=1Bh, 1Ch).
 * - AH=4Fh is the VESA BIOS extension (vbe.ts). In a VBE mode (kind 'vbe', BDA mode byte FFh) the text and
 *   pixel services work on the SVGA's memory as in mode 13h: a colour is a whole byte, never XORed; in the
 *   direct-colour modes it is drawn as the colour its DAC entry holds. A VGA mode set (AH=00h) disables the
 *   SVGA.
 *
 * The BIOS touches the planes directly (what its own routines would do through the graphics controller),
 * so a program's leftover graphics controller settings do not disturb it; after each change it calls
 * `vga.touch()` so the renderer sees it.
 */
import type { Vdh } from '../../main/vmm/vdh.js';
import { dacTable, MODES, text350, type VideoMode } from './modes.js';
import { bytesPerPixel, type SvgaCore } from './svga.js';
import { PLANE_SIZE, type VgaCore } from './vga.js';

const BDA = 0x400;
const BDA_MODE = BDA + 0x49;
const BDA_COLUMNS = BDA + 0x4a;
const BDA_PAGE_SIZE = BDA + 0x4c;
const BDA_PAGE_START = BDA + 0x4e;
const BDA_CURSOR_POS = BDA + 0x50;
const BDA_CURSOR_SHAPE = BDA + 0x60;
const BDA_ACTIVE_PAGE = BDA + 0x62;
const BDA_CRTC_BASE = BDA + 0x63;
const BDA_MODE_SELECT = BDA + 0x65;
const BDA_PALETTE = BDA + 0x66;
const BDA_ROWS = BDA + 0x84;
const BDA_CHAR_HEIGHT = BDA + 0x85;
const BDA_EGA_MISC = BDA + 0x87;
const BDA_EGA_SWITCHES = BDA + 0x88;
const BDA_VGA_FLAGS = BDA + 0x89;
const BDA_DCC = BDA + 0x8a;

/** 40:89h bits: 400 lines (bit 4) / 200 lines (bit 7), default palette loading off (3), grey summing (1). */
const FLAG_400 = 0x10;
const FLAG_200 = 0x80;
const FLAG_NO_DEFAULT_PALETTE = 0x08;
const FLAG_GREY = 0x02;
/** 40:87h bit 0: cursor emulation off; bit 7: the last mode set kept memory. */
const MISC_NO_CURSOR_EMULATION = 0x01;

const CURSOR_OFF = 0x20;

/** The BDA mode byte in a VBE mode (what SeaVGABIOS writes): no VGA mode, graphics. */
const BDA_MODE_VBE = 0xff;

/** Where the video ROM keeps its tables and fonts (offsets in segment C000h), built by vvga.ts. */
export interface VideoRomLayout {
  segment: number;
  font8: number;
  font14: number;
  font16: number;
  /** An empty alternate-font table (9x14 / 9x16 fix-ups: none, all glyphs are 8 wide). */
  alternate: number;
  functionality: number;
  /** The VESA BIOS extension's strings, mode list and window function (vbe.ts: vbeRomArea). */
  vbe: number;
}

/** Font block base in plane 2: blocks 0-3 at 16 KiB steps, 4-7 in between (8 KiB offset). */
function blockBase(block: number): number {
  return ((block & 3) << 14) | ((block & 4) << 11);
}

export interface VideoBiosHooks {
  /** A character went out through the teletype (AH=0Eh, AH=13h, the DOS console). */
  tty(ch: number): void;
  beep(): void;
  modeChanged(): void;
}

export class VideoBios {
  mode: VideoMode = MODES.get(0x03)!;
  columns = 80;
  rows = 25;
  charHeight = 16;
  pageSize = 0x1000;
  /** The VESA BIOS extension, which serves AH=4Fh (vbe.ts; set by vvga.ts). */
  vbe: { int10(): void } | undefined;
  private readonly fonts: { 8: Uint8Array; 14: Uint8Array; 16: Uint8Array };
  private readonly logged = new Set<string>();

  constructor(
    private readonly vdh: Vdh,
    private readonly vga: VgaCore,
    private readonly svga: SvgaCore,
    private readonly rom: VideoRomLayout,
    fonts: { 8: Uint8Array; 14: Uint8Array; 16: Uint8Array },
    private readonly hooks: VideoBiosHooks,
  ) {
    this.fonts = fonts;
  }

  isText(): boolean {
    return this.mode.kind === 'text';
  }

  /** The power-on state: 400-line scanning, mode 03h, the font vectors, the SVGA off. */
  post(): void {
    const vdh = this.vdh;
    vdh.writeByte(BDA_VGA_FLAGS, 0x11 | FLAG_400);
    vdh.writeByte(BDA_EGA_MISC, 0x60);
    vdh.writeByte(BDA_EGA_SWITCHES, 0x09);
    vdh.writeByte(BDA_DCC, 0x08);
    this.setVector(0x1f, this.rom.segment, this.rom.font8 + 128 * 8);
    this.setVector(0x43, this.rom.segment, this.rom.font8);
    this.vga.reset();
    this.svga.reset();
    this.setMode(0x03);
  }

  private setVector(v: number, seg: number, off: number): void {
    this.vdh.writeWord(v * 4, off);
    this.vdh.writeWord(v * 4 + 2, seg);
  }

  private logOnce(key: string, message: string): void {
    if (this.logged.has(key)) return;
    this.logged.add(key);
    this.vdh.log(message);
  }

  // ------------------------------------------------------------------------------------------- modes

  setMode(request: number): void {
    const number = request & 0x7f;
    const keep = (request & 0x80) !== 0;
    let mode = MODES.get(number);
    if (!mode) {
      this.logOnce(`mode ${number}`, `VVGA: INT 10h AH=00h: mode ${hex2(number)} is not supported`);
      return;
    }
    const flags = this.vdh.readByte(BDA_VGA_FLAGS);
    if (mode.kind === 'text' && !(flags & FLAG_400) && !(flags & FLAG_200)) mode = text350(mode);
    this.svga.disable();
    this.enterMode(mode, number, keep);
  }

  /**
   * Enter a VBE mode whose SVGA registers vbe.ts has set: the VGA gets mode 13h's registers (`mode.regs`, a
   * 256-colour graphics state, as Bochs's BIOS leaves it), the default 256-colour DAC, and the BIOS data
   * area and services follow the mode.
   */
  setVbeMode(mode: VideoMode, keep: boolean): void {
    this.enterMode(mode, BDA_MODE_VBE, keep);
  }

  /** Take `mode` as the BIOS's current mode without touching the hardware (a state restore). */
  adoptMode(mode: VideoMode): void {
    this.mode = mode;
    this.columns = this.vdh.readWord(BDA_COLUMNS);
    this.rows = this.vdh.readByte(BDA_ROWS) + 1;
    this.charHeight = this.vdh.readWord(BDA_CHAR_HEIGHT);
    this.pageSize = this.vdh.readWord(BDA_PAGE_SIZE);
  }

  private enterMode(mode: VideoMode, number: number, keep: boolean): void {
    const vdh = this.vdh;
    const flags = vdh.readByte(BDA_VGA_FLAGS);
    this.mode = mode;
    this.columns = mode.columns;
    this.charHeight = mode.charHeight;
    this.rows = mode.rows;
    this.programRegisters(mode);
    if (!(flags & FLAG_NO_DEFAULT_PALETTE)) this.loadDac(dacTable(mode.dac), 0, 256);

    const vram = this.vga.vram;
    if (mode.kind === 'text') {
      if (!keep) {
        vram.fill(0x20, 0, PLANE_SIZE);
        vram.fill(0x07, PLANE_SIZE, 2 * PLANE_SIZE);
      }
      this.loadFont(this.fontFor(mode.charHeight), mode.charHeight, 0, 256, 0);
    } else if (!keep) vram.fill(0);
    this.pageSize = this.textPageSize();

    vdh.writeByte(BDA_MODE, number);
    vdh.writeWord(BDA_COLUMNS, this.columns);
    vdh.writeWord(BDA_PAGE_START, 0);
    for (let p = 0; p < 8; p++) vdh.writeWord(BDA_CURSOR_POS + 2 * p, 0);
    vdh.writeByte(BDA_ACTIVE_PAGE, 0);
    vdh.writeWord(BDA_CRTC_BASE, mode.mono ? 0x3b4 : 0x3d4);
    vdh.writeByte(BDA_MODE_SELECT, mode.modeSelect);
    vdh.writeByte(BDA_PALETTE, number === 0x06 ? 0x3f : 0x30);
    vdh.writeByte(BDA_EGA_MISC, (vdh.readByte(BDA_EGA_MISC) & 0x7f) | (keep ? 0x80 : 0));
    this.writeRowsToBda();
    if (mode.kind === 'text') this.setCursorShape(mode.mono ? 0x0b : 0x06, mode.mono ? 0x0c : 0x07);
    else {
      vdh.writeWord(BDA_CURSOR_SHAPE, 0x0607);
      const font = mode.charHeight === 8 ? this.rom.font8 : mode.charHeight === 14 ? this.rom.font14 : this.rom.font16;
      this.setVector(0x43, this.rom.segment, font);
    }
    this.vga.touch();
    this.hooks.modeChanged();
  }

  private programRegisters(mode: VideoMode): void {
    const vga = this.vga;
    const r = mode.regs;
    vga.misc = r.misc;
    vga.seq[0] = 0x03;
    for (let i = 0; i < 4; i++) vga.seq[i + 1] = r.seq[i];
    vga.crtc.set(r.crtc);
    vga.gc.set(r.gc);
    vga.ac.fill(0);
    vga.ac.set(r.ac);
    vga.acIndex = 0x20;
    vga.acFlipFlop = false;
    vga.pelMask = 0xff;
    vga.touch();
  }

  private fontFor(height: number): Uint8Array {
    return height <= 8 ? this.fonts[8] : height <= 14 ? this.fonts[14] : this.fonts[16];
  }

  /** Glyphs into plane 2: `count` glyphs of `height` rows from `first`, into character block `block`. */
  private loadFont(font: Uint8Array, height: number, first: number, count: number, block: number): void {
    const vram = this.vga.vram;
    const base = 2 * PLANE_SIZE + blockBase(block);
    for (let i = 0; i < count; i++) {
      const code = (first + i) & 0xff;
      const at = base + code * 32;
      vram.fill(0, at, at + 32);
      vram.set(font.subarray(i * height, i * height + Math.min(height, 32)), at);
    }
    this.vga.touch();
  }

  private loadDac(table: Uint8Array, first: number, count: number): void {
    const grey = (this.vdh.readByte(BDA_VGA_FLAGS) & FLAG_GREY) !== 0;
    for (let i = 0; i < count; i++) {
      const d = ((first + i) & 0xff) * 3;
      let r = table[i * 3] & 0x3f;
      let g = table[i * 3 + 1] & 0x3f;
      let b = table[i * 3 + 2] & 0x3f;
      if (grey) r = g = b = greyOf(r, g, b);
      this.vga.dac[d] = r;
      this.vga.dac[d + 1] = g;
      this.vga.dac[d + 2] = b;
    }
    this.vga.touch();
  }

  private textPageSize(): number {
    if (this.mode.kind !== 'text') return this.mode.pageSize;
    return (this.columns * this.rows * 2 + 0xff) & ~0xff;
  }

  private pages(): number {
    if (this.mode.kind !== 'text') return this.mode.pages;
    return Math.min(8, Math.floor(0x8000 / this.pageSize));
  }

  private writeRowsToBda(): void {
    const vdh = this.vdh;
    vdh.writeWord(BDA_PAGE_SIZE, this.pageSize);
    vdh.writeByte(BDA_ROWS, this.rows - 1);
    vdh.writeWord(BDA_CHAR_HEIGHT, this.charHeight);
  }

  /** AX=1110h/1111h/1112h/1114h: a text font of `height` rows; the rows follow from the scan lines. */
  private setTextFont(height: number): void {
    const cr = this.vga.crtc;
    const scanLines = this.mode.height;
    this.charHeight = height;
    this.rows = Math.floor(scanLines / height);
    cr[0x09] = (cr[0x09] & 0xe0) | ((height - 1) & 0x1f);
    const end = this.rows * height - 1;
    cr[0x12] = end & 0xff;
    cr[0x07] = (cr[0x07] & ~0x42) | ((end >> 7) & 0x02) | ((end >> 3) & 0x40);
    if (this.mode.mono) cr[0x14] = height - 1;
    this.pageSize = this.textPageSize();
    this.writeRowsToBda();
    const vdh = this.vdh;
    vdh.writeByte(BDA_ACTIVE_PAGE, 0);
    vdh.writeWord(BDA_PAGE_START, 0);
    this.setStartAddress(0);
    for (let p = 0; p < 8; p++) {
      const pos = vdh.readWord(BDA_CURSOR_POS + 2 * p);
      if (pos >> 8 >= this.rows) vdh.writeWord(BDA_CURSOR_POS + 2 * p, ((this.rows - 1) << 8) | (pos & 0xff));
    }
    this.setCursorShape(0x06, 0x07);
    this.updateCrtcCursor(0);
    this.vga.touch();
    this.hooks.modeChanged();
  }

  // ------------------------------------------------------------------------------------------ cursor

  activePage(): number {
    return this.vdh.readByte(BDA_ACTIVE_PAGE) & 7;
  }

  cursor(page: number): { row: number; col: number } {
    const w = this.vdh.readWord(BDA_CURSOR_POS + 2 * (page & 7));
    return { row: w >> 8, col: w & 0xff };
  }

  setCursor(page: number, row: number, col: number): void {
    this.vdh.writeWord(BDA_CURSOR_POS + 2 * (page & 7), ((row & 0xff) << 8) | (col & 0xff));
    if ((page & 7) === this.activePage()) this.updateCrtcCursor(page);
  }

  private updateCrtcCursor(page: number): void {
    if (!this.isText()) return;
    const { row, col } = this.cursor(page);
    const location = ((page * this.pageSize) >> 1) + row * this.columns + col;
    this.vga.crtc[0x0e] = (location >> 8) & 0xff;
    this.vga.crtc[0x0f] = location & 0xff;
    this.vga.touch();
  }

  private setStartAddress(address: number): void {
    this.vga.crtc[0x0c] = (address >> 8) & 0xff;
    this.vga.crtc[0x0d] = address & 0xff;
    this.vga.touch();
  }

  /**
   * AH=01h: 40:60h keeps the caller's CGA-style shape; the CRTC gets it scaled to the cell height (the VGA
   * BIOS's cursor emulation, unless 40:87h bit 0 turns it off), so 0607h is an underline in a 16-line cell.
   */
  private setCursorShape(start: number, end: number): void {
    this.vdh.writeWord(BDA_CURSOR_SHAPE, ((start & 0xff) << 8) | (end & 0xff));
    if (!this.isText()) return;
    const off = (start & 0x60) === 0x20 ? CURSOR_OFF : 0;
    let s = start & 0x1f;
    let e = end & 0x1f;
    const h = this.charHeight;
    const emulate = !(this.vdh.readByte(BDA_EGA_MISC) & MISC_NO_CURSOR_EMULATION);
    if (emulate && !off && h > 8 && s <= 7 && e <= 7 && s <= e) {
      if (e >= 6) {
        // An underline-type cursor stays at the bottom of the taller cell.
        const bottom = h - 2 - (7 - e);
        s = s >= 4 ? bottom - (e - s) : Math.floor((s * h) / 8);
        e = bottom;
      } else {
        s = Math.floor((s * h) / 8);
        e = Math.floor(((e + 1) * h) / 8) - 1;
      }
    }
    const cr = this.vga.crtc;
    cr[0x0a] = (cr[0x0a] & 0xc0) | off | s;
    cr[0x0b] = (cr[0x0b] & 0xe0) | e;
    this.vga.touch();
  }

  // ------------------------------------------------------------------------------- text-mode memory

  /** Offset of a cell in the character plane (plane 0; its attribute is at the same offset in plane 1). */
  private cellOffset(page: number, row: number, col: number): number {
    return ((page & 7) * this.pageSize + (row * this.columns + col) * 2) & 0x7ffe;
  }

  readCell(page: number, row: number, col: number): { ch: number; attr: number } {
    if (!this.isText()) return { ch: this.graphicsCharAt(page, row, col), attr: 0 };
    const o = this.cellOffset(page, row, col);
    return { ch: this.vga.vram[o], attr: this.vga.vram[PLANE_SIZE + o] };
  }

  /** One cell: a character and, unless undefined, its attribute (in graphics modes: a glyph in colour `attr`). */
  writeCell(page: number, row: number, col: number, ch: number, attr?: number): void {
    if (!this.isText()) {
      this.drawGlyph(page, row, col, ch, attr ?? 0x0f);
      return;
    }
    const o = this.cellOffset(page, row, col);
    this.vga.vram[o] = ch & 0xff;
    if (attr !== undefined) this.vga.vram[PLANE_SIZE + o] = attr & 0xff;
    this.vga.touch();
  }

  /** Scroll a window (rows top..bottom, columns left..right) up (lines > 0) or down (lines < 0); 0 clears. */
  scroll(page: number, lines: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    bottom = Math.min(bottom, this.rows - 1);
    right = Math.min(right, this.columns - 1);
    if (top > bottom || left > right) return;
    const height = bottom - top + 1;
    const count = lines === 0 || Math.abs(lines) >= height ? height : Math.abs(lines);
    const up = lines >= 0;
    if (!this.isText()) {
      this.scrollGraphics(page, up, count, attr, top, left, bottom, right);
      return;
    }
    const vram = this.vga.vram;
    const width = (right - left + 1) * 2;
    for (let i = 0; i < height; i++) {
      const row = up ? top + i : bottom - i;
      const from = up ? row + count : row - count;
      const dst = this.cellOffset(page, row, left);
      if (up ? from <= bottom : from >= top) {
        const src = this.cellOffset(page, from, left);
        vram.copyWithin(dst, src, src + width);
        vram.copyWithin(PLANE_SIZE + dst, PLANE_SIZE + src, PLANE_SIZE + src + width);
      } else {
        for (let k = 0; k < width; k += 2) {
          vram[dst + k] = 0x20;
          vram[PLANE_SIZE + dst + k] = attr;
        }
      }
    }
    this.vga.touch();
  }

  // -------------------------------------------------------------------------------- graphics memory

  /** The colour of a pixel (AH=0Dh). */
  readPixel(page: number, x: number, y: number): number {
    const m = this.mode;
    const vram = this.vga.vram;
    if (x < 0 || y < 0 || x >= m.width || y >= m.height) return 0;
    switch (m.kind) {
      case 'cga4': {
        const o = (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 2);
        return (vram[(o & 1) * PLANE_SIZE + (o & 0xfffe)] >> (6 - 2 * (x & 3))) & 3;
      }
      case 'cga2': {
        const o = (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 3);
        return (vram[o] >> (7 - (x & 7))) & 1;
      }
      case 'planar': {
        const o = (page * m.pageSize + y * (m.width >> 3) + (x >> 3)) & 0xffff;
        const bit = 7 - (x & 7);
        let c = 0;
        for (let p = 0; p < 4; p++) c |= ((vram[p * PLANE_SIZE + o] >> bit) & 1) << p;
        return c;
      }
      case 'linear': {
        const n = y * m.width + x;
        return vram[(n & 3) * PLANE_SIZE + (n & 0xfffc)];
      }
      case 'vbe':
        return this.readSvgaPixel(x, y);
      default:
        return 0;
    }
  }

  /** A VBE mode's pixel as a colour number: the byte at 8 bpp, else the DAC entry drawn there, else its low byte. */
  private readSvgaPixel(x: number, y: number): number {
    const svga = this.svga;
    const value = svga.pixelAt(x, y);
    if (svga.bpp === 8 || value === 0) return value;
    for (let i = 0; i < 256; i++) if (this.dacColour(i) === value) return i;
    return value & 0xff;
  }

  /** DAC entry `index` as a pixel of the current direct-colour VBE mode. */
  private dacColour(index: number): number {
    const dac = this.vga.dac;
    const eight = (v: number) => ((v & 0x3f) << 2) | ((v & 0x3f) >> 4);
    return this.svga.encodeColour(eight(dac[index * 3]), eight(dac[index * 3 + 1]), eight(dac[index * 3 + 2]));
  }

  /** A colour number as a pixel of the current VBE mode. */
  private svgaPixel(colour: number): number {
    return this.svga.bpp === 8 ? colour & 0xff : this.dacColour(colour & 0xff);
  }

  /** Colours are whole bytes, never XORed (mode 13h and the VBE modes). */
  private byteColours(): boolean {
    return this.mode.kind === 'linear' || this.mode.kind === 'vbe';
  }

  /** Set a pixel (AH=0Ch): bit 7 of the colour XORs it in, except in the 256-colour mode. */
  writePixel(page: number, x: number, y: number, colour: number): void {
    const m = this.mode;
    const vram = this.vga.vram;
    if (x < 0 || y < 0 || x >= m.width || y >= m.height) return;
    const xor = (colour & 0x80) !== 0 && !this.byteColours();
    switch (m.kind) {
      case 'cga4': {
        const o = (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 2);
        const a = (o & 1) * PLANE_SIZE + (o & 0xfffe);
        const shift = 6 - 2 * (x & 3);
        const c = (colour & 3) << shift;
        vram[a] = xor ? vram[a] ^ c : (vram[a] & ~(3 << shift)) | c;
        break;
      }
      case 'cga2': {
        const o = (y & 1) * 0x2000 + (y >> 1) * 80 + (x >> 3);
        const bit = 0x80 >> (x & 7);
        const c = colour & 1 ? bit : 0;
        vram[o] = xor ? vram[o] ^ c : (vram[o] & ~bit) | c;
        break;
      }
      case 'planar': {
        const o = (page * m.pageSize + y * (m.width >> 3) + (x >> 3)) & 0xffff;
        const bit = 0x80 >> (x & 7);
        for (let p = 0; p < 4; p++) {
          const a = p * PLANE_SIZE + o;
          const c = colour & (1 << p) ? bit : 0;
          vram[a] = xor ? vram[a] ^ c : (vram[a] & ~bit) | c;
        }
        break;
      }
      case 'linear': {
        const n = y * m.width + x;
        vram[(n & 3) * PLANE_SIZE + (n & 0xfffc)] = colour & 0xff;
        break;
      }
      case 'vbe':
        this.svga.setPixelAt(x, y, this.svgaPixel(colour));
        return;
      default:
        return;
    }
    this.vga.touch();
  }

  /** The INT 43h font's glyph of `ch` (the vector a program may have pointed at its own font). */
  private glyph(ch: number): Uint8Array {
    const off = this.vdh.readWord(0x43 * 4);
    const seg = this.vdh.readWord(0x43 * 4 + 2);
    const h = this.charHeight;
    return this.vdh.readGuest(((seg << 4) + off + (ch & 0xff) * h) & 0xfffff, h);
  }

  /** A character in a graphics mode: foreground `attr` on background 0 (or XORed in with attr bit 7). */
  private drawGlyph(page: number, row: number, col: number, ch: number, attr: number): void {
    if (row >= this.rows || col >= this.columns) return;
    const rows = this.glyph(ch);
    const h = this.charHeight;
    const xor = (attr & 0x80) !== 0 && !this.byteColours();
    const fg = this.byteColours() ? attr & 0xff : attr & 0x7f;
    for (let y = 0; y < h; y++) {
      const bits = rows[y];
      for (let x = 0; x < 8; x++) {
        const on = (bits >> (7 - x)) & 1;
        if (xor) {
          if (on) this.writePixel(page, col * 8 + x, row * h + y, 0x80 | fg);
        } else this.writePixel(page, col * 8 + x, row * h + y, on ? fg : 0);
      }
    }
  }

  /** AH=08h in graphics: the character whose glyph matches the cell's set pixels, or 0. */
  private graphicsCharAt(page: number, row: number, col: number): number {
    const h = this.charHeight;
    const cell = new Uint8Array(h);
    for (let y = 0; y < h; y++) {
      let bits = 0;
      for (let x = 0; x < 8; x++) if (this.readPixel(page, col * 8 + x, row * h + y)) bits |= 0x80 >> x;
      cell[y] = bits;
    }
    for (let ch = 0; ch < 256; ch++) {
      const g = this.glyph(ch);
      let same = true;
      for (let y = 0; y < h && same; y++) same = g[y] === cell[y];
      if (same) return ch;
    }
    return 0;
  }

  private scrollGraphics(page: number, up: boolean, count: number, attr: number, top: number, left: number, bottom: number, right: number): void {
    const h = this.charHeight;
    const x0 = left * 8;
    const x1 = (right + 1) * 8;
    const y0 = top * h;
    const y1 = (bottom + 1) * h;
    const shift = count * h;
    const fill = this.byteColours() ? attr & 0xff : attr & 0x0f;
    if (this.mode.kind === 'vbe') {
      // Whole lines of the SVGA's memory at a time (a per-pixel copy of 1024x768 would crawl).
      const svga = this.svga;
      const bytes = bytesPerPixel(svga.bpp);
      const lines = Math.max(0, y1 - y0 - shift);
      if (lines > 0) svga.copyLines(up ? y0 + shift : y0, up ? y0 : y0 + shift, lines, x0 * bytes, (x1 - x0) * bytes);
      const cleared = Math.min(shift, y1 - y0);
      svga.fillRect(x0, up ? y1 - cleared : y0, x1 - x0, cleared, this.svgaPixel(fill));
      return;
    }
    for (let i = 0; i < y1 - y0; i++) {
      const y = up ? y0 + i : y1 - 1 - i;
      const from = up ? y + shift : y - shift;
      const inside = up ? from < y1 : from >= y0;
      for (let x = x0; x < x1; x++) this.writePixel(page, x, y, inside ? this.readPixel(page, x, from) : fill);
    }
  }

  // ------------------------------------------------------------------------------------ teletype

  /** Teletype output of one character on `page` (AH=0Eh, AH=13h's control characters, the DOS console). */
  teletype(page: number, ch: number, attr?: number): void {
    this.hooks.tty(ch);
    let { row, col } = this.cursor(page);
    switch (ch) {
      case 0x07:
        this.hooks.beep();
        return;
      case 0x08:
        if (col > 0) col--;
        break;
      case 0x0a:
        row++;
        break;
      case 0x0d:
        col = 0;
        break;
      default:
        this.writeCell(page, row, col, ch, this.isText() ? attr : (attr ?? 0x0f));
        if (++col >= this.columns) {
          col = 0;
          row++;
        }
    }
    if (row >= this.rows) {
      row = this.rows - 1;
      // Like the BIOS: the new line takes the attribute of the cell at the cursor (background 0 in graphics).
      const fill = this.isText() ? this.readCell(page, row, col).attr : 0;
      this.scroll(page, 1, fill, 0, 0, this.rows - 1, this.columns - 1);
    }
    this.setCursor(page, row, col);
  }

  /** AH=09h/0Ah: `count` copies from the cursor on, the cursor unmoved, clipped to the page. */
  private writeRepeated(page: number, ch: number, attr: number | undefined, count: number): void {
    const { row, col } = this.cursor(page);
    const first = row * this.columns + col;
    const end = Math.min(first + count, this.rows * this.columns);
    for (let i = first; i < end; i++) this.writeCell(page, Math.floor(i / this.columns), i % this.columns, ch, attr);
  }

  /** Clear the active page and home the cursor (the DOS shell's CLS). */
  clear(): void {
    const page = this.activePage();
    this.scroll(page, 0, 0x07, 0, 0, this.rows - 1, this.columns - 1);
    this.setCursor(page, 0, 0);
  }

  // ------------------------------------------------------------------------------------------ INT 10h

  int10(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ax = r.eax & 0xffff;
    const ah = ax >> 8;
    const al = ax & 0xff;
    const bx = r.ebx & 0xffff;
    const bh = bx >> 8;
    const bl = bx & 0xff;
    const cx = r.ecx & 0xffff;
    const ch = cx >> 8;
    const cl = cx & 0xff;
    const dx = r.edx & 0xffff;
    const dh = dx >> 8;
    const dl = dx & 0xff;
    const setAx = (v: number) => vdh.setRegisters({ eax: (r.eax & ~0xffff) | (v & 0xffff) });
    const setAl = (v: number) => setAx((ax & 0xff00) | (v & 0xff));
    const setBx = (v: number) => vdh.setRegisters({ ebx: (r.ebx & ~0xffff) | (v & 0xffff) });
    const setCx = (v: number) => vdh.setRegisters({ ecx: (r.ecx & ~0xffff) | (v & 0xffff) });
    const setDx = (v: number) => vdh.setRegisters({ edx: (r.edx & ~0xffff) | (v & 0xffff) });
    const unknown = () => this.logOnce(`${ah}:${al}`, `VVGA: INT 10h AX=${hex4(ax)} is not supported`);
    const es = (offset: number) => ((r.es << 4) + (offset & 0xffff)) & 0xfffff;

    switch (ah) {
      case 0x00:
        this.setMode(al);
        return;
      case 0x01:
        this.setCursorShape(ch, cl);
        return;
      case 0x02:
        this.setCursor(bh & 7, dh, dl);
        return;
      case 0x03: {
        const c = this.cursor(bh & 7);
        setDx((c.row << 8) | c.col);
        setCx(vdh.readWord(BDA_CURSOR_SHAPE));
        return;
      }
      case 0x04:
        setAx(ax & 0x00ff); // no light pen
        return;
      case 0x05: {
        if (al >= this.pages()) return;
        const start = al * this.pageSize;
        vdh.writeByte(BDA_ACTIVE_PAGE, al);
        vdh.writeWord(BDA_PAGE_START, start);
        // Word-mode text counts the start address in words, the planar modes in bytes.
        this.setStartAddress(this.isText() ? start >> 1 : start);
        this.updateCrtcCursor(al);
        return;
      }
      case 0x06:
      case 0x07:
        this.scroll(this.activePage(), ah === 0x06 ? al : -al, bh, ch, cl, dh, dl);
        return;
      case 0x08: {
        const c = this.cursor(bh & 7);
        const cell = this.readCell(bh & 7, c.row, c.col);
        setAx((cell.attr << 8) | cell.ch);
        return;
      }
      case 0x09:
        this.writeRepeated(bh & 7, al, bl, cx);
        return;
      case 0x0a:
        this.writeRepeated(bh & 7, al, this.isText() ? undefined : bl, cx);
        return;
      case 0x0b:
        this.cgaPalette(bh, bl);
        return;
      case 0x0c:
        this.writePixel(bh & 7, cx, dx, al);
        return;
      case 0x0d:
        setAl(this.readPixel(bh & 7, cx, dx));
        return;
      case 0x0e:
        this.teletype(this.activePage(), al, this.isText() ? undefined : bl);
        return;
      case 0x0f:
        setAx((this.columns << 8) | vdh.readByte(BDA_MODE) | (vdh.readByte(BDA_EGA_MISC) & 0x80));
        setBx((this.activePage() << 8) | bl);
        return;
      case 0x10:
        this.palette(al, bl, bh, cx, dx, es(dx), setBx, setCx, setDx, unknown);
        return;
      case 0x11:
        this.characterGenerator(al, bl, bh, cx, dx, dl, r, unknown);
        return;
      case 0x12:
        this.alternateSelect(al, bl, setAl, setBx, setCx, unknown);
        return;
      case 0x13:
        this.writeString(al, bh & 7, bl, cx, dh, dl, es(r.ebp));
        return;
      case 0x1a:
        if (al === 0x00) {
          setAl(0x1a);
          setBx(vdh.readByte(BDA_DCC) || 0x08);
        } else if (al === 0x01) {
          vdh.writeByte(BDA_DCC, bl);
          setAl(0x1a);
        } else unknown();
        return;
      case 0x1b:
        if (bx !== 0x0000) {
          unknown();
          return;
        }
        this.writeStateTable(es(r.edi));
        setAl(0x1b);
        return;
      case 0x1c: {
        if (al > 2) return;
        const size = this.videoState(al, cx, es(bx));
        if (al === 0) setBx(Math.ceil(size / 64));
        setAl(0x1c);
        return;
      }
      case 0x4f:
        if (this.vbe) this.vbe.int10();
        else unknown();
        return;
      default:
        unknown();
    }
  }

  /** AH=0Bh: CGA background/border (BH=0) and palette (BH=1), through the attribute controller. */
  private cgaPalette(bh: number, bl: number): void {
    const vdh = this.vdh;
    const ac = this.vga.ac;
    let cga = vdh.readByte(BDA_PALETTE);
    if (bh === 0) {
      cga = (cga & 0xe0) | (bl & 0x1f);
      // IRGB in BL bits 0-3; in the CGA DAC table the intensity is bit 4 of the palette register.
      const colour = (bl & 0x07) | (bl & 0x08 ? 0x10 : 0);
      ac[0x11] = colour;
      if (!this.isText()) {
        ac[0] = colour;
        // The intensity bit picks the bright or normal set for colours 1-3.
        for (let i = 1; i < 4; i++) ac[i] = (ac[i] & 0xef) | (bl & 0x10);
      }
    } else if (bh === 1) {
      cga = (cga & 0xdf) | (bl & 1 ? 0x20 : 0);
      if (this.mode.kind === 'cga4') for (let i = 1; i < 4; i++) ac[i] = (ac[i] & 0x10) | (i * 2 + (bl & 1));
    }
    vdh.writeByte(BDA_PALETTE, cga);
    this.vga.touch();
  }

  /** AH=10h: palette registers and the DAC. */
  private palette(
    al: number,
    bl: number,
    bh: number,
    cx: number,
    dx: number,
    table: number,
    setBx: (v: number) => void,
    setCx: (v: number) => void,
    setDx: (v: number) => void,
    unknown: () => void,
  ): void {
    const vdh = this.vdh;
    const vga = this.vga;
    const ac = vga.ac;
    const bx = (bh << 8) | bl;
    switch (al) {
      case 0x00:
        if (bl < 0x14) ac[bl] = bh & 0x3f;
        break;
      case 0x01:
        ac[0x11] = bh;
        break;
      case 0x02: {
        const bytes = vdh.readGuest(table, 17);
        for (let i = 0; i < 16; i++) ac[i] = bytes[i] & 0x3f;
        ac[0x11] = bytes[16];
        break;
      }
      case 0x03:
        if (bl === 0) ac[0x10] &= ~0x08;
        else if (bl === 1) ac[0x10] |= 0x08;
        vdh.writeByte(BDA_MODE_SELECT, (vdh.readByte(BDA_MODE_SELECT) & ~0x20) | (ac[0x10] & 0x08 ? 0x20 : 0));
        break;
      case 0x07:
        if (bl < 0x14) setBx((ac[bl] << 8) | bl);
        return;
      case 0x08:
        setBx((ac[0x11] << 8) | bl);
        return;
      case 0x09: {
        const bytes = new Uint8Array(17);
        bytes.set(ac.subarray(0, 16));
        bytes[16] = ac[0x11];
        vdh.writeGuest(table, bytes);
        return;
      }
      case 0x10:
        this.loadDac(Uint8Array.of(dx >> 8, cx >> 8, cx & 0xff), bx & 0xff, 1);
        return;
      case 0x12: {
        const n = Math.min(cx, 256);
        this.loadDac(vdh.readGuest(table, n * 3), bx & 0xff, n);
        return;
      }
      case 0x13:
        // Colour paging: BL=0 selects 4 pages of 64 (BH=0) or 16 of 16 (BH=1); BL=1 selects page BH.
        if (bl === 0) ac[0x10] = (ac[0x10] & 0x7f) | (bh & 1 ? 0x80 : 0);
        else if (bl === 1) ac[0x14] = ac[0x10] & 0x80 ? bh & 0x0f : (bh << 2) & 0x0c;
        break;
      case 0x15: {
        const i = (bx & 0xff) * 3;
        setDx((vga.dac[i] << 8) | (dx & 0xff));
        setCx((vga.dac[i + 1] << 8) | vga.dac[i + 2]);
        return;
      }
      case 0x17: {
        const n = Math.min(cx, 256);
        const bytes = new Uint8Array(n * 3);
        for (let k = 0; k < n; k++) bytes.set(vga.dac.subarray(((bx + k) & 0xff) * 3, ((bx + k) & 0xff) * 3 + 3), k * 3);
        vdh.writeGuest(table, bytes);
        return;
      }
      case 0x18:
        vga.pelMask = bl;
        break;
      case 0x19:
        setBx((bh << 8) | vga.pelMask);
        return;
      case 0x1a:
        setBx(((ac[0x14] & 0x0f) << 8) | (ac[0x10] >> 7));
        return;
      case 0x1b: {
        const n = Math.min(cx, 256);
        for (let k = 0; k < n; k++) {
          const i = ((bx + k) & 0xff) * 3;
          const v = greyOf(vga.dac[i], vga.dac[i + 1], vga.dac[i + 2]);
          vga.dac[i] = vga.dac[i + 1] = vga.dac[i + 2] = v;
        }
        break;
      }
      default:
        unknown();
        return;
    }
    vga.touch();
  }

  /** AH=11h: fonts into plane 2, the font vectors, and font information. */
  private characterGenerator(
    al: number,
    bl: number,
    bh: number,
    cx: number,
    dx: number,
    dl: number,
    r: { es: number; ebp: number; ecx: number; edx: number },
    unknown: () => void,
  ): void {
    const vdh = this.vdh;
    const rom = this.rom;
    const text = this.isText();
    const romFont = (h: number) => (h === 8 ? rom.font8 : h === 14 ? rom.font14 : rom.font16);
    switch (al) {
      case 0x00:
      case 0x10: {
        // User font: CX glyphs of BH bytes from ES:BP, starting at DX, into block BL.
        if (!text) return;
        const height = bh || 16;
        const count = Math.min(cx, 256);
        const bytes = vdh.readGuest(((r.es << 4) + (r.ebp & 0xffff)) & 0xfffff, count * height);
        this.loadFont(bytes, height, dx & 0xff, count, bl & 7);
        if (al === 0x10) this.setTextFont(height);
        return;
      }
      case 0x01:
      case 0x02:
      case 0x04:
      case 0x11:
      case 0x12:
      case 0x14: {
        if (!text) return;
        const height = (al & 0x0f) === 1 ? 14 : (al & 0x0f) === 2 ? 8 : 16;
        this.loadFont(this.fontFor(height), height, 0, 256, bl & 7);
        if (al & 0x10) this.setTextFont(height);
        return;
      }
      case 0x03:
        // Block specifier: SR3 bits 0-1,4 (map B) and 2-3,5 (map A), as the caller packs them.
        this.vga.seq[3] = bl & 0x3f;
        this.vga.touch();
        return;
      case 0x20:
        this.setVector(0x1f, r.es, r.ebp & 0xffff);
        return;
      case 0x21:
      case 0x22:
      case 0x23:
      case 0x24: {
        // Graphics fonts: INT 43h, the cell height and the rows (BL: 0 = DL rows, 1 = 14, 2 = 25, 3 = 43).
        const height = al === 0x21 ? cx & 0xff : al === 0x22 ? 14 : al === 0x23 ? 8 : 16;
        if (al === 0x21) this.setVector(0x43, r.es, r.ebp & 0xffff);
        else this.setVector(0x43, rom.segment, romFont(height));
        const rows = bl === 0 ? dl : bl === 1 ? 14 : bl === 2 ? 25 : bl === 3 ? 43 : Math.floor(this.mode.height / height);
        this.charHeight = height;
        this.rows = Math.max(1, rows);
        this.writeRowsToBda();
        return;
      }
      case 0x30: {
        let seg = rom.segment;
        let off = 0;
        switch (bh) {
          case 0:
          case 1: {
            const v = bh === 0 ? 0x1f : 0x43;
            off = vdh.readWord(v * 4);
            seg = vdh.readWord(v * 4 + 2);
            break;
          }
          case 2:
            off = rom.font14;
            break;
          case 3:
            off = rom.font8;
            break;
          case 4:
            off = rom.font8 + 128 * 8;
            break;
          case 5:
          case 7:
            off = rom.alternate;
            break;
          case 6:
            off = rom.font16;
            break;
          default:
            seg = 0;
        }
        vdh.setRegisters({
          es: seg,
          ebp: (r.ebp & ~0xffff) | off,
          ecx: (r.ecx & ~0xffff) | vdh.readWord(BDA_CHAR_HEIGHT),
          edx: (r.edx & ~0xff) | (vdh.readByte(BDA_ROWS) & 0xff),
        });
        return;
      }
      default:
        unknown();
    }
  }

  /** AH=12h: alternate select. Answers AL=12h for the functions it supports. */
  private alternateSelect(
    al: number,
    bl: number,
    setAl: (v: number) => void,
    setBx: (v: number) => void,
    setCx: (v: number) => void,
    unknown: () => void,
  ): void {
    const vdh = this.vdh;
    const flags = vdh.readByte(BDA_VGA_FLAGS);
    switch (bl) {
      case 0x10:
        setBx(0x0003); // colour, 256 KiB
        setCx(0x0009); // feature bits 0, switches 9 (EGA+ colour)
        return;
      case 0x20:
        setAl(0x12); // alternate print screen: ours is the only one
        return;
      case 0x30: {
        if (al > 2) return;
        const lines = [FLAG_200, 0, FLAG_400][al];
        vdh.writeByte(BDA_VGA_FLAGS, (flags & ~(FLAG_200 | FLAG_400)) | lines);
        setAl(0x12);
        return;
      }
      case 0x31:
        vdh.writeByte(BDA_VGA_FLAGS, (flags & ~FLAG_NO_DEFAULT_PALETTE) | (al & 1 ? FLAG_NO_DEFAULT_PALETTE : 0));
        setAl(0x12);
        return;
      case 0x32:
        this.vga.misc = (this.vga.misc & ~0x02) | (al & 1 ? 0 : 0x02);
        this.vga.touch();
        setAl(0x12);
        return;
      case 0x33:
        vdh.writeByte(BDA_VGA_FLAGS, (flags & ~FLAG_GREY) | (al & 1 ? 0 : FLAG_GREY));
        setAl(0x12);
        return;
      case 0x34: {
        const misc = vdh.readByte(BDA_EGA_MISC);
        vdh.writeByte(BDA_EGA_MISC, (misc & ~MISC_NO_CURSOR_EMULATION) | (al & 1));
        setAl(0x12);
        return;
      }
      case 0x36:
        this.vga.seq[1] = (this.vga.seq[1] & ~0x20) | (al & 1 ? 0x20 : 0);
        this.vga.touch();
        setAl(0x12);
        return;
      default:
        unknown();
    }
  }

  /** AH=13h: write a string at DH,DL on page BH; AL bit 0 moves the cursor, bit 1 means char/attr pairs. */
  private writeString(al: number, page: number, bl: number, count: number, row: number, col: number, addr: number): void {
    if (al > 3) return;
    const withAttrs = (al & 2) !== 0;
    const bytes = this.vdh.readGuest(addr, count * (withAttrs ? 2 : 1));
    const saved = this.cursor(page);
    this.setCursor(page, row, col);
    for (let i = 0; i < count; i++) {
      const ch = withAttrs ? bytes[i * 2] : bytes[i];
      const attr = withAttrs ? bytes[i * 2 + 1] : bl;
      if (ch === 0x07 || ch === 0x08 || ch === 0x0a || ch === 0x0d) this.teletype(page, ch);
      else this.teletype(page, ch, attr);
    }
    if (!(al & 1)) this.setCursor(page, saved.row, saved.col);
  }

  /** AH=1Bh: the 40h-byte video state table. */
  private writeStateTable(addr: number): void {
    const vdh = this.vdh;
    const t = new Uint8Array(0x40);
    const word = (at: number, v: number) => {
      t[at] = v & 0xff;
      t[at + 1] = (v >> 8) & 0xff;
    };
    word(0x00, this.rom.functionality);
    word(0x02, this.rom.segment);
    t[0x04] = vdh.readByte(BDA_MODE);
    word(0x05, this.columns);
    word(0x07, this.pageSize);
    word(0x09, vdh.readWord(BDA_PAGE_START));
    t.set(vdh.readGuest(BDA_CURSOR_POS, 16), 0x0b);
    const shape = vdh.readWord(BDA_CURSOR_SHAPE);
    t[0x1b] = shape & 0xff;
    t[0x1c] = shape >> 8;
    t[0x1d] = this.activePage();
    word(0x1e, vdh.readWord(BDA_CRTC_BASE));
    t[0x20] = vdh.readByte(BDA_MODE_SELECT);
    t[0x21] = vdh.readByte(BDA_PALETTE);
    t[0x22] = this.rows;
    word(0x23, this.charHeight);
    t[0x25] = vdh.readByte(BDA_DCC) || 0x08;
    t[0x26] = 0x00;
    const m = this.mode;
    word(0x27, m.mono ? 0 : this.byteColours() ? 256 : m.kind === 'cga4' ? 4 : m.kind === 'cga2' ? 2 : 16);
    t[0x29] = this.pages();
    t[0x2a] = m.height >= 400 ? (m.height === 480 ? 3 : 2) : m.height === 350 ? 1 : 0;
    t[0x2b] = this.vga.seq[3] & 0x13 ? blockOf(this.vga.seq[3], false) : 0;
    t[0x2c] = blockOf(this.vga.seq[3], true);
    const flags = vdh.readByte(BDA_VGA_FLAGS);
    t[0x2d] = (this.vga.ac[0x10] & 0x08 ? 0x20 : 0) | (vdh.readByte(BDA_EGA_MISC) & MISC_NO_CURSOR_EMULATION ? 0 : 0x08) | (flags & 0x0f);
    t[0x31] = 0x03; // 256 KiB
    vdh.writeGuest(addr, t);
  }

  /**
   * AH=1Ch and VBE 4F04h: save (op 1) and restore (op 2) the hardware (`states` bit 0), BIOS data (bit 1)
   * and DAC (bit 2) state at `addr` in our own buffer layout; op 0 only measures. Returns the bytes the
   * states take.
   */
  videoState(op: number, states: number, addr: number): number {
    const parts = [
      { bit: 1, size: 128 },
      { bit: 2, size: 64 },
      { bit: 4, size: 800 },
    ];
    const vga = this.vga;
    const vdh = this.vdh;
    let size = 0;
    for (const p of parts) if (states & p.bit) size += p.size;
    if (op !== 1 && op !== 2) return size;
    let at = addr;
    for (const p of parts) {
      if (!(states & p.bit)) continue;
      if (op === 1) {
        const b = new Uint8Array(p.size);
        if (p.bit === 1) {
          b[0] = vga.misc;
          b.set(vga.seq, 1);
          b.set(vga.crtc, 8);
          b.set(vga.gc, 40);
          b.set(vga.ac, 56);
          b[80] = vga.seqIndex;
          b[81] = vga.crtcIndex;
          b[82] = vga.gcIndex;
          b[83] = vga.acIndex;
          b[84] = vga.pelMask;
        } else if (p.bit === 2) {
          b.set(vdh.readGuest(BDA_MODE, 0x1e), 0);
          b.set(vdh.readGuest(BDA_ROWS, 7), 0x20);
        } else {
          b.set(vga.dac, 0);
          b[768] = vga.dacWriteIndex;
        }
        vdh.writeGuest(at, b);
      } else {
        const b = vdh.readGuest(at, p.size);
        if (p.bit === 1) {
          vga.misc = b[0];
          vga.seq.set(b.subarray(1, 6));
          vga.crtc.set(b.subarray(8, 8 + 0x19));
          vga.gc.set(b.subarray(40, 49));
          vga.ac.set(b.subarray(56, 56 + 0x15));
          vga.seqIndex = b[80];
          vga.crtcIndex = b[81];
          vga.gcIndex = b[82];
          vga.acIndex = b[83] | 0x20;
          vga.pelMask = b[84];
        } else if (p.bit === 2) {
          vdh.writeGuest(BDA_MODE, b.subarray(0, 0x1e));
          vdh.writeGuest(BDA_ROWS, b.subarray(0x20, 0x27));
          const mode = b[0] === BDA_MODE_VBE ? undefined : MODES.get(b[0] & 0x7f);
          if (mode) this.adoptMode(mode);
        } else {
          vga.dac.set(b.subarray(0, 768));
          vga.dacWriteIndex = b[768];
        }
        vga.touch();
      }
      at += p.size;
    }
    return size;
  }
}

/** The font block number SR3 selects for map A (attribute bit 3 set) or map B. */
function blockOf(sr3: number, mapA: boolean): number {
  return mapA ? ((sr3 >> 2) & 3) | ((sr3 >> 3) & 4) : (sr3 & 3) | ((sr3 >> 2) & 4);
}

/** The IBM grey-summing weights: 30% red, 59% green, 11% blue. */
function greyOf(r: number, g: number, b: number): number {
  return Math.min(63, Math.round(0.3 * r + 0.59 * g + 0.11 * b));
}

function hex2(v: number): string {
  return v.toString(16).toUpperCase().padStart(2, '0') + 'h';
}

function hex4(v: number): string {
  return v.toString(16).toUpperCase().padStart(4, '0') + 'h';
}
