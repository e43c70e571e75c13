/**
 * The VGA hardware of VVGA: the registers and the 256 KiB of planar video memory of an IBM VGA, driven by
 * port and memory accesses exactly as a real card is — sequencer, CRTC, graphics controller, attribute
 * controller, DAC, Misc Output, Input Status 1 with retrace in virtual time, the four latches, read modes 0-1
 * and write modes 0-3, chain-4 and odd/even addressing and the memory map select — with no per-mode special
 * cases. What a mode looks like is decided by the registers alone, in render.ts.
 *
 * CONTRACT (shared by vga.ts, render.ts and bios.ts; keep the names):
 *  - `vram` holds the four planes, plane p at p * PLANE_SIZE.
 *  - the register files are public arrays indexed by register number; the index registers are public too.
 *  - `portIn`/`portOut` take the port number (3B4h/3B5h/3BAh are the CRTC/status when Misc bit 0 is clear,
 *    3D4h/3D5h/3DAh when it is set; the other pair reads FFh and ignores writes).
 *  - `memRead`/`memWrite` take a physical address A0000h-BFFFFh; outside the window the memory map select
 *    (GR6 bits 2-3) leaves unmapped, they read FFh / do nothing.
 *  - `version` increases on every change that can alter the picture (memory, registers, DAC); the renderer
 *    skips a frame when it has not moved.
 *  - Writing the register arrays directly (a state restore, a BIOS shortcut) is allowed: the memory path
 *    notices it on its next access. Such writes do not move `version`; call `touch()` after them.
 *
 * CPU addressing of the planes, as the IBM VGA does it (the offset is the address within the window):
 *  - planar (SR4 bit 2 set, GR5 bit 4 clear): offset → byte `offset & FFFFh` of every plane the map mask
 *    (writes) or the read map select (reads) names.
 *  - chain-4 (SR4 bit 3): the low two address bits pick the plane and stay out of the plane address: the byte
 *    goes to plane `offset & 3` at `offset & FFFCh`. So mode 13h pixel n is plane n & 3 at offset n & ~3, the
 *    CRTC's doubleword mode (address counter × 4) fetches exactly these bytes, only every fourth byte of each
 *    plane is reachable (64 KiB of the 256), and mode 13h data seen after unchaining (mode X) lies where it
 *    does on real hardware.
 *  - odd/even (writes: SR4 bit 2 clear; reads: GR5 bit 4 set): address bit 0 picks the even (0, 2) or odd
 *    (1, 3) planes — for reads, plane (GR4 & 2) | (offset & 1) — and is replaced in the plane address by the
 *    page bit, Misc Output bit 5: set (every BIOS mode sets it) selects the even plane bytes that the CRTC's
 *    word mode displays, clear selects the odd ones, a second page the word mode does not show.
 *  - chain-4 wins over odd/even. Plane addresses wrap at 64 KiB (the 128 KiB window wraps onto itself).
 *  - Misc Output bit 1 clear disables CPU access to video memory (reads FFh, writes ignored).
 *
 * Input Status 1 in virtual time: the frame is (CR00 + 5) character clocks of 8 or 9 dots (SR1 bit 0) at the
 * dot clock of Misc bits 2-3 (25.175 / 28.322 MHz, halved by SR1 bit 3), times (vertical total + 2) lines.
 * Bit 3 (vertical retrace) is set from the vertical retrace start (CR10, CR07 bits 2 and 7) until the line
 * whose low four bits equal CR11 bits 0-3; bit 0 (display disabled) is set outside the displayed lines
 * (CR12 and overflow) and in the part of each line after the displayed characters (CR01 + 1 of the total).
 * Totals that give less than 20 Hz or more than 200 Hz fall back to 70 Hz with 449 lines.
 *
 * Not modelled: SR4 bit 1 (extended memory) is stored only (all 256 KiB are always there); the sequencer
 * reset (SR0) does not stop anything; the light pen; the switch sense bit of Input Status 0 reads 0; the
 * DAC's 8-bit mode (there is none on a VGA) and its snow.
 */

export const PLANE_SIZE = 0x10000;

/** The host's idea of time for the retrace bits: a clock in ticks and its rate. */
export interface VgaClock {
  now(): number;
  ticksPerSecond: number;
}

// How a CPU access finds its plane and plane address (precomputed from SR4, GR5 and GR6).
const PLANAR = 0;
const CHAIN4 = 1;
const ODD_EVEN = 2;

/** Window bases and sizes by GR6 bits 2-3. */
const WINDOW_BASE = [0xa0000, 0xa0000, 0xb0000, 0xb8000];
const WINDOW_SIZE = [0x20000, 0x10000, 0x8000, 0x8000];

const DOT_CLOCK_25 = 25_175_000;
const DOT_CLOCK_28 = 28_322_000;

export class VgaCore {
  /** Four planes of 64 KiB. */
  readonly vram = new Uint8Array(4 * PLANE_SIZE);
  /** The four 8-bit latches, loaded by every read of video memory. */
  readonly latch = new Uint8Array(4);

  /** Misc Output (3C2h write, 3CCh read). */
  misc = 0x67;
  // The sequencer and graphics controller files sit on 32-bit-aligned buffers so that the memory path can
  // see with five 32-bit loads whether a register it precomputed from has changed, however it was written.
  private readonly seqBuf = new ArrayBuffer(8);
  private readonly seq32 = new Int32Array(this.seqBuf);
  /** Sequencer registers 0-4 (3C4h index, 3C5h data). */
  readonly seq = new Uint8Array(this.seqBuf, 0, 5);
  seqIndex = 0;
  /** CRTC registers 00h-18h (3x4h index, 3x5h data); 0-7 are write-protected while CR11 bit 7 is set. */
  readonly crtc = new Uint8Array(0x19);
  crtcIndex = 0;
  private readonly gcBuf = new ArrayBuffer(12);
  private readonly gc32 = new Int32Array(this.gcBuf);
  /** Graphics controller registers 0-8 (3CEh index, 3CFh data). */
  readonly gc = new Uint8Array(this.gcBuf, 0, 9);
  gcIndex = 0;
  /** Attribute controller registers 00h-14h (3C0h index/data flip-flop, 3C1h read). */
  readonly ac = new Uint8Array(0x15);
  /** The AC index register as written (bit 5 = palette address source: set means the display runs). */
  acIndex = 0x20;
  /** The AC flip-flop: false = the next 3C0h write is an index; reading 3DAh resets it. */
  acFlipFlop = false;
  /** The DAC: 256 entries of 3 six-bit values (R, G, B). */
  readonly dac = new Uint8Array(768);
  /** PEL mask (3C6h). */
  pelMask = 0xff;
  /** DAC write index (3C8h) and read index (3C7h write), with the component counter (0 R, 1 G, 2 B). */
  dacWriteIndex = 0;
  dacReadIndex = 0;
  dacComponent = 0;
  /** 3C7h read: 0 = the DAC is in write mode, 3 = read mode. */
  dacState = 0;
  /** The DAC's holding register: a colour is stored into the DAC when its blue component arrives. */
  readonly dacHold = new Uint8Array(3);
  /** Feature control (3CAh read, 3BAh/3DAh write). */
  featureControl = 0;
  /** Video subsystem enable (3C3h), bit 0. */
  videoEnable = 1;

  /** Increases with every change that can alter the picture. */
  version = 0;

  // ---- derived state of the memory path, recomputed when the registers it came from change
  private kSeq0 = -1;
  private kSeq1 = -1;
  private kGc0 = -1;
  private kGc1 = -1;
  private kGc2 = -1;
  private kMisc = -1;
  private winBase = 0xa0000;
  /** Window size; 0 while Misc bit 1 disables CPU access. */
  private winSize = 0;
  /**
   * The addressing as arithmetic, so the hot path has no branches on the mode: the planes an access may
   * touch are `planeSelect[select + (offset & 3)]` and the plane address is `(offset & mask) | or`.
   */
  private readonly planeSelect = new Uint8Array([
    // planar: writes go to every map-mask plane; reads to the read map select plane (filled in derive)
    0x0f, 0x0f, 0x0f, 0x0f,
    // chain-4: address bits 0-1 pick the plane
    0x01, 0x02, 0x04, 0x08,
    // odd/even writes: even or odd planes
    0x05, 0x0a, 0x05, 0x0a,
    // reads: the plane number for read mode 0 — planar (filled in derive), chain-4, odd/even (filled in derive)
    0, 0, 0, 0, 0, 1, 2, 3, 0, 1, 0, 1,
  ]);
  private writeSelect = 0;
  private writeAddrMask = 0xffff;
  private writeAddrOr = 0;
  private readSelect = 12;
  private readAddrMask = 0xffff;
  private readAddrOr = 0;
  private writePlanes = 0xf;
  private readCompare = false;
  /** Write mode 0 with no rotate, no logical op, no set/reset and an all-ones bit mask: a plain store. */
  private plainWrite = true;

  // ---- Input Status 1 timing, recomputed on every read from the registers
  private tLineTicks = 0;
  private tTotalLines = 449;
  private tRetraceStart = 412;
  private tRetraceLines = 2;
  private tDisplayLines = 400;
  private tDisplayFraction = 0.8;

  constructor(readonly clock: VgaClock) {
    this.reset();
  }

  /**
   * A power-on state: the display off-looking but sane — planar CPU access to the 64 KiB window at A0000h
   * with all planes enabled and write mode 0 as a plain store, colour I/O addresses, zero CRTC (Input
   * Status 1 then runs at the 70 Hz fallback), the palette and DAC cleared, the AC running (PAS set). The
   * BIOS programs a mode itself.
   */
  reset(): void {
    this.vram.fill(0);
    this.latch.fill(0);
    this.misc = 0x67;
    this.seq.set([0x03, 0x00, 0x0f, 0x00, 0x06]);
    this.seqIndex = 0;
    this.crtc.fill(0);
    this.crtcIndex = 0;
    this.gc.set([0, 0, 0, 0, 0, 0, 0x05, 0x0f, 0xff]);
    this.gcIndex = 0;
    this.ac.fill(0);
    this.acIndex = 0x20;
    this.acFlipFlop = false;
    this.dac.fill(0);
    this.pelMask = 0xff;
    this.dacWriteIndex = 0;
    this.dacReadIndex = 0;
    this.dacComponent = 0;
    this.dacState = 0;
    this.dacHold.fill(0);
    this.featureControl = 0;
    this.videoEnable = 1;
    this.kMisc = -1;
    this.derive();
    this.version++;
  }

  /** Tell the renderer that the picture may have changed (after writing the register arrays directly). */
  touch(): void {
    this.version++;
  }

  /** The CRTC base port as Misc Output bit 0 selects it: 3D4h (colour) or 3B4h (mono). */
  crtcBase(): number {
    return this.misc & 1 ? 0x3d4 : 0x3b4;
  }

  // ------------------------------------------------------------------------------------------------ ports

  portIn(port: number): number {
    switch (port) {
      case 0x3c0:
        return this.acIndex;
      case 0x3c1: {
        const i = this.acIndex & 0x1f;
        return i <= 0x14 ? this.ac[i] : 0;
      }
      case 0x3c2:
        return 0; // Input Status 0: no CRT interrupt, switch sense 0
      case 0x3c3:
        return this.videoEnable;
      case 0x3c4:
        return this.seqIndex;
      case 0x3c5:
        return this.seqIndex < 5 ? this.seq[this.seqIndex] : 0xff;
      case 0x3c6:
        return this.pelMask;
      case 0x3c7:
        return this.dacState;
      case 0x3c8:
        return this.dacWriteIndex;
      case 0x3c9:
        return this.dacRead();
      case 0x3ca:
        return this.featureControl;
      case 0x3cc:
        return this.misc;
      case 0x3ce:
        return this.gcIndex;
      case 0x3cf:
        return this.gcIndex < 9 ? this.gc[this.gcIndex] : 0xff;
      case 0x3b4:
      case 0x3d4:
        return port === this.crtcBase() ? this.crtcIndex : 0xff;
      case 0x3b5:
      case 0x3d5:
        if (port !== this.crtcBase() + 1) return 0xff;
        return this.crtcIndex <= 0x18 ? this.crtc[this.crtcIndex] : 0xff;
      case 0x3ba:
      case 0x3da:
        if (port !== this.crtcBase() + 6) return 0xff;
        return this.inputStatus1();
      default:
        return 0xff;
    }
  }

  portOut(port: number, value: number): void {
    value &= 0xff;
    switch (port) {
      case 0x3c0:
        this.acWrite(value);
        return;
      case 0x3c2:
        this.misc = value;
        this.version++;
        return;
      case 0x3c3:
        this.videoEnable = value & 1;
        return;
      case 0x3c4:
        this.seqIndex = value;
        return;
      case 0x3c5:
        if (this.seqIndex < 5) {
          this.seq[this.seqIndex] = value;
          this.version++;
        }
        return;
      case 0x3c6:
        this.pelMask = value;
        this.version++;
        return;
      case 0x3c7:
        this.dacReadIndex = value;
        this.dacWriteIndex = (value + 1) & 0xff;
        this.dacComponent = 0;
        this.dacState = 3;
        return;
      case 0x3c8:
        this.dacWriteIndex = value;
        this.dacComponent = 0;
        this.dacState = 0;
        return;
      case 0x3c9:
        this.dacWrite(value);
        return;
      case 0x3ce:
        this.gcIndex = value;
        return;
      case 0x3cf:
        if (this.gcIndex < 9) {
          this.gc[this.gcIndex] = value;
          this.version++;
        }
        return;
      case 0x3b4:
      case 0x3d4:
        if (port === this.crtcBase()) this.crtcIndex = value;
        return;
      case 0x3b5:
      case 0x3d5:
        if (port === this.crtcBase() + 1) this.crtcWrite(value);
        return;
      case 0x3ba:
      case 0x3da:
        if (port === this.crtcBase() + 6) this.featureControl = value;
        return;
      default:
        return;
    }
  }

  private acWrite(value: number): void {
    if (!this.acFlipFlop) {
      if ((value ^ this.acIndex) & 0x20) this.version++;
      this.acIndex = value & 0x3f;
    } else {
      const i = this.acIndex & 0x1f;
      if (i < 0x10) {
        // The palette registers are locked while the display reads them (PAS set).
        if (!(this.acIndex & 0x20)) this.ac[i] = value & 0x3f;
      } else if (i === 0x12) this.ac[i] = value & 0x3f;
      else if (i === 0x13 || i === 0x14) this.ac[i] = value & 0x0f;
      else if (i <= 0x14) this.ac[i] = value;
      this.version++;
    }
    this.acFlipFlop = !this.acFlipFlop;
  }

  private crtcWrite(value: number): void {
    const i = this.crtcIndex;
    if (i > 0x18) return;
    if (i <= 7 && this.crtc[0x11] & 0x80) {
      // Protected: only the line compare bit 8 in the overflow register gets through.
      if (i !== 7) return;
      value = (this.crtc[7] & ~0x10) | (value & 0x10);
    }
    this.crtc[i] = value;
    this.version++;
  }

  private dacWrite(value: number): void {
    this.dacHold[this.dacComponent] = value & 0x3f;
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dac.set(this.dacHold, this.dacWriteIndex * 3);
      this.dacWriteIndex = (this.dacWriteIndex + 1) & 0xff;
      this.version++;
    }
  }

  private dacRead(): number {
    const v = this.dac[this.dacReadIndex * 3 + this.dacComponent];
    if (++this.dacComponent === 3) {
      this.dacComponent = 0;
      this.dacReadIndex = (this.dacReadIndex + 1) & 0xff;
      this.dacWriteIndex = (this.dacReadIndex + 1) & 0xff;
    }
    return v;
  }

  // ------------------------------------------------------------------------------------------ retrace

  /** The vertical refresh rate the CRTC registers and clocks give now (Hz). */
  refreshRate(): number {
    this.timing();
    return this.clock.ticksPerSecond / (this.tLineTicks * this.tTotalLines);
  }

  /**
   * The first tick at or after which Input Status 1's bits in `mask` (08h vertical retrace, 01h display
   * disabled) may differ from what they read now. Never later than the real next change; it may be an
   * instant where nothing changes (the end of the last displayed line), which only makes a skip shorter.
   */
  nextStatusChange(mask: number): number {
    this.timing();
    const lt = this.tLineTicks;
    const total = this.tTotalLines;
    const frameTicks = lt * total;
    const now = this.clock.now();
    let pos = now % frameTicks;
    if (pos < 0) pos += frameTicks;
    const frameStart = now - pos;
    const line = Math.floor(pos / lt);
    let next = frameStart + frameTicks;
    if (mask & 0x08) {
      for (const edgeLine of [this.tRetraceStart, (this.tRetraceStart + this.tRetraceLines) % total]) {
        let t = frameStart + edgeLine * lt;
        if (t <= now) t += frameTicks;
        if (t < next) next = t;
      }
    }
    if (mask & 0x01 && line < this.tDisplayLines) {
      const inLine = pos - line * lt;
      const displayEnd = this.tDisplayFraction * lt;
      const t = frameStart + line * lt + (inLine < displayEnd ? displayEnd : lt);
      if (t < next) next = t;
    }
    return Math.ceil(next);
  }

  private inputStatus1(): number {
    this.acFlipFlop = false;
    this.timing();
    const frameTicks = this.tLineTicks * this.tTotalLines;
    let pos = this.clock.now() % frameTicks;
    if (pos < 0) pos += frameTicks;
    const line = Math.floor(pos / this.tLineTicks);
    let v = 0;
    let sinceRetrace = line - this.tRetraceStart;
    if (sinceRetrace < 0) sinceRetrace += this.tTotalLines;
    if (sinceRetrace < this.tRetraceLines) v |= 0x08;
    if (line >= this.tDisplayLines || pos - line * this.tLineTicks >= this.tDisplayFraction * this.tLineTicks) v |= 0x01;
    return v;
  }

  /** Frame geometry in virtual time from CR00/01/06/07/10/11/12, Misc bits 2-3 and SR1. */
  private timing(): void {
    const cr = this.crtc;
    const sr1 = this.seq[1];
    const clockSelect = (this.misc >> 2) & 3;
    const dotClock = (clockSelect === 1 ? DOT_CLOCK_28 : DOT_CLOCK_25) / (sr1 & 0x08 ? 2 : 1);
    const charWidth = sr1 & 1 ? 8 : 9;
    const hTotal = cr[0] + 5;
    const o = cr[7];
    const vTotal = (cr[6] | ((o & 0x01) << 8) | ((o & 0x20) << 4)) + 2;
    const lineSeconds = (hTotal * charWidth) / dotClock;
    const hz = 1 / (lineSeconds * vTotal);
    const tps = this.clock.ticksPerSecond;
    if (!(hz >= 20 && hz <= 200) || vTotal < 16) {
      this.tTotalLines = 449;
      this.tLineTicks = tps / (70 * 449);
      this.tRetraceStart = 412;
      this.tRetraceLines = 2;
      this.tDisplayLines = 400;
      this.tDisplayFraction = 0.8;
      return;
    }
    this.tTotalLines = vTotal;
    this.tLineTicks = lineSeconds * tps;
    let start = cr[0x10] | ((o & 0x04) << 6) | ((o & 0x80) << 2);
    if (start >= vTotal) start = vTotal - 2;
    this.tRetraceStart = start;
    this.tRetraceLines = ((cr[0x11] - start) & 0x0f) || 16;
    this.tDisplayLines = Math.min(vTotal, (cr[0x12] | ((o & 0x02) << 7) | ((o & 0x40) << 3)) + 1);
    this.tDisplayFraction = Math.min(0.95, Math.max(0.1, (cr[1] + 1) / hTotal));
  }

  // ------------------------------------------------------------------------------------------- memory

  /** Recompute the memory path's derived state from SR2, SR4, GR0-8 and Misc. */
  private derive(): void {
    const seq = this.seq;
    const gc = this.gc;
    this.kSeq0 = this.seq32[0];
    this.kSeq1 = this.seq32[1];
    this.kGc0 = this.gc32[0];
    this.kGc1 = this.gc32[1];
    this.kGc2 = this.gc32[2];
    this.kMisc = this.misc;
    const map = (gc[6] >> 2) & 3;
    this.winBase = WINDOW_BASE[map];
    this.winSize = this.misc & 0x02 ? WINDOW_SIZE[map] : 0;
    const sr4 = seq[4];
    const page = this.misc & 0x20 ? 0 : 1;
    const write = sr4 & 0x08 ? CHAIN4 : sr4 & 0x04 ? PLANAR : ODD_EVEN;
    const read = sr4 & 0x08 ? CHAIN4 : gc[5] & 0x10 ? ODD_EVEN : PLANAR;
    this.writeSelect = write * 4;
    this.writeAddrMask = write === CHAIN4 ? 0xfffc : write === ODD_EVEN ? 0xfffe : 0xffff;
    this.writeAddrOr = write === ODD_EVEN ? page : 0;
    this.readSelect = 12 + read * 4;
    this.readAddrMask = read === CHAIN4 ? 0xfffc : read === ODD_EVEN ? 0xfffe : 0xffff;
    this.readAddrOr = read === ODD_EVEN ? page : 0;
    const sel = this.planeSelect;
    const readMap = gc[4] & 3;
    sel.fill(readMap, 12, 16);
    sel[20] = sel[22] = readMap & 2;
    sel[21] = sel[23] = (readMap & 2) | 1;
    this.writePlanes = seq[2] & 0x0f;
    this.readCompare = (gc[5] & 0x08) !== 0;
    this.plainWrite = (gc[5] & 3) === 0 && (gc[1] & 0x0f) === 0 && gc[3] === 0 && gc[8] === 0xff;
  }

  private stale(): boolean {
    return (
      ((this.seq32[0] ^ this.kSeq0) |
        (this.seq32[1] ^ this.kSeq1) |
        (this.gc32[0] ^ this.kGc0) |
        (this.gc32[1] ^ this.kGc1) |
        (this.gc32[2] ^ this.kGc2) |
        (this.misc ^ this.kMisc)) !==
      0
    );
  }

  memRead(addr: number): number {
    if (this.stale()) this.derive();
    const off = addr - this.winBase;
    if (off >>> 0 >= this.winSize) return 0xff;
    const o = (off & this.readAddrMask) | this.readAddrOr;
    const plane = this.planeSelect[this.readSelect + (off & 3)];
    const vram = this.vram;
    const latch = this.latch;
    latch[0] = vram[o];
    latch[1] = vram[o | 0x10000];
    latch[2] = vram[o | 0x20000];
    latch[3] = vram[o | 0x30000];
    if (!this.readCompare) return latch[plane];
    // Read mode 1: a bit is 1 where every plane the colour don't care register names matches the colour
    // compare register.
    const compare = this.gc[2];
    const care = this.gc[7];
    let r = 0xff;
    for (let p = 0; p < 4; p++) {
      if (care & (1 << p)) r &= ~(latch[p] ^ (compare & (1 << p) ? 0xff : 0));
    }
    return r & 0xff;
  }

  memWrite(addr: number, value: number): void {
    if (this.stale()) this.derive();
    const off = addr - this.winBase;
    if (off >>> 0 >= this.winSize) return;
    const planes = this.writePlanes & this.planeSelect[this.writeSelect + (off & 3)];
    const o = (off & this.writeAddrMask) | this.writeAddrOr;
    if (planes === 0) return;
    const vram = this.vram;
    value &= 0xff;
    if (this.plainWrite) {
      if (planes & 1) vram[o] = value;
      if (planes & 2) vram[o | 0x10000] = value;
      if (planes & 4) vram[o | 0x20000] = value;
      if (planes & 8) vram[o | 0x30000] = value;
    } else this.writeThroughGc(o, value, planes);
    this.version++;
  }

  /** Write modes 0-3 through the rotator, set/reset, the logical unit and the bit mask. */
  private writeThroughGc(o: number, value: number, planes: number): void {
    const gc = this.gc;
    const vram = this.vram;
    const latch = this.latch;
    const mode = gc[5] & 3;
    if (mode === 1) {
      for (let p = 0; p < 4; p++) if (planes & (1 << p)) vram[(p << 16) | o] = latch[p];
      return;
    }
    const count = gc[3] & 7;
    const rotated = ((value >> count) | (value << (8 - count))) & 0xff;
    const op = (gc[3] >> 3) & 3;
    const setReset = gc[0];
    const enable = gc[1];
    let mask = gc[8];
    if (mode === 3) mask &= rotated;
    for (let p = 0; p < 4; p++) {
      const bit = 1 << p;
      if (!(planes & bit)) continue;
      let d: number;
      if (mode === 0) d = enable & bit ? (setReset & bit ? 0xff : 0) : rotated;
      else if (mode === 2) d = value & bit ? 0xff : 0;
      else d = setReset & bit ? 0xff : 0;
      const l = latch[p];
      if (op === 1) d &= l;
      else if (op === 2) d |= l;
      else if (op === 3) d ^= l;
      vram[(p << 16) | o] = (d & mask) | (l & ~mask);
    }
  }
}
