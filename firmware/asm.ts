/**
 * A tiny 16-bit x86 assembler for the firmware: the project builds its BIOS ROM (and later the DOSKRNL
 * stubs) from TypeScript source at build time, with no external assembler. It knows only the handful of
 * instructions firmware code needs, each written as a method named like its mnemonic, plus labels with
 * forward references and raw bytes (`db`) for anything rarer. Every method returns `this`, so code reads
 * as a column of instructions.
 *
 * Registers are numbers in the machine's encoding order: use the R16 / R8 / SREG constants.
 */

export const R16 = { ax: 0, cx: 1, dx: 2, bx: 3, sp: 4, bp: 5, si: 6, di: 7 } as const;
export const R8 = { al: 0, cl: 1, dl: 2, bl: 3, ah: 4, ch: 5, dh: 6, bh: 7 } as const;
export const SREG = { es: 0, cs: 1, ss: 2, ds: 3 } as const;

/** Condition codes for jcc (the low nibble of 70h-7Fh). */
export const CC = { o: 0, no: 1, c: 2, nc: 3, z: 4, nz: 5, be: 6, a: 7, s: 8, ns: 9, l: 0xc, ge: 0xd, le: 0xe, g: 0xf } as const;

type Fixup = { at: number; label: string; kind: 'rel8' | 'rel16' | 'abs16'; next: number };

export class Asm {
  private readonly out: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: Fixup[] = [];

  /** `origin`: the offset (within its segment) of the first byte assembled. */
  constructor(readonly origin = 0) {}

  /** The offset of the next byte. */
  get here(): number {
    return this.origin + this.out.length;
  }

  /** Define a label at the current offset. */
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} is defined twice`);
    this.labels.set(name, this.here);
    return this;
  }

  /** The offset of a defined label (after `assemble`, or for labels already passed). */
  address(name: string): number {
    const at = this.labels.get(name);
    if (at === undefined) throw new Error(`label ${name} is not defined`);
    return at;
  }

  /** Pad with `fill` up to offset `offset` (an ORG that may only move forward). */
  org(offset: number, fill = 0xff): this {
    if (offset < this.here) throw new Error(`org ${hex(offset)} is behind the current offset ${hex(this.here)}`);
    while (this.here < offset) this.out.push(fill);
    return this;
  }

  db(...bytes: number[]): this {
    for (const b of bytes) {
      if (!Number.isInteger(b) || b < -128 || b > 255) throw new Error(`db ${b} is not a byte`);
      this.out.push(b & 0xff);
    }
    return this;
  }

  dw(...words: (number | string)[]): this {
    for (const w of words) {
      if (typeof w === 'string') this.fixup(w, 'abs16', 2);
      else this.out.push(w & 0xff, (w >>> 8) & 0xff);
    }
    return this;
  }

  /** ASCII text, as bytes. */
  ascii(text: string): this {
    for (let i = 0; i < text.length; i++) this.out.push(text.charCodeAt(i) & 0xff);
    return this;
  }

  // ---- data movement
  movRegImm16(reg: number, value: number | string): this {
    this.out.push(0xb8 + reg);
    return typeof value === 'string' ? this.fixup(value, 'abs16', 2) : this.imm16(value);
  }
  movRegImm8(reg: number, value: number): this {
    return this.db(0xb0 + reg, value);
  }
  /** mov r16, r16 */
  movReg(dst: number, src: number): this {
    return this.db(0x89, 0xc0 | (src << 3) | dst);
  }
  /** mov sreg, r16 */
  movSreg(sreg: number, reg: number): this {
    return this.db(0x8e, 0xc0 | (sreg << 3) | reg);
  }
  /** mov r16, sreg */
  movFromSreg(reg: number, sreg: number): this {
    return this.db(0x8c, 0xc0 | (sreg << 3) | reg);
  }
  push(reg: number): this {
    return this.db(0x50 + reg);
  }
  pop(reg: number): this {
    return this.db(0x58 + reg);
  }
  pushSreg(sreg: number): this {
    return this.db(0x06 + (sreg << 3));
  }
  popSreg(sreg: number): this {
    if (sreg === SREG.cs) throw new Error('pop cs is not an instruction firmware should use');
    return this.db(0x07 + (sreg << 3));
  }

  // ---- arithmetic and logic on registers
  xorReg(dst: number, src: number): this {
    return this.db(0x31, 0xc0 | (src << 3) | dst);
  }
  orReg8(dst: number, src: number): this {
    return this.db(0x08, 0xc0 | (src << 3) | dst);
  }
  cmpAlImm(value: number): this {
    return this.db(0x3c, value);
  }
  cmpRegImm8(reg: number, value: number): this {
    return this.db(0x80, 0xf8 | reg, value);
  }
  /** cmp word [es:offset], imm16 */
  cmpEsWordImm(offset: number, value: number): this {
    this.db(0x26, 0x81, 0x3e);
    return this.imm16(offset).imm16(value);
  }

  // ---- strings
  cld(): this {
    return this.db(0xfc);
  }
  lodsb(): this {
    return this.db(0xac);
  }
  lodsw(): this {
    return this.db(0xad);
  }
  stosw(): this {
    return this.db(0xab);
  }

  // ---- I/O
  outImm(port: number): this {
    return this.db(0xe6, port);
  }
  inImm(port: number): this {
    return this.db(0xe4, port);
  }

  // ---- control
  cli(): this {
    return this.db(0xfa);
  }
  sti(): this {
    return this.db(0xfb);
  }
  hlt(): this {
    return this.db(0xf4);
  }
  /** The supervisor call to the host: HLT ; db n ; db ~n. */
  svc(n: number): this {
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error(`SVC ${n} is outside 0..255`);
    return this.db(0xf4, n, n ^ 0xff);
  }
  int(vector: number): this {
    return this.db(0xcd, vector);
  }
  iret(): this {
    return this.db(0xcf);
  }
  ret(): this {
    return this.db(0xc3);
  }
  retf(pop = 0): this {
    return pop ? this.db(0xca).imm16(pop) : this.db(0xcb);
  }
  call(label: string): this {
    this.out.push(0xe8);
    return this.fixup(label, 'rel16', 2);
  }
  jmp(label: string): this {
    this.out.push(0xe9);
    return this.fixup(label, 'rel16', 2);
  }
  jmpShort(label: string): this {
    this.out.push(0xeb);
    return this.fixup(label, 'rel8', 1);
  }
  jmpFar(segment: number, offset: number | string): this {
    this.out.push(0xea);
    if (typeof offset === 'string') this.fixup(offset, 'abs16', 2);
    else this.imm16(offset);
    return this.imm16(segment);
  }
  /** A short conditional jump (the only kind an 8086 has). */
  j(cc: number, label: string): this {
    this.out.push(0x70 + cc);
    return this.fixup(label, 'rel8', 1);
  }
  loop(label: string): this {
    this.out.push(0xe2);
    return this.fixup(label, 'rel8', 1);
  }

  /** Resolve every label reference and return the bytes. */
  assemble(): Uint8Array {
    for (const f of this.fixups) {
      const target = this.labels.get(f.label);
      if (target === undefined) throw new Error(`label ${f.label} is not defined`);
      const i = f.at - this.origin;
      if (f.kind === 'abs16') {
        this.out[i] = target & 0xff;
        this.out[i + 1] = (target >>> 8) & 0xff;
        continue;
      }
      const rel = target - f.next;
      if (f.kind === 'rel8') {
        if (rel < -128 || rel > 127) throw new Error(`short jump to ${f.label} at ${hex(f.at - 1)} is out of range (${rel})`);
        this.out[i] = rel & 0xff;
      } else {
        this.out[i] = rel & 0xff;
        this.out[i + 1] = (rel >>> 8) & 0xff;
      }
    }
    return Uint8Array.from(this.out);
  }

  private imm16(value: number): this {
    this.out.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }

  private fixup(label: string, kind: Fixup['kind'], size: number): this {
    const at = this.here;
    for (let i = 0; i < size; i++) this.out.push(0);
    this.fixups.push({ at, label, kind, next: this.here });
    return this;
  }
}

function hex(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0') + 'h';
}
