/**
 * The console: INT 21h character I/O (AH=01h-0Ch) and the CON device behind handles 0-2.
 *
 * Output goes to the screen as teletype text through VVIDEO (request 4), with tabs expanded to 8-column
 * stops as DOS's CON driver does; VVIDEO's `tty` events carry it on to `mvm run`'s stdout. Input comes first
 * from the host's stdin (request `DOSKRNL` 1: bytes, and end-of-file), then from the BIOS keyboard buffer
 * (40:1Ah-40:3Dh, which VKBD fills). A read with nothing to read returns 'wait': the VM idles until an
 * interrupt (a key) and the call runs again, keeping its half-typed line here.
 */
import { DosError, DosFail } from './dos.js';
import type { Kernel } from './kernel.js';

const BDA = 0x400;
const CR = 0x0d;
const LF = 0x0a;
const BS = 0x08;
const CTRL_C = 0x03;
const CTRL_Z = 0x1a;
const ESC = 0x1b;
/** Bytes the host may queue on stdin before it must wait for the guest to read. */
const STDIN_MAX = 1 << 20;

export type Served = true | 'wait' | undefined;

interface LineEdit {
  buf: number[];
  max: number;
  /** Where the up/down arrows are in the history (history.length: the line being typed). */
  recall: number;
}

/** Scan codes of the editing keys. */
const KEY_UP = 0x48;
const KEY_DOWN = 0x50;
const KEY_LEFT = 0x4b;
const KEY_RIGHT = 0x4d;
const KEY_F3 = 0x3d;
const KEY_ESC_LIKE = [0x01];
const HISTORY_MAX = 50;

export class Console {
  private stdin: number[] = [];
  private stdinEof = false;
  /** The second half of an extended key (scan code) for AH=01h/07h/08h. */
  private pendingScan = -1;
  /** A line being typed across waits (AH=0Ah, reads from CON). */
  private line: LineEdit | undefined;
  /** What a read from CON got beyond the caller's CX: served to the next read. */
  private conBuffer: number[] = [];
  /** The guest asked for input that was not there. */
  waitingForInput = false;
  /** Ctrl-Break was pressed (INT 1Bh): the next console call raises INT 23h, as DOS does. */
  breakPending = false;
  /** Lines entered, newest last: the up/down arrows recall them and F3 (or right arrow) copies the last. */
  private readonly history: number[][] = [];

  constructor(private readonly k: Kernel) {}

  /** Named request DOSKRNL: 1 feed stdin `{bytes?: number[] | string, eof?: boolean}`, 2 query. */
  request(command: number, input: unknown): unknown {
    switch (command) {
      case 1: {
        const arg = (input ?? {}) as { bytes?: unknown; eof?: unknown };
        const bytes = typeof arg.bytes === 'string' ? Array.from(arg.bytes, (c) => c.charCodeAt(0) & 0xff) : ((arg.bytes as number[] | undefined) ?? []);
        if (!Array.isArray(bytes) || bytes.some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error('DOSKRNL: stdin bytes must be 0..255');
        if (this.stdin.length + bytes.length > STDIN_MAX) throw new Error('DOSKRNL: stdin is full');
        this.stdin.push(...bytes);
        if (arg.eof === true) this.stdinEof = true;
        this.k.vdh.endWait();
        return { queued: this.stdin.length };
      }
      case 2:
        return { waitingForInput: this.waitingForInput, stdinQueued: this.stdin.length, eof: this.stdinEof };
      default:
        throw new Error(`DOSKRNL: unknown request ${command}`);
    }
  }

  /** Write bytes to the console (CON), tabs expanded. */
  write(bytes: ArrayLike<number>): void {
    const out: number[] = [];
    let col = this.k.vdh.readByte(BDA + 0x50 + 2 * this.k.vdh.readByte(BDA + 0x62));
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x09) {
        do {
          out.push(0x20);
          col++;
        } while (col % 8 !== 0);
        continue;
      }
      out.push(b);
      if (b === CR) col = 0;
      else if (b === BS) col = Math.max(0, col - 1);
      else if (b !== LF && b !== 0x07) col = (col + 1) % 80;
    }
    const video = this.k.vdh.openVdd('VVIDEO');
    if (video) this.k.vdh.requestVdd(video, 4, out);
  }

  /** The last byte nextByte() returned came from the host's stdin (not typed on the keyboard). */
  private fromHost = false;

  /** The next input byte, or undefined when there is none yet; -1 at end of input (stdin closed, nothing left). */
  private nextByte(): number | undefined {
    this.fromHost = false;
    if (this.pendingScan >= 0) {
      const s = this.pendingScan;
      this.pendingScan = -1;
      return s;
    }
    while (this.stdin.length > 0) {
      this.fromHost = true;
      const b = this.stdin.shift()!;
      if (b === LF) return CR; // a host text line ends in LF; DOS programs wait for Enter
      if (b === CR && this.stdin[0] === LF) continue;
      return b;
    }
    const v = this.k.vdh;
    const head = v.readWord(BDA + 0x1a);
    const tail = v.readWord(BDA + 0x1c);
    if (head !== tail) {
      const word = v.readWord(BDA + head);
      let next = head + 2;
      if (next >= (v.readWord(BDA + 0x82) || 0x3e)) next = v.readWord(BDA + 0x80) || 0x1e;
      v.writeWord(BDA + 0x1a, next);
      const ascii = word & 0xff;
      if (ascii === 0 || ascii === 0xe0) {
        this.pendingScan = word >>> 8;
        return 0;
      }
      return ascii;
    }
    if (this.stdinEof) return -1;
    return undefined;
  }

  private hasInput(): boolean {
    if (this.pendingScan >= 0 || this.stdin.length > 0) return true;
    const v = this.k.vdh;
    return v.readWord(BDA + 0x1a) !== v.readWord(BDA + 0x1c);
  }

  /** AH=01h-0Ch. */
  serve(ah: number): Served {
    const k = this.k;
    if (this.breakPending && ah >= 0x01 && ah <= 0x0c && ah !== 0x06 && ah !== 0x07) {
      this.breakPending = false;
      this.pendingScan = -1;
      return this.ctrlC();
    }
    switch (ah) {
      case 0x01:
      case 0x07:
      case 0x08: {
        const b = this.nextByte();
        if (b === undefined) return this.wait();
        this.waitingForInput = false;
        const c = b < 0 ? CTRL_Z : b;
        if (ah !== 0x07 && c === CTRL_C) return this.ctrlC();
        if (ah === 0x01) this.write([c]);
        k.setAl(c);
        return true;
      }
      case 0x02:
        this.write([k.dx & 0xff]);
        k.setAl(k.dx & 0xff);
        return true;
      case 0x03: // AUX input: nothing there
        k.setAl(CTRL_Z);
        return true;
      case 0x04: // AUX output, printer output: no ports yet
      case 0x05:
        return true;
      case 0x06: {
        if ((k.dx & 0xff) !== 0xff) {
          this.write([k.dx & 0xff]);
          k.setAl(k.dx & 0xff);
          return true;
        }
        const b = this.nextByte();
        if (b === undefined || b < 0) {
          k.setAl(0);
          k.setZero(true);
          return true;
        }
        k.setAl(b);
        k.setZero(false);
        return true;
      }
      case 0x09: {
        const out: number[] = [];
        const start = k.ds(k.dx);
        for (let i = 0; i < 0x10000; i++) {
          const b = k.vdh.readByte(start + i);
          if (b === 0x24) break; // '$'
          out.push(b);
        }
        this.write(out);
        k.setAl(0x24);
        return true;
      }
      case 0x0a:
        return this.bufferedInput();
      case 0x0b:
        k.setAl(this.hasInput() ? 0xff : 0x00);
        return true;
      case 0x0c: {
        const fn = k.al;
        if (!this.line) {
          // Flush the type-ahead, then call the function in AL (01h, 06h, 07h, 08h, 0Ah).
          this.pendingScan = -1;
          const v = k.vdh;
          v.writeWord(BDA + 0x1a, v.readWord(BDA + 0x1c));
        }
        if (![0x01, 0x06, 0x07, 0x08, 0x0a].includes(fn)) return true;
        k.set({ eax: (k.r.eax & ~0xff00) | (fn << 8) });
        const served = this.serve(fn);
        if (served !== 'wait') k.set({ eax: (k.r.eax & ~0xff00) | 0x0c00 });
        return served;
      }
      default:
        return undefined;
    }
  }

  private wait(): 'wait' {
    this.waitingForInput = true;
    return 'wait';
  }

  private ctrlC(): true {
    this.write([0x5e, 0x43, CR, LF]); // ^C
    this.line = undefined;
    this.k.vdh.pushInt(0x23);
    return true;
  }

  /** Line editing shared by AH=0Ah and reads from CON: returns the line (without CR) or 'wait'. */
  /**
   * `echoHost`: echo what came from the host's stdin too. The shell's prompt does (a transcript reads like a
   * session); a program reading its stdin does not (a filter's output is its own), as with a redirected stdin.
   */
  editLine(max: number, echoHost = true): number[] | 'wait' | 'ctrl-c' {
    this.line ??= { buf: [], max, recall: this.history.length };
    const line = this.line;
    const echo = (bytes: number[]): void => {
      if (echoHost || !this.fromHost) this.write(bytes);
    };
    for (;;) {
      const b = this.nextByte();
      if (b === undefined) return this.wait();
      this.waitingForInput = false;
      if (b < 0) {
        this.line = undefined;
        return line.buf;
      }
      if (b === 0) {
        const scan = this.nextByte() ?? -1;
        const replace = (text: number[]): void => {
          const erase: number[] = [];
          for (let i = 0; i < line.buf.length; i++) erase.push(BS, 0x20, BS);
          echo(erase);
          line.buf = text.slice(0, line.max - 1);
          echo(line.buf);
        };
        if (scan === KEY_UP && line.recall > 0) replace(this.history[--line.recall]);
        else if (scan === KEY_DOWN && line.recall < this.history.length) {
          line.recall++;
          replace(line.recall < this.history.length ? this.history[line.recall] : []);
        } else if ((scan === KEY_F3 || scan === KEY_RIGHT) && this.history.length > 0) {
          // DOS's template keys: F3 copies the rest of the last line, right arrow one more character of it.
          const last = this.history[this.history.length - 1];
          const more = last.slice(line.buf.length, scan === KEY_F3 ? undefined : line.buf.length + 1);
          line.buf.push(...more.slice(0, line.max - 1 - line.buf.length));
          echo(more);
        } else if (scan === KEY_LEFT && line.buf.length > 0) {
          line.buf.pop();
          echo([BS, 0x20, BS]);
        } else if (KEY_ESC_LIKE.includes(scan)) replace([]);
        continue;
      }
      if (b === CR) {
        echo([CR]);
        this.line = undefined;
        const last = this.history[this.history.length - 1];
        if (line.buf.length > 0 && (!last || String.fromCharCode(...last) !== String.fromCharCode(...line.buf))) {
          this.history.push([...line.buf]);
          if (this.history.length > HISTORY_MAX) this.history.shift();
        }
        return line.buf;
      }
      if (b === CTRL_C) return 'ctrl-c';
      if (b === BS || b === 0x7f) {
        if (line.buf.length > 0) {
          line.buf.pop();
          echo([BS, 0x20, BS]);
        }
        continue;
      }
      if (b === ESC) {
        echo([0x5c, CR, LF]); // '\' and a fresh line, as DOS cancels a line
        line.buf = [];
        continue;
      }
      if (line.buf.length >= line.max - 1) {
        echo([0x07]);
        continue;
      }
      line.buf.push(b);
      echo([b]);
    }
  }

  /** AH=0Ah: buffered input into DS:DX (byte 0 the size, byte 1 the count typed, then the text and CR). */
  private bufferedInput(): Served {
    const k = this.k;
    const at = k.ds(k.dx);
    const max = k.vdh.readByte(at);
    if (max === 0) return true;
    const got = this.editLine(max);
    if (got === 'wait') return 'wait';
    if (got === 'ctrl-c') return this.ctrlC();
    k.vdh.writeByte(at + 1, got.length);
    k.vdh.writeGuest(at + 2, Uint8Array.from([...got, CR]));
    return true;
  }

  /** A read of up to `count` bytes from CON (handle reads): a cooked line at a time, CR LF at its end. */
  readCon(count: number): number[] | 'wait' {
    if (this.breakPending) {
      this.breakPending = false;
      this.ctrlC();
      return [];
    }
    if (this.conBuffer.length === 0) {
      const got = this.editLine(128, false);
      if (got === 'wait') return 'wait';
      if (got === 'ctrl-c') {
        this.ctrlC();
        return [];
      }
      if (got.length === 0 && this.stdinEof && this.stdin.length === 0 && !this.hasInput()) return [];
      if (!this.fromHost) this.write([LF]);
      this.conBuffer = [...got, CR, LF];
    }
    return this.conBuffer.splice(0, count);
  }
}

export function notACharacterDevice(): never {
  throw new DosFail(DosError.invalidFunction);
}
