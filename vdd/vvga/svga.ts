/**
 * The SVGA half of VVGA's card: 8 MiB of linear video memory behind the Bochs "DISPI" register interface
 * that QEMU's and Bochs's standard VGA have, and that their VBE BIOSes (and ours, vbe.ts) drive.
 *
 * CONTRACT (shared by svga.ts, render.ts, bios.ts, vbe.ts and vvga.ts; keep the names):
 *  - Ports 1CEh (index) and 1CFh (data) are 16-bit; `portIn`/`portOut` take either width (a byte access
 *    reads the low byte and writes a value zero-extended).
 *  - The registers (DISPI.*): ID (B0C0h-B0C5h; B0C5h at reset), XRES and YRES (multiples of 8 up to
 *    MAX_XRES x MAX_YRES), BPP (8, 15, 16, 24, 32; 0 means 8), ENABLE, BANK (a 64 KiB bank of the memory in
 *    the A0000h window), VIRT_WIDTH (pixels a line holds, at least XRES), VIRT_HEIGHT (lines the memory
 *    holds at that width: read only), X_OFFSET and Y_OFFSET (the display start), VIDEO_MEMORY_64K (128,
 *    read only). XRES, YRES and BPP only change while the display is disabled, as on Bochs.
 *  - ENABLE: bit 0 enable (refused when the mode does not fit the memory), bit 1 GETCAPS (reads of XRES,
 *    YRES and BPP give the maxima), bit 6 linear frame buffer in use, bit 7 keep the memory (otherwise
 *    enabling clears it). Bit 5 (an 8-bit DAC) is ignored: the DAC stays 6 bits wide. Enabling resets the
 *    virtual width to XRES and the offsets and the bank to 0.
 *  - While enabled, the A0000h-AFFFFh window reads and writes `vram` at BANK × 64 KiB (`windowRead`/
 *    `windowWrite`; B0000h-BFFFFh floats) instead of the VGA planes, and the picture is made from `vram`
 *    (render.ts: renderSvga) instead of the VGA's CRTC. The linear frame buffer (`linearRead`/
 *    `linearWrite`, mapped by vvga.ts at LFB_BASE) reaches `vram` whether or not the display is enabled.
 *  - `version` increases on every change of memory or registers; the renderer skips a frame when it has not
 *    moved.
 *  - Pixels: 8 bpp are DAC indices; 15 bpp x:5:5:5 and 16 bpp 5:6:5 little-endian words (red high); 24 bpp
 *    bytes B, G, R; 32 bpp bytes B, G, R, unused.
 */

/** Bytes of video memory. */
export const SVGA_MEMORY = 8 << 20;
/** Where the linear frame buffer sits in the physical address space (Bochs's and QEMU's ISA address). */
export const LFB_BASE = 0xe000_0000;
export const MAX_XRES = 1600;
export const MAX_YRES = 1200;
export const MAX_BPP = 32;

const WINDOW_BASE = 0xa0000;
const WINDOW_SIZE = 0x10000;
const BANKS = SVGA_MEMORY / WINDOW_SIZE;

/** The DISPI register indices. */
export const DISPI = {
  ID: 0,
  XRES: 1,
  YRES: 2,
  BPP: 3,
  ENABLE: 4,
  BANK: 5,
  VIRT_WIDTH: 6,
  VIRT_HEIGHT: 7,
  X_OFFSET: 8,
  Y_OFFSET: 9,
  VIDEO_MEMORY_64K: 10,
} as const;

const REGISTERS = 11;
export const DISPI_ID0 = 0xb0c0;
export const DISPI_ID5 = 0xb0c5;

/** ENABLE bits. */
export const DISPI_ENABLED = 0x01;
export const DISPI_GETCAPS = 0x02;
export const DISPI_LFB_ENABLED = 0x40;
export const DISPI_NOCLEARMEM = 0x80;

const INDEX_PORT = 0x1ce;

/** Bytes a pixel of `bpp` bits takes in memory (15 bpp pixels are words). */
export function bytesPerPixel(bpp: number): number {
  return (bpp + 7) >> 3;
}

export class SvgaCore {
  readonly vram = new Uint8Array(SVGA_MEMORY);
  /** The registers as the program reads them back. */
  readonly regs = new Uint16Array(REGISTERS);
  index = 0;
  /** ENABLE bit 0, kept as a field for the memory window's test on every access. */
  enabled = false;
  version = 0;

  constructor() {
    this.reset();
  }

  /** The power-on state: disabled, 640x480x8, bank 0, the memory cleared. */
  reset(): void {
    this.vram.fill(0);
    this.regs.fill(0);
    this.regs[DISPI.ID] = DISPI_ID5;
    this.regs[DISPI.XRES] = 640;
    this.regs[DISPI.YRES] = 480;
    this.regs[DISPI.BPP] = 8;
    this.regs[DISPI.VIRT_WIDTH] = 640;
    this.regs[DISPI.VIDEO_MEMORY_64K] = BANKS;
    this.updateVirtualHeight();
    this.index = 0;
    this.enabled = false;
    this.version++;
  }

  get bpp(): number {
    return this.regs[DISPI.BPP];
  }

  get width(): number {
    return this.regs[DISPI.XRES];
  }

  get height(): number {
    return this.regs[DISPI.YRES];
  }

  /** Bytes from one line to the next: the virtual width in bytes. */
  get pitch(): number {
    return this.regs[DISPI.VIRT_WIDTH] * bytesPerPixel(this.bpp);
  }

  /** Where in `vram` the displayed picture starts (X_OFFSET, Y_OFFSET). */
  get displayStart(): number {
    return this.regs[DISPI.Y_OFFSET] * this.pitch + this.regs[DISPI.X_OFFSET] * bytesPerPixel(this.bpp);
  }

  // ------------------------------------------------------------------------------------------ ports

  portIn(port: number): number {
    return port === INDEX_PORT ? this.index : this.read(this.index);
  }

  portOut(port: number, value: number): void {
    if (port === INDEX_PORT) this.index = value & 0xffff;
    else this.write(this.index, value & 0xffff);
  }

  read(index: number): number {
    const caps = (this.regs[DISPI.ENABLE] & DISPI_GETCAPS) !== 0;
    switch (index) {
      case DISPI.XRES:
        return caps ? MAX_XRES : this.regs[index];
      case DISPI.YRES:
        return caps ? MAX_YRES : this.regs[index];
      case DISPI.BPP:
        return caps ? MAX_BPP : this.regs[index];
      default:
        return index < REGISTERS ? this.regs[index] : 0;
    }
  }

  write(index: number, value: number): void {
    const regs = this.regs;
    switch (index) {
      case DISPI.ID:
        if (value >= DISPI_ID0 && value <= DISPI_ID5) regs[index] = value;
        return;
      case DISPI.XRES:
        if (!this.enabled && value > 0 && value <= MAX_XRES && (value & 7) === 0) regs[index] = value;
        break;
      case DISPI.YRES:
        if (!this.enabled && value > 0 && value <= MAX_YRES) regs[index] = value;
        break;
      case DISPI.BPP:
        if (value === 0) value = 8;
        if (!this.enabled && (value === 8 || value === 15 || value === 16 || value === 24 || value === 32)) regs[index] = value;
        break;
      case DISPI.ENABLE:
        this.setEnable(value);
        break;
      case DISPI.BANK:
        if (value < BANKS) regs[index] = value;
        return; // the picture does not change
      case DISPI.VIRT_WIDTH:
        if (value >= this.width && value * bytesPerPixel(this.bpp) * this.height <= SVGA_MEMORY) {
          regs[index] = value;
          this.updateVirtualHeight();
        }
        break;
      case DISPI.X_OFFSET:
      case DISPI.Y_OFFSET:
        regs[index] = value;
        break;
      default:
        return; // VIRT_HEIGHT and VIDEO_MEMORY_64K are read only
    }
    this.version++;
  }

  /** The registers and the index, for a state save (VBE 4F04h). */
  saveRegisters(): Uint16Array {
    const saved = new Uint16Array(REGISTERS + 1);
    saved.set(this.regs);
    saved[REGISTERS] = this.index;
    return saved;
  }

  /** Registers saved by saveRegisters back, the memory kept whatever ENABLE says. */
  restoreRegisters(saved: Uint16Array): void {
    const regs = this.regs;
    this.write(DISPI.ENABLE, 0);
    this.write(DISPI.BPP, saved[DISPI.BPP]);
    this.write(DISPI.XRES, saved[DISPI.XRES]);
    this.write(DISPI.YRES, saved[DISPI.YRES]);
    this.write(DISPI.ENABLE, saved[DISPI.ENABLE] | DISPI_NOCLEARMEM);
    regs[DISPI.ENABLE] = saved[DISPI.ENABLE] & (DISPI_ENABLED | DISPI_GETCAPS | DISPI_LFB_ENABLED | DISPI_NOCLEARMEM);
    this.write(DISPI.VIRT_WIDTH, saved[DISPI.VIRT_WIDTH]);
    this.write(DISPI.X_OFFSET, saved[DISPI.X_OFFSET]);
    this.write(DISPI.Y_OFFSET, saved[DISPI.Y_OFFSET]);
    this.write(DISPI.BANK, saved[DISPI.BANK]);
    this.write(DISPI.ID, saved[DISPI.ID]);
    this.index = saved[REGISTERS];
  }

  /** Disable the display (a VGA mode set): the window and the picture go back to the VGA. */
  disable(): void {
    if (this.regs[DISPI.ENABLE] !== 0) this.write(DISPI.ENABLE, 0);
  }

  private setEnable(value: number): void {
    const regs = this.regs;
    const enable = (value & DISPI_ENABLED) !== 0;
    if (enable && !this.enabled) {
      const size = this.width * this.height * bytesPerPixel(this.bpp);
      if (size > SVGA_MEMORY) {
        regs[DISPI.ENABLE] = value & DISPI_GETCAPS;
        return;
      }
      regs[DISPI.VIRT_WIDTH] = this.width;
      regs[DISPI.X_OFFSET] = 0;
      regs[DISPI.Y_OFFSET] = 0;
      regs[DISPI.BANK] = 0;
      this.updateVirtualHeight();
      if (!(value & DISPI_NOCLEARMEM)) this.vram.fill(0);
    }
    this.enabled = enable;
    regs[DISPI.ENABLE] = value & (DISPI_ENABLED | DISPI_GETCAPS | DISPI_LFB_ENABLED | DISPI_NOCLEARMEM);
  }

  private updateVirtualHeight(): void {
    const pitch = this.pitch;
    this.regs[DISPI.VIRT_HEIGHT] = pitch > 0 ? Math.min(0xffff, Math.floor(SVGA_MEMORY / pitch)) : 0;
  }

  // ----------------------------------------------------------------------------------------- memory

  /** A read of the A0000h-BFFFFh window while enabled: the bank's byte (A0000h-AFFFFh) or a floating bus. */
  windowRead(addr: number): number {
    const off = addr - WINDOW_BASE;
    if (off >>> 0 >= WINDOW_SIZE) return 0xff;
    return this.vram[this.regs[DISPI.BANK] * WINDOW_SIZE + off];
  }

  windowWrite(addr: number, value: number): void {
    const off = addr - WINDOW_BASE;
    if (off >>> 0 >= WINDOW_SIZE) return;
    this.vram[this.regs[DISPI.BANK] * WINDOW_SIZE + off] = value;
    this.version++;
  }

  /** The linear frame buffer: byte `offset` of the memory (beyond it reads float). */
  linearRead(offset: number): number {
    return offset < SVGA_MEMORY ? this.vram[offset] : 0xff;
  }

  linearWrite(offset: number, value: number): void {
    if (offset >= SVGA_MEMORY) return;
    this.vram[offset] = value;
    this.version++;
  }

  // ------------------------------------------------------- pixels, for the BIOS's services (bios.ts)

  /** The pixel value at (x, y) of the memory (from offset 0, not the display start), in the mode's format. */
  pixelAt(x: number, y: number): number {
    const bytes = bytesPerPixel(this.bpp);
    const o = y * this.pitch + x * bytes;
    if (o + bytes > SVGA_MEMORY) return 0;
    const m = this.vram;
    if (bytes === 1) return m[o];
    if (bytes === 2) return m[o] | (m[o + 1] << 8);
    if (bytes === 3) return m[o] | (m[o + 1] << 8) | (m[o + 2] << 16);
    return (m[o] | (m[o + 1] << 8) | (m[o + 2] << 16) | (m[o + 3] << 24)) >>> 0;
  }

  setPixelAt(x: number, y: number, value: number): void {
    const bytes = bytesPerPixel(this.bpp);
    const o = y * this.pitch + x * bytes;
    if (o + bytes > SVGA_MEMORY) return;
    const m = this.vram;
    m[o] = value;
    if (bytes >= 2) m[o + 1] = value >> 8;
    if (bytes >= 3) m[o + 2] = value >> 16;
    if (bytes === 4) m[o + 3] = value >>> 24;
    this.version++;
  }

  /** The pixel value of an 8-bit-per-channel colour in the direct-colour format of the mode. */
  encodeColour(r: number, g: number, b: number): number {
    switch (this.bpp) {
      case 15:
        return ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
      case 16:
        return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
      default:
        return ((r << 16) | (g << 8) | b) >>> 0;
    }
  }

  /** Fill a rectangle of pixels with `value` (in the mode's format). */
  fillRect(x: number, y: number, w: number, h: number, value: number): void {
    const bytes = bytesPerPixel(this.bpp);
    const pitch = this.pitch;
    const m = this.vram;
    const pattern = [value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff];
    for (let row = 0; row < h; row++) {
      const o = (y + row) * pitch + x * bytes;
      const end = Math.min(SVGA_MEMORY, o + w * bytes);
      if (bytes === 1) m.fill(value, o, end);
      else for (let a = o, k = 0; a < end; a++, k = k + 1 === bytes ? 0 : k + 1) m[a] = pattern[k];
    }
    this.version++;
  }

  /** Copy `lines` lines of `bytes` bytes at column byte `x` from line `from` to line `to` (memmove). */
  copyLines(from: number, to: number, lines: number, x: number, bytes: number): void {
    const pitch = this.pitch;
    const m = this.vram;
    const step = to <= from ? 1 : -1;
    for (let i = 0; i < lines; i++) {
      const k = step === 1 ? i : lines - 1 - i;
      const src = (from + k) * pitch + x;
      const dst = (to + k) * pitch + x;
      if (Math.max(src, dst) + bytes > SVGA_MEMORY) continue;
      m.copyWithin(dst, src, src + bytes);
    }
    this.version++;
  }
}
