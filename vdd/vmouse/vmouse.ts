/**
 * VMOUSE: the mouse of a DOS session, as a Microsoft-compatible mouse driver (INT 33h) fed by the session
 * window. The shield sends relative motion in mickeys and the button state (named request 'VMOUSE' 1, from
 * main/vmm/vm-display.ts); VMOUSE moves the virtual-screen position within the program's ranges, counts
 * presses and releases, draws the cursor and calls the program's event handler.
 *
 * - INT 33h: the ROM's stub (Vdh.biosEntry(0x33)), which vector 33h points at from POST, so programs that
 *   look for a driver behind the vector find one. Functions 00h-0Bh, 0Ch/14h (event handler), 0Fh, 10h,
 *   13h, 15h-17h (state save/restore), 1Ah/1Bh, 1Dh/1Eh, 21h, 24h, 26h.
 * - Coordinates are the driver's virtual screen: 640 wide in every mode, as many lines as the mode has pixels
 *   (200 for text, CGA and 13h); in text modes a cell is 8x8 virtual pixels (16 wide in 40 columns).
 * - The cursor: in text modes the software cursor of the screen and cursor masks (AX=000Ah), applied to
 *   the character cell in video memory as Microsoft's driver does; in graphics modes the VMAN surface's
 *   pointer (the shield draws it), in surface pixels.
 * - A mode set (INT 10h AH=00h, watched with an interrupt hook) hides the cursor, as Microsoft's does.
 * - The event handler (AX=000Ch) is called like a driver's IRQ routine would: at the next instruction
 *   boundary with interrupts enabled, by a far call with AX = condition, BX = buttons, CX/DX = position,
 *   SI/DI = last motion in mickeys; every register is restored when it returns.
 */
import type { CpuRegisters, Vdh, VddModule } from '../../main/vmm/vdh.js';

/** What request 2 returns. */
export interface MouseState {
  x: number;
  y: number;
  buttons: number;
  visible: boolean;
  handler: { mask: number; segment: number; offset: number } | null;
}

export const VMOUSE_MOTION = 1;
export const VMOUSE_STATE = 2;

const BDA_MODE = 0x449;
const BDA_COLUMNS = 0x44a;
const BDA_PAGE_START = 0x44e;
const BDA_ROWS = 0x484;
const BDA_CRTC_BASE = 0x463;

const IF = 0x200;

/** Event condition bits (AX=000Ch mask, handler AX). */
const EV_MOVE = 0x01;
const EV_LEFT_DOWN = 0x02;
const EV_LEFT_UP = 0x04;
const EV_RIGHT_DOWN = 0x08;
const EV_RIGHT_UP = 0x10;
const EV_MIDDLE_DOWN = 0x20;
const EV_MIDDLE_UP = 0x40;

/** Events queued for a handler that has not run yet, at most. */
const MAX_PENDING = 64;

/** Bytes AX=0015h reports for the state AX=0016h/0017h save and restore. */
const STATE_SIZE = 64;

interface ButtonCounts {
  presses: number;
  releases: number;
  pressX: number;
  pressY: number;
  releaseX: number;
  releaseY: number;
}

class Vmouse {
  private x = 320;
  private y = 100;
  private buttons = 0;
  /** Sub-pixel remainders of the motion, in mickeys. */
  private fracX = 0;
  private fracY = 0;
  /** Motion counters (AX=000Bh) and the last motion for the handler's SI/DI. */
  private mickeyX = 0;
  private mickeyY = 0;
  private minX = 0;
  private maxX = 639;
  private minY = 0;
  private maxY = 199;
  /** Mickeys per 8 pixels (AX=000Fh). */
  private ratioX = 8;
  private ratioY = 16;
  /** The cursor shows when this is 0 (AX=0001h increments it up to 0, AX=0002h decrements it). */
  private hidden = -1;
  private textScreenMask = 0x77ff;
  private textCursorMask = 0x7700;
  /** The text cell under the drawn cursor: its address and the word it held. */
  private drawn: { addr: number; saved: number; mode: number } | null = null;
  private counts: ButtonCounts[] = [0, 1, 2].map(() => ({ presses: 0, releases: 0, pressX: 0, pressY: 0, releaseX: 0, releaseY: 0 }));
  private handler: { mask: number; segment: number; offset: number } | null = null;
  /** Events waiting for the handler, one per packet from the host, as a driver's IRQ routine sees them. */
  private pending: { condition: number; buttons: number; x: number; y: number; mx: number; my: number }[] = [];
  private inHandler = false;
  private callArmed = false;
  private page = 0;
  private threshold = 64;

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const vdh = this.vdh;
    vdh.installBiosService(0x33, () => this.int33());
    // Like Microsoft's driver, watch INT 10h mode sets: the new mode hides the cursor (a program that left
    // it shown does not leave a pointer over the DOS prompt) and drops the saved text cell.
    vdh.installIntHook(0x10, () => {
      if (((vdh.getRegisters().eax >> 8) & 0xff) === 0x00) this.modeSet();
      return false;
    });
    vdh.onUserHook('post', () => {
      const entry = vdh.biosEntry(0x33);
      if (entry) {
        vdh.writeWord(0x33 * 4, entry.offset);
        vdh.writeWord(0x33 * 4 + 2, entry.segment);
      }
      this.reset();
    });
    vdh.registerName('VMOUSE', (command, input) => this.request(command, input));
  }

  private request(command: number, input?: unknown): unknown {
    switch (command) {
      case VMOUSE_MOTION: {
        const m = input as { dx?: unknown; dy?: unknown; buttons?: unknown } | undefined;
        const int = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
        if (!m || !int(m.dx, -32768, 32767) || !int(m.dy, -32768, 32767) || !int(m.buttons, 0, 7)) {
          throw new Error('VMOUSE: motion needs integer dx, dy (16-bit) and buttons (0-7)');
        }
        this.motion(m.dx as number, m.dy as number, m.buttons as number);
        return undefined;
      }
      case VMOUSE_STATE:
        return { x: this.x, y: this.y, buttons: this.buttons, visible: this.hidden === 0, handler: this.handler ? { ...this.handler } : null } satisfies MouseState;
      default:
        throw new Error(`VMOUSE: unknown request ${command}`);
    }
  }

  // ------------------------------------------------------------------------------------ input

  private motion(dx: number, dy: number, buttons: number): void {
    let events = 0;
    if (dx || dy) {
      this.mickeyX = (this.mickeyX + dx) << 16 >> 16;
      this.mickeyY = (this.mickeyY + dy) << 16 >> 16;
      // Mickeys to pixels: `ratio` mickeys move 8 pixels; fast motion past the threshold counts double.
      const fast = Math.abs(dx) + Math.abs(dy) > this.threshold ? 2 : 1;
      this.fracX += dx * 8 * fast;
      this.fracY += dy * 8 * fast;
      const px = Math.trunc(this.fracX / this.ratioX);
      const py = Math.trunc(this.fracY / this.ratioY);
      this.fracX -= px * this.ratioX;
      this.fracY -= py * this.ratioY;
      const x = this.clamp(this.x + px, this.minX, this.maxX);
      const y = this.clamp(this.y + py, this.minY, this.maxY);
      if (x !== this.x || y !== this.y) {
        this.x = x;
        this.y = y;
        events |= EV_MOVE;
      }
    }
    const changed = buttons ^ this.buttons;
    for (let b = 0; b < 3; b++) {
      if (!(changed & (1 << b))) continue;
      const c = this.counts[b];
      if (buttons & (1 << b)) {
        c.presses = (c.presses + 1) & 0xffff;
        c.pressX = this.x;
        c.pressY = this.y;
        events |= [EV_LEFT_DOWN, EV_RIGHT_DOWN, EV_MIDDLE_DOWN][b];
      } else {
        c.releases = (c.releases + 1) & 0xffff;
        c.releaseX = this.x;
        c.releaseY = this.y;
        events |= [EV_LEFT_UP, EV_RIGHT_UP, EV_MIDDLE_UP][b];
      }
    }
    this.buttons = buttons;
    if (events & EV_MOVE) this.updateCursor();
    if (this.handler && this.handler.mask & events) {
      const e = { condition: events & this.handler.mask, buttons, x: this.x, y: this.y, mx: dx, my: dy };
      const last = this.pending[this.pending.length - 1];
      // Motion alone merges into motion alone (a slow program sees where the mouse is now); button
      // changes are never merged, so each press and release reaches the handler.
      if (last && last.condition === EV_MOVE && e.condition === EV_MOVE) this.pending[this.pending.length - 1] = { ...e, mx: last.mx + dx, my: last.my + dy };
      else if (this.pending.length < MAX_PENDING) this.pending.push(e);
      this.armCall();
    }
  }

  private clamp(v: number, lo: number, hi: number): number {
    return v < lo ? lo : v > hi ? hi : v;
  }

  // ------------------------------------------------------------------------------ the event handler

  private armCall(): void {
    if (this.callArmed || this.inHandler) return;
    this.callArmed = true;
    // Like an IRQ: wake a program parked in a BIOS wait (INT 16h) so the call can happen now.
    this.vdh.endWait();
    this.vdh.armContextHook(() => this.callHandler());
  }

  private callHandler(): void {
    this.callArmed = false;
    const h = this.handler;
    if (!h || this.pending.length === 0 || this.inHandler) return;
    const vdh = this.vdh;
    const saved = vdh.getRegisters();
    if (!(saved.eflags & IF)) {
      // Interrupts are off: try again a millisecond later, as a masked IRQ would wait.
      this.callArmed = true;
      vdh.armTimer(vdh.ticksPerSecond / 1000, () => this.callHandler());
      return;
    }
    const e = this.pending.shift()!;
    this.inHandler = true;
    // A far call from where the guest is: push its CS:IP, then let the return hook take the return.
    const sp = (saved.esp - 4) & 0xffff;
    const frame = (saved.ss << 4) + sp;
    vdh.writeWord(frame, saved.eip & 0xffff);
    vdh.writeWord(frame + 2, saved.cs);
    vdh.setRegisters({ esp: (saved.esp & ~0xffff) | sp });
    vdh.armReturnHook(() => this.handlerReturned(saved));
    vdh.setRegisters({
      cs: h.segment,
      eip: h.offset,
      eax: e.condition,
      ebx: e.buttons,
      ecx: e.x,
      edx: e.y,
      esi: e.mx & 0xffff,
      edi: e.my & 0xffff,
      eflags: saved.eflags & ~IF,
    });
  }

  private handlerReturned(saved: CpuRegisters): void {
    this.vdh.setRegisters(saved);
    this.inHandler = false;
    if (this.pending.length > 0) this.armCall();
  }

  // ------------------------------------------------------------------------------------ cursor

  private graphicsMode(): boolean {
    const mode = this.vdh.readByte(BDA_MODE) & 0x7f;
    return mode > 3 && mode !== 7;
  }

  private updateCursor(): void {
    this.eraseTextCursor();
    const vdh = this.vdh;
    const visible = this.hidden === 0;
    if (this.graphicsMode()) {
      // In the mode's pixels (the surface follows the mode only at the next render): 320-pixel modes
      // halve the virtual x; the virtual y is already the pixel line.
      const mode = vdh.readByte(BDA_MODE);
      // VESA modes (FFh) use pixel coordinates; of the others, the 320-pixel ones halve the virtual x.
      const narrow = mode === 0x04 || mode === 0x05 || mode === 0x0d || mode === 0x13;
      vdh.surface().setPointer(narrow ? this.x >> 1 : this.x, this.y, visible);
      return;
    }
    vdh.surface().setPointer(0, 0, false);
    if (!visible) return;
    const columns = vdh.readWord(BDA_COLUMNS) || 80;
    const cellWidth = columns <= 40 ? 16 : 8;
    const col = Math.min(columns - 1, Math.floor(this.x / cellWidth));
    const row = Math.min(vdh.readByte(BDA_ROWS), Math.floor(this.y / 8));
    const base = vdh.readWord(BDA_CRTC_BASE) === 0x3b4 ? 0xb0000 : 0xb8000;
    const addr = base + ((vdh.readWord(BDA_PAGE_START) + (row * columns + col) * 2) & 0x7fff);
    const cell = vdh.readWord(addr);
    this.drawn = { addr, saved: cell, mode: vdh.readByte(BDA_MODE) };
    vdh.writeWord(addr, (cell & this.textScreenMask) ^ this.textCursorMask);
  }

  private eraseTextCursor(): void {
    // After a mode change the cell is gone (the mode set cleared the screen): nothing to put back.
    if (this.drawn && this.vdh.readByte(BDA_MODE) === this.drawn.mode) this.vdh.writeWord(this.drawn.addr, this.drawn.saved);
    this.drawn = null;
  }

  /** The resolution of a VESA mode (BDA mode FFh), as the video VDD reports it; undefined otherwise. */
  private vbeResolution(): { width: number; height: number } | undefined {
    if (this.vdh.readByte(BDA_MODE) !== 0xff) return undefined;
    const video = this.vdh.openVdd('VVGA');
    const m = video ? (this.vdh.requestVdd(video, 2) as { width?: number; height?: number } | undefined) : undefined;
    return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
  }

  private modeSet(): void {
    this.drawn = null;
    this.hidden = -1;
    this.vdh.surface().setPointer(0, 0, false);
  }

  /** Ranges and the cursor for the current video mode (AX=0000h/0021h, and a mode the program set since). */
  private reset(): void {
    this.eraseTextCursor();
    const vdh = this.vdh;
    const mode = vdh.readByte(BDA_MODE) & 0x7f;
    const vbe = this.vbeResolution();
    const lines = vbe ? vbe.height : mode === 0x0f || mode === 0x10 ? 350 : mode === 0x11 || mode === 0x12 ? 480 : mode <= 3 || mode === 7 ? (vdh.readByte(BDA_ROWS) + 1) * 8 : 200;
    this.minX = 0;
    this.maxX = vbe ? vbe.width - 1 : 639;
    this.minY = 0;
    this.maxY = lines - 1;
    this.x = Math.floor((this.maxX + 1) / 2);
    this.y = Math.floor(lines / 2);
    this.fracX = this.fracY = 0;
    this.mickeyX = this.mickeyY = 0;
    this.ratioX = 8;
    this.ratioY = 16;
    this.hidden = -1;
    this.textScreenMask = 0x77ff;
    this.textCursorMask = 0x7700;
    this.handler = null;
    this.pending = [];
    this.threshold = 64;
    this.page = 0;
    for (const c of this.counts) Object.assign(c, { presses: 0, releases: 0, pressX: 0, pressY: 0, releaseX: 0, releaseY: 0 });
    vdh.surface().setPointer(0, 0, false);
  }

  // ------------------------------------------------------------------------------------ INT 33h

  private int33(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ax = r.eax & 0xffff;
    const bx = r.ebx & 0xffff;
    const cx = r.ecx & 0xffff;
    const dx = r.edx & 0xffff;
    const set = (regs: Partial<Record<'ax' | 'bx' | 'cx' | 'dx' | 'si' | 'di', number>>) =>
      vdh.setRegisters({
        ...(regs.ax !== undefined && { eax: (r.eax & ~0xffff) | (regs.ax & 0xffff) }),
        ...(regs.bx !== undefined && { ebx: (r.ebx & ~0xffff) | (regs.bx & 0xffff) }),
        ...(regs.cx !== undefined && { ecx: (r.ecx & ~0xffff) | (regs.cx & 0xffff) }),
        ...(regs.dx !== undefined && { edx: (r.edx & ~0xffff) | (regs.dx & 0xffff) }),
        ...(regs.si !== undefined && { esi: (r.esi & ~0xffff) | (regs.si & 0xffff) }),
        ...(regs.di !== undefined && { edi: (r.edi & ~0xffff) | (regs.di & 0xffff) }),
      });
    const signed = (v: number) => (v << 16) >> 16;
    switch (ax) {
      case 0x0000:
      case 0x0021:
        this.reset();
        set({ ax: 0xffff, bx: 2 });
        return;
      case 0x0001:
        if (this.hidden < 0) this.hidden++;
        this.updateCursor();
        return;
      case 0x0002:
        this.hidden--;
        this.updateCursor();
        return;
      case 0x0003:
        set({ bx: this.buttons, cx: this.x, dx: this.y });
        return;
      case 0x0004:
        this.x = this.clamp(signed(cx), this.minX, this.maxX);
        this.y = this.clamp(signed(dx), this.minY, this.maxY);
        this.updateCursor();
        return;
      case 0x0005:
      case 0x0006: {
        const c = this.counts[Math.min(bx, 2)];
        if (ax === 0x0005) {
          set({ ax: this.buttons, bx: c.presses, cx: c.pressX, dx: c.pressY });
          c.presses = 0;
        } else {
          set({ ax: this.buttons, bx: c.releases, cx: c.releaseX, dx: c.releaseY });
          c.releases = 0;
        }
        return;
      }
      case 0x0007:
      case 0x0008: {
        const lo = Math.min(signed(cx), signed(dx));
        const hi = Math.max(signed(cx), signed(dx));
        if (ax === 0x0007) {
          this.minX = lo;
          this.maxX = hi;
        } else {
          this.minY = lo;
          this.maxY = hi;
        }
        this.x = this.clamp(this.x, this.minX, this.maxX);
        this.y = this.clamp(this.y, this.minY, this.maxY);
        this.updateCursor();
        return;
      }
      case 0x0009:
        return; // graphics cursor shape: the shield draws its own arrow
      case 0x000a:
        if (bx === 0) {
          this.eraseTextCursor();
          this.textScreenMask = cx;
          this.textCursorMask = dx;
          this.updateCursor();
        }
        return;
      case 0x000b:
        set({ cx: this.mickeyX, dx: this.mickeyY });
        this.mickeyX = this.mickeyY = 0;
        return;
      case 0x000c:
        this.handler = cx & 0x7f ? { mask: cx & 0x7f, segment: r.es, offset: dx } : null;
        return;
      case 0x000f:
        this.ratioX = Math.max(1, cx & 0x7fff);
        this.ratioY = Math.max(1, dx & 0x7fff);
        return;
      case 0x0010:
        // Conditional off: hide while the cursor is inside the region (a program redrawing there).
        if (this.x >= Math.min(cx, r.esi & 0xffff) && this.x <= Math.max(cx, r.esi & 0xffff) && this.y >= Math.min(dx, r.edi & 0xffff) && this.y <= Math.max(dx, r.edi & 0xffff)) {
          this.hidden--;
          this.updateCursor();
        }
        return;
      case 0x0013:
        this.threshold = cx === 0 ? 64 : cx;
        return;
      case 0x0014: {
        const old = this.handler;
        this.handler = cx & 0x7f ? { mask: cx & 0x7f, segment: r.es, offset: dx } : null;
        set({ cx: old?.mask ?? 0, dx: old?.offset ?? 0 });
        vdh.setRegisters({ es: old?.segment ?? 0 });
        return;
      }
      case 0x0015:
        set({ bx: STATE_SIZE });
        return;
      case 0x0016:
        vdh.writeGuest(((r.es << 4) + dx) & 0xfffff, this.saveState());
        return;
      case 0x0017:
        this.restoreState(vdh.readGuest(((r.es << 4) + dx) & 0xfffff, STATE_SIZE));
        return;
      case 0x001a:
        this.ratioX = Math.max(1, bx);
        this.ratioY = Math.max(1, cx);
        this.threshold = dx || 64;
        return;
      case 0x001b:
        set({ bx: this.ratioX, cx: this.ratioY, dx: this.threshold });
        return;
      case 0x001d:
        this.page = bx & 7;
        return;
      case 0x001e:
        set({ bx: this.page });
        return;
      case 0x0024:
        set({ bx: 0x0805, cx: 0x0400 }); // version 8.05, a PS/2 mouse (type 4), no IRQ to report
        return;
      case 0x0026:
        set({ bx: 0, cx: this.maxX, dx: this.maxY });
        return;
      default:
        return; // functions a program may try: left as they were, as drivers do
    }
  }

  private saveState(): Uint8Array {
    const b = new Uint8Array(STATE_SIZE);
    const v = new DataView(b.buffer);
    const words = [this.x, this.y, this.minX, this.maxX, this.minY, this.maxY, this.ratioX, this.ratioY, this.hidden, this.textScreenMask, this.textCursorMask, this.handler?.mask ?? 0, this.handler?.segment ?? 0, this.handler?.offset ?? 0, this.threshold, this.page];
    words.forEach((w, i) => v.setInt16(i * 2, w, true));
    return b;
  }

  private restoreState(b: Uint8Array): void {
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const w = (i: number) => v.getInt16(i * 2, true);
    this.eraseTextCursor();
    [this.x, this.y, this.minX, this.maxX, this.minY, this.maxY] = [w(0), w(1), w(2), w(3), w(4), w(5)];
    this.ratioX = Math.max(1, w(6));
    this.ratioY = Math.max(1, w(7));
    this.hidden = Math.min(0, w(8));
    this.textScreenMask = w(9) & 0xffff;
    this.textCursorMask = w(10) & 0xffff;
    const mask = w(11) & 0x7f;
    this.handler = mask ? { mask, segment: w(12) & 0xffff, offset: w(13) & 0xffff } : null;
    this.threshold = w(14) || 64;
    this.page = w(15) & 7;
    this.updateCursor();
  }
}

/** The VMOUSE module. */
export function createVmouse(): VddModule {
  return {
    name: 'VMOUSE',
    init(vdh: Vdh): void {
      new Vmouse(vdh).install();
    },
  };
}

export default createVmouse();
