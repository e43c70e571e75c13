/**
 * VVGA: the virtual VGA of a DOS session — the registers and planar memory of an IBM VGA (vga.ts), its
 * picture computed from the registers (render.ts) into the VM's VMAN surface, and the video BIOS (bios.ts);
 * beside the VGA an SVGA with 8 MiB of linear memory behind Bochs's DISPI registers (svga.ts) and the VESA
 * BIOS Extension 2.0 that drives it (vbe.ts): modes up to 1024x768 at 8, 15, 16, 24 and 32 bits per pixel.
 *
 * - Ports 3B4h/3B5h/3BAh, 3C0h-3CFh, 3D4h/3D5h/3DAh go to the VgaCore; the 128 KiB window A0000h-BFFFFh is
 *   MMIO into its planes (the graphics controller decides what each access does, as on the card) — or,
 *   while the SVGA is enabled, A0000h-AFFFFh is the SVGA memory's current 64 KiB bank.
 * - Ports 1CEh/1CFh (byte or word) are the SVGA's DISPI index and data registers. Its whole memory is also
 *   a linear frame buffer at E0000000h (LFB_BASE), above the RAM, reached with 32-bit addresses.
 * - The video ROM at C0000h holds the 8x8, 8x14 and 8x16 fonts (assets/fonts), the functionality table and
 *   the VBE's strings, mode list and window function; INT 43h, INT 1Fh and INT 10h AX=1130h point into it.
 *   Under a foreign BIOS (docs/firmware.md) there is no such ROM: that BIOS runs its own VGA BIOS, which
 *   programs the registers itself, and the text screen (request 3) is read from the registers alone.
 * - The picture (request 6): the VGA's from its registers, or while the SVGA is enabled its memory from the
 *   display start — an 8-bit surface with the DAC as palette at 8 bpp, a 32-bit RGBA surface otherwise.
 * - Named request 'VVGA' (also answered as 'VVIDEO', the name the DOS kernel and tools use for "the video
 *   VDD"): 1 the text screen, 2 the mode, 3 the screen as text, 4 teletype bytes, 5 clear, 6 render,
 *   7 the linear frame buffer's place { base, size }.
 * - Events: 'tty' `{ bytes }` (the teletype stream, for `mvm run`'s stdout), 'video-mode', 'beep'.
 * - VIDEO_RETRACE_EMULATION: a program spinning on the retrace bit sleeps until it changes (inputStatus1).
 */
import { CP437 } from '../../main/vmm/vdh-cp437.js';
import type { Vdh, VddModule } from '../../main/vmm/vdh.js';
import { VideoBios, type VideoRomLayout } from './bios.js';
import { renderSvga, renderVga } from './render.js';
import { LFB_BASE, SVGA_MEMORY, SvgaCore } from './svga.js';
import { VBE_ROM_AREA_SIZE, vbeRomArea, VbeBios } from './vbe.js';
import { PLANE_SIZE, VgaCore } from './vga.js';

export { CP437 };

/** What request 1 returns. */
export interface TextScreen {
  mode: number;
  columns: number;
  rows: number;
  cursor: { row: number; col: number; visible: boolean };
  /** Attribute bit 7 means blinking (true) or a bright background (false): INT 10h AX=1003h. */
  blink: boolean;
  text: string[];
  attrs: number[][];
}

export const VVGA_SCREEN = 1;
export const VVGA_MODE = 2;
export const VVGA_TEXT = 3;
/** Write bytes (CP437) as teletype output on the active page. */
export const VVGA_TELETYPE = 4;
/** Clear the active page and home the cursor. */
export const VVGA_CLEAR = 5;
/** Bring the VMAN surface up to date with the registers; true when the picture was rendered anew. */
export const VVGA_RENDER = 6;
/** Where the linear frame buffer is: { base, size } (VPCI's VGA function reports it in its BAR 0). */
export const VVGA_LFB = 7;

const ROM_BASE = 0xc0000;
const ROM_SIZE = 0x3000;
const ROM: VideoRomLayout = {
  segment: 0xc000,
  functionality: 0x0100,
  font8: 0x0200,
  font14: 0x0a00,
  font16: 0x1800,
  alternate: 0x2800,
  vbe: 0x2900,
};

/** A status-port read this soon (ticks) after the last one from the same instruction continues a polling loop. */
const POLL_GAP = 256;
/** Reads of an unchanged retrace bit from one loop before virtual time skips ahead. */
const POLLS_BEFORE_SKIP = 8;

/** Characters blink with a period of 32 frames (16 on, 16 off), as on the VGA. */
const BLINK_FRAMES = 16;

/** The video ROM: option-ROM header, the static functionality table (INT 10h AH=1Bh), the fonts, the VBE area. */
function buildRom(fonts: { 8: Uint8Array; 14: Uint8Array; 16: Uint8Array }): Uint8Array {
  if (ROM.vbe + VBE_ROM_AREA_SIZE > ROM_SIZE - 1) throw new Error('VVGA: the VBE area does not fit the video ROM');
  const rom = new Uint8Array(ROM_SIZE);
  rom[0] = 0x55;
  rom[1] = 0xaa;
  rom[2] = ROM_SIZE / 512;
  rom[3] = 0xcb; // retf: nothing to initialise, the VDD did it
  rom.set([0xff, 0xe0, 0x0f, 0, 0, 0, 0, 0x07, 0x08, 0x02, 0xff, 0x0e, 0, 0, 0x3f, 0], ROM.functionality);
  rom.set(fonts[8], ROM.font8);
  rom.set(fonts[14], ROM.font14);
  rom.set(fonts[16], ROM.font16);
  rom[ROM.alternate] = 0; // no 9-dot fix-ups
  rom.set(vbeRomArea(), ROM.vbe);
  let sum = 0;
  for (let i = 0; i < ROM_SIZE - 1; i++) sum += rom[i];
  rom[ROM_SIZE - 1] = (0x100 - (sum & 0xff)) & 0xff;
  return rom;
}

function font(vdh: Vdh, height: 8 | 14 | 16): Uint8Array {
  const bytes = vdh.asset(`fonts/vga${height}.bin`);
  if (bytes.length !== 256 * height) throw new Error(`VVGA: fonts/vga${height}.bin has ${bytes.length} bytes, not ${256 * height}`);
  return bytes;
}

class Vvga {
  readonly vga: VgaCore;
  readonly svga = new SvgaCore();
  readonly bios: VideoBios;
  /** The VGA version the surface shows (-1: it shows the SVGA's picture, or nothing yet). */
  private renderedVersion = -1;
  private renderedBlink = false;
  /** The SVGA and VGA (DAC) versions the surface shows when it shows the SVGA's picture. */
  private renderedSvga = { svga: -1, vga: -1 };
  private frameBuffer: Uint8Array | undefined;
  /** The picture registerScreen() renders to read the text (its own, so the surface's stays as shown). */
  private screenScratch: Uint8Array | undefined;
  private rgbaBuffer: Uint32Array | undefined;
  private ttyOut: number[] = [];
  /** The status-port polling loop being watched: where its IN is, when and what it read last. */
  private poll = { at: -1, tick: 0, value: 0, count: 0, bit0Flips: 0 };
  private ttyFlushArmed = false;

  constructor(private readonly vdh: Vdh) {
    this.vga = new VgaCore({ now: () => vdh.now, ticksPerSecond: vdh.ticksPerSecond });
    const fonts = { 8: font(vdh, 8), 14: font(vdh, 14), 16: font(vdh, 16) } as const;
    // Under a foreign BIOS the option-ROM space is that BIOS's: it runs its own VGA BIOS there.
    if (vdh.firmware.kind === 'mvm') vdh.loadRom(ROM_BASE, buildRom(fonts));
    this.bios = new VideoBios(vdh, this.vga, this.svga, ROM, fonts, {
      tty: (ch) => this.recordTty(ch),
      beep: () => vdh.post('beep', {}),
      modeChanged: () => vdh.post('video-mode', { mode: vdh.readByte(0x449), columns: this.bios.columns, rows: this.bios.rows }),
    });
    this.bios.vbe = new VbeBios(vdh, this.bios, this.vga, this.svga, ROM);
  }

  install(): void {
    const vdh = this.vdh;
    const vga = this.vga;
    vdh.registerProperty({
      type: 'bool',
      name: 'VIDEO_RETRACE_EMULATION',
      live: true,
      help: 'Let a program that waits for the vertical retrace sleep until it comes instead of spinning on the status port.',
      default: true,
    });
    const io = { byteIn: (p: number) => vga.portIn(p), byteOut: (p: number, v: number) => vga.portOut(p, v) };
    const status = { byteIn: (p: number) => this.inputStatus1(p), byteOut: (p: number, v: number) => vga.portOut(p, v) };
    vdh.installIoHook(0x3b4, 2, io);
    vdh.installIoHook(0x3ba, 1, status);
    vdh.installIoHook(0x3c0, 16, io);
    vdh.installIoHook(0x3d4, 2, io);
    vdh.installIoHook(0x3da, 1, status);
    const svga = this.svga;
    vdh.installIoHook(0x1ce, 2, {
      byteIn: (p) => svga.portIn(p) & 0xff,
      byteOut: (p, v) => svga.portOut(p, v),
      wordIn: (p) => svga.portIn(p),
      wordOut: (p, v) => svga.portOut(p, v),
    });
    vdh.mapMmio(0xa0000, 0x20000, {
      read: (a) => (svga.enabled ? svga.windowRead(a) : vga.memRead(a)),
      write: (a, v) => (svga.enabled ? svga.windowWrite(a, v) : vga.memWrite(a, v)),
    });
    vdh.mapMmio(LFB_BASE, SVGA_MEMORY, { read: (a) => svga.linearRead(a - LFB_BASE), write: (a, v) => svga.linearWrite(a - LFB_BASE, v) });
    vdh.installBiosService(0x10, () => this.bios.int10());
    vdh.onUserHook('post', () => this.bios.post());
    vdh.onUserHook('terminate', () => this.flushTty());
    const handler = (command: number, input?: unknown) => this.request(command, input);
    vdh.registerName('VVGA', handler);
    vdh.registerName('VVIDEO', handler);
  }

  /**
   * Input Status 1 with retrace emulation (VIDEO_RETRACE_EMULATION): a program spinning on the retrace bit
   * — the same IN instruction read again and again without the bit changing — has virtual time skip to the
   * next change instead of executing the loop millions of times. If that loop has let bit 0 (display
   * disabled) flip under it twice, it waits for bit 3 alone and the skip goes to the next retrace edge;
   * otherwise to the next change of either bit, so raster effects that wait on bit 0 keep their timing.
   */
  private inputStatus1(port: number): number {
    const v = this.vga.portIn(port);
    // Read each time: the setting can be changed while the session runs (the settings notebook).
    if (this.vdh.property('VIDEO_RETRACE_EMULATION') !== true) return v;
    const vdh = this.vdh;
    const now = vdh.now;
    const r = vdh.getRegisters();
    const at = (r.cs << 4) + r.eip;
    if (at === this.poll.at && now - this.poll.tick < POLL_GAP && !((v ^ this.poll.value) & 0x08)) {
      this.poll.count++;
      if ((v ^ this.poll.value) & 0x01) this.poll.bit0Flips++;
    } else this.poll = { at, tick: now, value: v, count: 0, bit0Flips: 0 };
    this.poll.value = v;
    this.poll.tick = now;
    if (this.poll.count >= POLLS_BEFORE_SKIP) {
      const next = this.vga.nextStatusChange(this.poll.bit0Flips >= 2 ? 0x08 : 0x09);
      vdh.skipIdleUntil(next);
      this.poll.count = 0;
      this.poll.tick = next;
    }
    return v;
  }

  private request(command: number, input?: unknown): unknown {
    const bios = this.bios;
    switch (command) {
      case VVGA_SCREEN:
        return this.screen();
      case VVGA_MODE:
        // In a VBE mode (BDA mode FFh) the resolution says what the mode is (VMOUSE's ranges, say).
        return this.svga.enabled ? { mode: this.vdh.readByte(0x449), width: this.svga.width, height: this.svga.height } : { mode: this.vdh.readByte(0x449) };
      case VVGA_TEXT:
        return this.screen()
          .text.map((line) => line.replace(/[ \u00a0]+$/, ''))
          .join('\n');
      case VVGA_TELETYPE: {
        const bytes = typeof input === 'string' ? Array.from(input, (c) => c.charCodeAt(0) & 0xff) : Array.from(input as ArrayLike<number>);
        const page = bios.activePage();
        for (const b of bytes) bios.teletype(page, b & 0xff);
        return undefined;
      }
      case VVGA_CLEAR:
        bios.clear();
        return undefined;
      case VVGA_RENDER:
        return this.render();
      case VVGA_LFB:
        return { base: LFB_BASE, size: SVGA_MEMORY };
      default:
        throw new Error(`VVGA: unknown request ${command}`);
    }
  }

  /** The text screen as displayed (from the CRTC start address and cursor), empty in graphics modes. */
  private screen(): TextScreen {
    const { vga, bios } = this;
    const mode = this.vdh.readByte(0x449);
    const blink = (vga.ac[0x10] & 0x08) !== 0;
    if (this.vdh.firmware.kind === 'foreign') return this.registerScreen(mode, blink);
    const columns = bios.columns;
    const rows = bios.rows;
    if (!bios.isText()) return { mode, columns, rows, cursor: { row: 0, col: 0, visible: false }, blink, text: [], attrs: [] };
    const start = (vga.crtc[0x0c] << 8) | vga.crtc[0x0d];
    const text: string[] = [];
    const attrs: number[][] = [];
    for (let row = 0; row < rows; row++) {
      let line = '';
      const lineAttrs: number[] = [];
      for (let col = 0; col < columns; col++) {
        const o = ((start + row * columns + col) * 2) & 0xfffe;
        line += CP437[vga.vram[o]];
        lineAttrs.push(vga.vram[PLANE_SIZE + o]);
      }
      text.push(line);
      attrs.push(lineAttrs);
    }
    const location = ((vga.crtc[0x0e] << 8) | vga.crtc[0x0f]) - start;
    const row = Math.floor(location / columns);
    const col = location - row * columns;
    const cursorStart = vga.crtc[0x0a];
    const inside = location >= 0 && row < rows;
    const visible = inside && !(cursorStart & 0x20) && (cursorStart & 0x1f) <= (vga.crtc[0x0b] & 0x1f);
    return { mode, columns, rows, cursor: { row: inside ? row : 0, col: inside ? col : 0, visible }, blink, text, attrs };
  }

  /**
   * The text screen under a foreign BIOS, whose video BIOS keeps its own idea of the mode: everything from
   * the registers, as the picture is (render.ts), so any text mode that BIOS sets reads right.
   */
  private registerScreen(mode: number, blink: boolean): TextScreen {
    const picture = renderVga(this.vga, true, this.screenScratch);
    this.screenScratch = picture.pixels;
    const t = picture.text;
    if (!t) return { mode, columns: 0, rows: 0, cursor: { row: 0, col: 0, visible: false }, blink, text: [], attrs: [] };
    const text: string[] = [];
    const attrs: number[][] = [];
    for (let row = 0; row < t.rows; row++) {
      let line = '';
      const lineAttrs: number[] = [];
      for (let col = 0; col < t.columns; col++) {
        line += CP437[t.codes[row * t.columns + col]];
        lineAttrs.push(t.attrs[row * t.columns + col]);
      }
      text.push(line);
      attrs.push(lineAttrs);
    }
    const { row, col, visible } = t.cursor;
    return { mode, columns: t.columns, rows: t.rows, cursor: { row, col, visible }, blink, text, attrs };
  }

  /** Render into the VMAN surface when the registers, memory or blink phase changed since the last time. */
  private render(): boolean {
    if (this.svga.enabled) return this.renderSvga();
    this.renderedSvga.svga = -1;
    const vga = this.vga;
    const frames = Math.floor((this.vdh.now / this.vdh.ticksPerSecond) * vga.refreshRate());
    const blink = Math.floor(frames / BLINK_FRAMES) % 2 === 0;
    if (vga.version === this.renderedVersion && blink === this.renderedBlink) return false;
    this.renderedVersion = vga.version;
    this.renderedBlink = blink;
    // One frame buffer, reused while the size stays (the surface copies what changed).
    const picture = renderVga(vga, blink, this.frameBuffer);
    this.frameBuffer = picture.pixels;
    const surface = this.vdh.surface();
    surface.resize(picture.width, picture.height);
    surface.setPalette(picture.palette);
    surface.present(picture.pixels);
    const t = picture.text;
    if (!t) surface.setText(null);
    else {
      const lines: string[] = [];
      for (let r = 0; r < t.rows; r++) {
        let line = '';
        for (let c = 0; c < t.columns; c++) line += CP437[t.codes[r * t.columns + c]];
        lines.push(line);
      }
      surface.setText({ columns: t.columns, rows: t.rows, cellWidth: t.cellWidth, cellHeight: t.cellHeight, lines, cursor: { ...t.cursor } });
    }
    return true;
  }

  /** The SVGA's picture into the surface: 8-bit with the DAC as palette at 8 bpp, else 32-bit RGBA. */
  private renderSvga(): boolean {
    const { vga, svga } = this;
    const eightBit = svga.bpp === 8;
    const seen = this.renderedSvga;
    // The VGA's version matters for the DAC only, which only the 8-bit picture uses.
    if (svga.version === seen.svga && (!eightBit || vga.version === seen.vga)) return false;
    seen.svga = svga.version;
    seen.vga = vga.version;
    this.renderedVersion = -1;
    const picture = renderSvga(svga, vga.dac, vga.pelMask, this.frameBuffer, this.rgbaBuffer);
    const surface = this.vdh.surface();
    surface.resize(picture.width, picture.height, picture.depth);
    if (picture.depth === 8) {
      this.frameBuffer = picture.pixels;
      surface.setPalette(picture.palette);
      surface.present(picture.pixels);
    } else {
      this.rgbaBuffer = picture.rgba;
      surface.presentRgba(picture.rgba);
    }
    surface.setText(null);
    return true;
  }

  /**
   * The teletype stream: what was written as a terminal would show it (AH=0Eh, AH=13h, the DOS console),
   * posted as `tty` events `{ bytes }` (CP437) in batches at most 10 ms of guest time apart.
   */
  private recordTty(ch: number): void {
    this.ttyOut.push(ch);
    if (this.ttyOut.length >= 4096) this.flushTty();
    else if (!this.ttyFlushArmed) {
      this.ttyFlushArmed = true;
      this.vdh.armTimer(this.vdh.ticksPerSecond / 100, () => this.flushTty());
    }
  }

  private flushTty(): void {
    this.ttyFlushArmed = false;
    if (this.ttyOut.length === 0) return;
    this.vdh.post('tty', { bytes: this.ttyOut });
    this.ttyOut = [];
  }
}

/** The VVGA module. */
export function createVvga(): VddModule {
  return {
    name: 'VVGA',
    init(vdh: Vdh): void {
      new Vvga(vdh).install();
    },
  };
}

export default createVvga();
