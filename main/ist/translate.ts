/**
 * The block translator: compiles a region of guest code (the basic blocks reachable from an entry point)
 * into one JavaScript function.
 *
 * Common 16-bit instructions (moves, ALU, INC/DEC, PUSH/POP, TEST, XCHG, LEA, NOT/NEG, shifts and every
 * near jump, call, return and loop) become straight-line code on the register file; string instructions
 * and MUL/DIV call the interpreter's routines; any other instruction is run by the interpreter's own
 * handler from inside the block, so everything the interpreter does the translator does too. A basic
 * block ends at a control transfer, at an instruction that may change CS or stop the CPU, or after
 * MAX_INSTRUCTIONS; the region's function jumps between its blocks itself.
 *
 * Invalidation: every byte a region was translated from is counted in `codeMap`, and its pages are marked
 * `PageKind.Code`, so the fast write path (plain RAM only) leaves them; the slow path drops exactly the
 * regions covering a written byte. A region that writes into its own code runs its current block on to
 * its end with the bytes it was translated from, like a prefetch queue, and leaves at its next jump.
 */
import { R8, type Cpu } from './cpu.js';
import { CpuModel, PAGE_SHIFT, PageKind } from './ist.js';
import { instructionLength, modrmLength } from './decode.js';
import { shift } from './shift.js';
import { stringOp, StrOp } from './string.js';
import { div16, div32, div8, idiv16, idiv32, idiv8, imul16, imul32, imul8, imulTrunc, mul16, mul32, mul8 } from './muldiv.js';
import { execute } from './instructions.js';

/** Longest basic block, and most instructions in one region. */
const MAX_INSTRUCTIONS = 48;
const MAX_REGION = 200;
/**
 * Visits to an entry point before it is translated. Boot and start-up code runs a few times and is cheaper
 * to interpret than to compile: booting FreeDOS translates 1,468 regions at 4 (RSS 127 MiB) and 318 at 256
 * (RSS 77 MiB), and reaches the prompt sooner; hot loops are translated within microseconds either way.
 */
const HOT_THRESHOLD = 256;

/** A translated region: entry CS base and IP, the byte ranges it was translated from, and the compiled code. */
export class Block {
  valid = true;
  /** Last successors seen, so hot paths go region to region without a map lookup. */
  nextA: Block | undefined = undefined;
  nextB: Block | undefined = undefined;
  run: (cpu: Cpu, budget: number) => number = () => 0;
  /** Most instructions the entry basic block executes (the run loop only enters a region its budget can pay for). */
  count = 0;
  constructor(
    readonly csBase: number,
    /** Translated as 32-bit code (CS's D bit): a block runs only under the code size it was built for. */
    readonly big: boolean,
    readonly ip: number,
    /** Physical address of the entry, the key in the translator's map. */
    readonly start: number,
    /** [start, end) pairs of physical bytes the code was translated from. */
    readonly ranges: number[],
  ) {}

  covers(addr: number): boolean {
    const r = this.ranges;
    for (let i = 0; i < r.length; i += 2) if (addr >= r[i] && addr < r[i + 1]) return true;
    return false;
  }
}

/** Helpers the generated code calls, bound into every block's closure (built on first use: modules import each other). */
function helpers() {
  return { shift, execute, stringOp, mul8, mul16, mul32, imul8, imul16, imul32, div8, div16, div32, idiv8, idiv16, idiv32, imulTrunc };
}
type Helpers = ReturnType<typeof helpers>;

/** Blocks of one CPU, by physical start address, and the byte map of translated code. */
export class Translator {
  readonly blocks = new Map<number, Block>();
  readonly codeMap: Uint8Array;
  private readonly helpers: Helpers = helpers();
  /** Blocks by 4 KiB page, for invalidation. */
  private readonly byPage = new Map<number, Block[]>();
  compiled = 0;

  constructor(private readonly cpu: Cpu) {
    this.codeMap = new Uint8Array(cpu.ram.length);
  }

  /**
   * The region at CS:IP once that entry has been reached `hotThreshold` times (code that runs once is
   * cheaper to interpret than to compile); undefined until then, or when the code is not in RAM or ROM.
   */
  lookup(lin: number): Block | undefined {
    const cpu = this.cpu;
    const b = this.blocks.get(lin);
    if (b !== undefined && b.valid && b.ip === cpu.ip && b.csBase === cpu.csBase && b.big === (cpu.codeSize === 32)) return b;
    if (this.hotThreshold > 0) {
      const seen = this.visits.get(lin) ?? 0;
      if (seen < this.hotThreshold) {
        this.visits.set(lin, seen + 1);
        return undefined;
      }
    }
    return this.translate(lin);
  }

  /** How often an entry point is interpreted before it is translated (0: at once). */
  hotThreshold = HOT_THRESHOLD;
  private readonly visits = new Map<number, number>();

  /** A write hit a page holding translated code: drop the blocks that cover the byte. */
  invalidate(addr: number): void {
    if (addr >= this.codeMap.length || this.codeMap[addr] === 0) return;
    const list = this.byPage.get(addr >>> PAGE_SHIFT);
    if (list === undefined) return;
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (b.covers(addr)) this.drop(b);
    }
  }

  /** Forget everything (reset, or a change of the memory map). */
  flush(): void {
    for (const b of [...this.blocks.values()]) this.drop(b);
    this.blocks.clear();
    this.byPage.clear();
    this.visits.clear();
  }

  /**
   * Longest basic block in instructions. 1 makes every instruction a block of its own, which lets the
   * single-instruction conformance vectors exercise the generated code for each instruction.
   */
  maxBasicBlock = MAX_INSTRUCTIONS;
  /** Most instructions in one region. */
  maxRegion = MAX_REGION;

  /**
   * Translate the region reachable from CS:IP: basic blocks found by following static successors (jump
   * targets, fall-throughs), up to MAX_REGION instructions, compiled into one function that jumps
   * between its blocks itself and returns to the run loop only to leave the region.
   */
  private translate(lin: number): Block | undefined {
    const cpu = this.cpu;
    const csBase = cpu.csBase;
    const entry = cpu.ip;
    const built = new Map<number, { code: string; count: number; start: number; end: number }>();
    const queue = [entry];
    let total = 0;
    while (queue.length > 0 && total < this.maxRegion) {
      const ip = queue.shift()!;
      if (built.has(ip)) continue;
      const phys = codeAddress(cpu, csBase + ip);
      if (phys < 0) continue;
      const kind = cpu.pageKind[phys >>> PAGE_SHIFT];
      if (kind === undefined || kind > PageKind.Rom || phys >= this.codeMap.length) continue;
      const bb = new BlockBuilder(cpu, csBase, ip, this.maxBasicBlock);
      const code = bb.build();
      if (bb.length === 0) continue;
      built.set(ip, { code, count: bb.count, start: phys, end: Math.min(phys + bb.length, this.codeMap.length) });
      total += bb.count;
      for (const next of bb.successors) if (!built.has(next)) queue.push(next);
    }
    const first = built.get(entry);
    if (first === undefined) return undefined;
    const cases: string[] = [];
    for (const [ip, bb] of built) {
      const code = bb.code.replace(/\u0003(\d+)\u0003/g, (_, t: string) => {
        const target = built.get(Number(t));
        if (target === undefined) return `cpu.ip = ${t}; return done;`;
        return `if (done + ${target.count} > budget || cpu.attention !== 0 || !blk.valid) { cpu.ip = ${t}; return done; } ip = ${t}; continue;`;
      });
      cases.push(`case ${ip}: {\n${code}\n}`);
    }
    const source = [
      '"use strict";',
      'const { shift, execute, stringOp, mul8, mul16, mul32, imul8, imul16, imul32, div8, div16, div32, idiv8, idiv16, idiv32, imulTrunc } = h;',
      'return function region(cpu, budget) {',
      'const r8 = cpu.r8, r16 = cpu.r16, r32 = cpu.r32;',
      'let done = 0;',
      `let ip = ${entry};`,
      'for (;;) {',
      'switch (ip) {',
      ...cases,
      'default: cpu.ip = ip; return done;',
      '}',
      '}',
      '};',
    ].join('\n');
    const ranges: number[] = [];
    for (const bb of built.values()) ranges.push(bb.start, bb.end);
    const block = new Block(csBase, cpu.codeSize === 32, entry, lin, ranges);
    const factory = new Function('h', 'blk', source) as (h: Helpers, blk: Block) => (cpu: Cpu, budget: number) => number;
    block.run = factory(this.helpers, block);
    block.count = first.count;
    this.compiled++;
    const old = this.blocks.get(lin);
    if (old !== undefined) this.drop(old);
    this.blocks.set(lin, block);
    for (let i = 0; i < ranges.length; i += 2) {
      for (let a = ranges[i]; a < ranges[i + 1]; a++) this.codeMap[a]++;
      for (let p = ranges[i] >>> PAGE_SHIFT; p <= (ranges[i + 1] - 1) >>> PAGE_SHIFT; p++) {
        let list = this.byPage.get(p);
        if (list === undefined) this.byPage.set(p, (list = []));
        if (!list.includes(block)) list.push(block);
        if (cpu.pageKind[p] === PageKind.Ram) cpu.pageKind[p] = PageKind.Code;
      }
    }
    return block;
  }

  /** Invalidate a block and release its bytes. */
  private drop(b: Block): void {
    if (!b.valid) return;
    b.valid = false;
    if (this.blocks.get(b.start) === b) this.blocks.delete(b.start);
    const r = b.ranges;
    for (let i = 0; i < r.length; i += 2) {
      for (let a = r[i]; a < r[i + 1]; a++) if (this.codeMap[a] > 0) this.codeMap[a]--;
      for (let p = r[i] >>> PAGE_SHIFT; p <= (r[i + 1] - 1) >>> PAGE_SHIFT; p++) {
        const list = this.byPage.get(p);
        const at = list ? list.indexOf(b) : -1;
        if (at >= 0) list!.splice(at, 1);
      }
    }
  }
}

/**
 * The physical address code at linear `lin` is fetched from, or -1 when it is not mapped (paging): a
 * translation must not raise the page fault itself, nor leave CR2 changed.
 */
function codeAddress(cpu: Cpu, lin: number): number {
  if (!cpu.paging) return lin & cpu.amask;
  const cr2 = cpu.cr[2];
  try {
    return cpu.linToPhys(lin, false) & cpu.amask;
  } catch {
    cpu.cr[2] = cr2;
    return -1;
  }
}

/** Instructions after which a block always ends (they may jump, stop or change CS). */
const ENDS_BLOCK = new Uint8Array(256);
for (const op of [
  0x0f, 0x17, 0x8e, 0x9a, 0x9d, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xe0, 0xe1, 0xe2, 0xe3,
  0xe8, 0xe9, 0xea, 0xeb, 0xf4, 0xfa, 0xfb, 0xff,
]) {
  ENDS_BLOCK[op] = 1;
}
for (let op = 0x60; op <= 0x7f; op++) ENDS_BLOCK[op] = 1;
for (let op = 0xa4; op <= 0xaf; op++) ENDS_BLOCK[op] = 1; // string ops the fast path leaves (66h/67h) restart in chunks
for (let op = 0x6c; op <= 0x6f; op++) ENDS_BLOCK[op] = 1;
ENDS_BLOCK[0xc8] = ENDS_BLOCK[0xc9] = 1; // 8086 aliases of RETF

const SEG_PREFIX: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3 };
/** String instructions the translator calls the interpreter's routine for: opcode to StrOp. */
const STRING_OP: Record<number, number> = {
  0xa4: StrOp.MOVS, 0xa5: StrOp.MOVS, 0xa6: StrOp.CMPS, 0xa7: StrOp.CMPS, 0xaa: StrOp.STOS, 0xab: StrOp.STOS,
  0xac: StrOp.LODS, 0xad: StrOp.LODS, 0xae: StrOp.SCAS, 0xaf: StrOp.SCAS,
};

// Arithmetic flags, for the liveness pass that drops flag updates nobody reads.
const CF = 0x001;
const ZF = 0x040;
const SF = 0x080;
const OF = 0x800;
const ALL = 0x8d5;
/** Flags each Jcc condition (by cc >> 1) reads. */
const COND_READS = [OF, CF, ZF, CF | ZF, SF, 0x004, SF | OF, ZF | SF | OF];

/** Markers around flag-recording code, removed when the flags it records are dead. */
const FLAGS_ON = '\u0001';
const FLAGS_OFF = '\u0002';
/** Marker of a jump to another instruction, resolved once the region's blocks are known. */
const GOTO = '\u0003';

function goto(ip: number): string {
  return `${GOTO}${ip}${GOTO}`;
}

/** One translated instruction, before the liveness pass. */
interface Emitted {
  code: string;
  /** Flags it reads, and flags it writes (its recording can go when none of these is read later). */
  reads: number;
  writes: number;
  /** The block may leave right after it, so every flag must be exact there. */
  exit: boolean;
}

/** A fast-path instruction as `fastPath` returns it. NEXT: IP after it; DONE: instructions done once it ends. */
interface Fast {
  code: string;
  len: number;
  ends: boolean;
  memory: boolean;
  reads: number;
  writes: number;
}

/** Generates the source of one block. */
class BlockBuilder {
  private readonly items: Emitted[] = [];
  private ip: number;
  /** Bytes consumed so far. */
  length = 0;
  count = 0;
  private readonly mayFault: boolean;
  /** 32-bit code: default operand and address size 32 (CS's D bit). */
  private readonly big: boolean;

  constructor(
    private readonly cpu: Cpu,
    private readonly csBase: number,
    private readonly entryIp: number,
    private readonly maxInstructions: number,
  ) {
    this.ip = entryIp;
    // On the 8086 and 186 an ordinary memory access cannot fault; later chips raise #GP at offset FFFFh.
    this.mayFault = cpu.model >= CpuModel.i80286;
    this.big = cpu.codeSize === 32;
  }

  private byte(i: number): number {
    const a = codeAddress(this.cpu, this.csBase + ((this.ip + i) & this.cpu.ipMask));
    return a < 0 ? 0 : this.cpu.readPhys8(a);
  }

  /** The instruction being built: its index, address and prefixes. */
  private current = { k: 0, start: 0, seg: -1, rep: 0 };
  /** The last flag-setting instruction whose operands are still in locals (a_k, b_k, r_k). */
  private producer: { k: number; kind: 'add' | 'sub' | 'logic' | 'inc' | 'dec'; sign: number } | undefined;

  /** Instruction-start IPs this basic block may continue at (jump targets and fall-throughs it knows statically). */
  readonly successors: number[] = [];

  /** The body of one basic block: straight-line code ending in a return or a GOTO to another block. */
  build(): string {
    let ended = false;
    const cpu = this.cpu;
    while (!ended && this.count < this.maxInstructions) {
      const lin = this.csBase + this.ip;
      const phys = codeAddress(cpu, lin);
      if (phys < 0) break;
      const kind = cpu.pageKind[phys >>> PAGE_SHIFT];
      if (kind === undefined || kind > PageKind.Rom) break;
      if (!this.big && this.ip > 0xfff0) break; // keep clear of the 64 KiB wrap
      // Protected mode: nothing past CS's limit (the fetch faults there), and with paging no instruction
      // across a page, whose two halves may lie anywhere.
      if (cpu.pe && (this.ip >>> 0) + 15 > cpu.csLimit) break;
      if (cpu.paging && (lin & 0xfff) > 0xff0) break;
      ended = this.instruction();
    }
    if (!ended) {
      this.successors.push(this.ip);
      this.items.push({ code: `done += ${this.count}; ${goto(this.ip)}`, reads: ALL, writes: 0, exit: true });
    }
    // Liveness: walking backwards, a flag is live if a later instruction reads it before one writes it.
    let live = ALL;
    const body: string[] = [];
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i];
      if (it.exit) live = ALL;
      let code = it.code;
      if (code.includes(FLAGS_ON)) {
        const keep = (it.writes & live) !== 0;
        code = code.replace(/\u0001([^\u0002]*)\u0002/g, keep ? '$1' : '');
      }
      body.push(code);
      live = (live & ~it.writes) | it.reads;
    }
    return body.reverse().join('\n');
  }

  /** Emit one instruction; returns true when the block ends after it. */
  private instruction(): boolean {
    const start = this.ip;
    let n = 0;
    let seg = -1;
    let rep = 0;
    let b = this.byte(0);
    for (;;) {
      if (SEG_PREFIX[b] !== undefined && seg < 0) seg = SEG_PREFIX[b];
      else if ((b === 0xf2 || b === 0xf3) && rep === 0 && STRING_OP[this.byte(n + 1)] !== undefined) rep = b;
      else break;
      b = this.byte(++n);
    }
    const op = b;
    const k = this.count;
    this.current = { k, start, seg, rep };
    const producerBefore = this.producer;
    const fast = rep !== 0 && STRING_OP[op] === undefined ? undefined : this.fastPath(op, n, seg);
    if (fast !== undefined) {
      const next = this.big ? (start + fast.len) | 0 : (start + fast.len) & 0xffff;
      let code = `// ${hex(start)}: ${hex(op)}\n`;
      if (fast.memory && this.mayFault) code += `cpu.instrStart = ${start}; cpu.blockDone = done + ${k};\n`;
      // Locals get the instruction's index, so a later Jcc can read a compare's operands directly.
      code += fast.code
        .replace(/NEXT/g, String(next))
        .replace(/DONE/g, `done + ${k + 1}`)
        .replace(/\b(ea|a|b|r|v|cx)\b/g, `$1_${k}`);
      this.items.push({ code, reads: fast.reads, writes: fast.writes, exit: fast.ends });
      // A flag producer leaves its locals for a following Jcc; anything else touching the flags ends that.
      if (this.producer === producerBefore && fast.writes !== 0) this.producer = undefined;
      if (fast.reads === ALL && this.producer === producerBefore) this.producer = undefined;
      this.ip = next;
      this.length += fast.len;
      this.count++;
      return fast.ends;
    }
    this.producer = undefined;
    // Anything else: the interpreter's handler, run from here on live memory.
    const len = instructionLength((i) => this.byte(i), this.big);
    let code =
      `// ${hex(start)}: ${hex(op)} (interpreted)\n` +
      `cpu.ip = ${start}; cpu.instrStart = ${start}; cpu.blockDone = done + ${k};\n` +
      'execute(cpu, cpu.fetch8()); if (cpu.prefixed) cpu.clearPrefixes();\n';
    this.count++;
    if (ENDS_BLOCK[op]) {
      code += `return done + ${k + 1};`;
      this.items.push({ code, reads: ALL, writes: 0, exit: true });
      this.length += len;
      return true;
    }
    const next = this.big ? (start + len) | 0 : (start + len) & 0xffff;
    // Leave when it jumped, stopped, changed CS or the mode (code size, breakpoints), or dropped translations.
    code +=
      `if (cpu.ip !== ${next} || cpu.attention !== 0 || cpu.csBase !== ${this.csBase} || cpu.codeSize !== ${this.big ? 32 : 16} || ` +
      `cpu.breakpoints || !blk.valid) return done + ${k + 1};`;
    this.items.push({ code, reads: ALL, writes: 0, exit: true });
    this.ip = next;
    this.length += len;
    return false;
  }

  /** A branch that ends the basic block: to `target` when `cond` holds, else to `next`. */
  private branch(cond: string, target: number, next: number): string {
    const n = this.count + 1;
    this.successors.push(target);
    if (cond === 'true') return `done += ${n}; ${goto(target)}`;
    this.successors.push(next);
    return `done += ${n}; if (${cond}) { ${goto(target)} } ${goto(next)}`;
  }

  /**
   * Straight-line code for the common instructions of the code's size (16-bit or 32-bit operands and
   * addresses, no 66h/67h prefix), or undefined to leave it to the interpreter.
   */
  private fastPath(op: number, n: number, seg: number): Fast | undefined {
    const cpu = this.cpu;
    const big = this.big;
    let len = n + 1;
    let memory = false;
    /** Operand-size forms: 16-bit code uses the word registers, 32-bit code the dword ones. */
    const S = big ? 31 : 15;
    const M = big ? 0xffffffff : 0xffff;
    const wrapV = (e: string): string => (big ? `(${e}) | 0` : `(${e}) & 0xffff`);
    const reg = (r: number): string => (big ? `r32[${r}]` : `r16[${r << 1}]`);
    // Built while paging is on: the paged accessors (TLB looked up inline); regions are dropped when it changes.
    const pg = cpu.paging ? 'p' : '';
    const push = big ? `cpu.${pg}push32` : `cpu.${pg}push16`;
    const pop = big ? `cpu.${pg}pop32` : `cpu.${pg}pop16`;
    /** ModR/M operand: expressions to read and write it (operand size or 8 bits). */
    const modrm = () => {
      const m = this.byte(len);
      len++;
      if (m >= 0xc0) {
        const r = m & 7;
        return {
          m,
          ea: '',
          rdV: reg(r),
          wrV: (v: string) => `${reg(r)} = ${v};`,
          rd8: `r8[${R8[r]}]`,
          wr8: (v: string) => `r8[${R8[r]}] = ${v};`,
        };
      }
      memory = true;
      const { expr, segment, length } = big ? this.effectiveAddress32(m, len, seg) : { ...this.effectiveAddress(m, len, seg), length: modrmLength(m) };
      len += length - 1;
      return {
        m,
        ea: `const ea = ${expr};`,
        rdV: big ? `cpu.${pg}read32(${segment}, ea)` : `cpu.${pg}read16(${segment}, ea)`,
        wrV: (v: string) => (big ? `cpu.${pg}write32(${segment}, ea, ${v});` : `cpu.${pg}write16(${segment}, ea, ${v});`),
        rd8: `cpu.${pg}read8(${segment}, ea)`,
        wr8: (v: string) => `cpu.${pg}write8(${segment}, ea, ${v});`,
      };
    };
    const imm8 = (): number => this.byte(len++);
    const imm16 = (): number => {
      const v = this.byte(len) | (this.byte(len + 1) << 8);
      len += 2;
      return v;
    };
    const imm32 = (): number => {
      const v = this.byte(len) | (this.byte(len + 1) << 8) | (this.byte(len + 2) << 16) | (this.byte(len + 3) << 24);
      len += 4;
      return v;
    };
    const immV = (): number => (big ? imm32() : imm16());
    const rel8 = (): number => (imm8() << 24) >> 24;
    const relV = (): number => (big ? imm32() : (imm16() << 16) >> 16);
    const nextIp = (): number => (big ? (this.ip + len) | 0 : (this.ip + len) & 0xffff);
    const target = (next: number, d: number): number => (big ? (next + d) | 0 : (next + d) & 0xffff);
    const done = (code: string, reads = 0, writes = 0, ends = false): Fast => ({ code, len, ends, memory, reads, writes });
    /** ALU operation `aop` on a and b of width `sign` (7/15/31), leaving the result in `r`. */
    const aluOp = (aop: number, a: string, b: string, sign: number): { code: string; reads: number } => {
      const wrap = (e: string): string => (sign === 31 ? `(${e}) | 0` : `(${e}) & ${sign === 7 ? 0xff : 0xffff}`);
      const lazyArith = (kind: number) =>
        `${FLAGS_ON}cpu.lKind = ${kind}; cpu.lOp1 = a; cpu.lOp2 = b; cpu.lRes = r; cpu.lSign = ${sign}; cpu.lazy = ${ALL};${FLAGS_OFF}`;
      const logic = `${FLAGS_ON}cpu.lRes = r; cpu.lSign = ${sign}; cpu.lazy = 0xc4; cpu.flags &= ~${ALL};${FLAGS_OFF}`;
      const ab = `const a = ${a}, b = ${b};`;
      const k = this.current.k;
      this.producer = aop === 2 || aop === 3 ? undefined : { k, kind: aop === 0 ? 'add' : aop === 5 || aop === 7 ? 'sub' : 'logic', sign };
      switch (aop) {
        case 0: return { code: `${ab} const r = ${wrap('a + b')}; ${lazyArith(0)}`, reads: 0 };
        case 1: return { code: `${ab} const r = ${wrap('a | b')}; ${logic}`, reads: 0 };
        case 2: return { code: `${ab} const r = ${wrap('a + b + cpu.getCF()')}; ${lazyArith(0)}`, reads: CF };
        case 3: return { code: `${ab} const r = ${wrap('a - b - cpu.getCF()')}; ${lazyArith(1)}`, reads: CF };
        case 4: return { code: `${ab} const r = ${wrap('a & b')}; ${logic}`, reads: 0 };
        case 6: return { code: `${ab} const r = ${wrap('a ^ b')}; ${logic}`, reads: 0 };
        default: return { code: `${ab} const r = ${wrap('a - b')}; ${lazyArith(1)}`, reads: 0 }; // SUB, CMP
      }
    };
    const incDec = (isInc: boolean, a: string, sign: number): string => {
      const e = `a ${isInc ? '+' : '-'} 1`;
      const r = sign === 31 ? `(${e}) | 0` : `(${e}) & ${sign === 7 ? 0xff : 0xffff}`;
      this.producer = { k: this.current.k, kind: isInc ? 'inc' : 'dec', sign };
      return (
        `const a = ${a}; const r = ${r}; ` +
        `${FLAGS_ON}cpu.materializeBit(1); cpu.lKind = ${isInc ? 0 : 1}; cpu.lOp1 = a; cpu.lOp2 = 1; cpu.lRes = r; cpu.lSign = ${sign}; cpu.lazy = ${ALL & ~CF};${FLAGS_OFF}`
      );
    };
    const testOp = (a: string, b: string, sign: number): string => {
      this.producer = { k: this.current.k, kind: 'logic', sign };
      return `const r = ${a} & ${b}; ${FLAGS_ON}cpu.lRes = r; cpu.lSign = ${sign}; cpu.lazy = 0xc4; cpu.flags &= ~${ALL};${FLAGS_OFF}`;
    };
    const immS = (v: number): string => String(big ? v | 0 : v & 0xffff);

    if (op < 0x40 && (op & 7) < 6) {
      const aop = op >> 3;
      const store = aop !== 7;
      switch (op & 7) {
        case 0: {
          const e = modrm();
          const r = R8[(e.m >> 3) & 7];
          const a = aluOp(aop, e.rd8, `r8[${r}]`, 7);
          return done(`${e.ea} ${a.code} ${store ? e.wr8('r') : ''}`, a.reads, ALL);
        }
        case 1: {
          const e = modrm();
          const a = aluOp(aop, e.rdV, reg((e.m >> 3) & 7), S);
          return done(`${e.ea} ${a.code} ${store ? e.wrV('r') : ''}`, a.reads, ALL);
        }
        case 2: {
          const e = modrm();
          const r = R8[(e.m >> 3) & 7];
          const a = aluOp(aop, `r8[${r}]`, e.rd8, 7);
          return done(`${e.ea} ${a.code} ${store ? `r8[${r}] = r;` : ''}`, a.reads, ALL);
        }
        case 3: {
          const e = modrm();
          const r = reg((e.m >> 3) & 7);
          const a = aluOp(aop, r, e.rdV, S);
          return done(`${e.ea} ${a.code} ${store ? `${r} = r;` : ''}`, a.reads, ALL);
        }
        case 4: {
          const a = aluOp(aop, 'r8[0]', String(imm8()), 7);
          return done(`${a.code} ${store ? 'r8[0] = r;' : ''}`, a.reads, ALL);
        }
        default: {
          const a = aluOp(aop, reg(0), immS(immV()), S);
          return done(`${a.code} ${store ? `${reg(0)} = r;` : ''}`, a.reads, ALL);
        }
      }
    }
    switch (op) {
      case 0x0f: {
        if (!big) return undefined;
        const op2 = this.byte(len);
        len++;
        if (op2 >= 0x80 && op2 <= 0x8f) {
          const d = imm32();
          const next = nextIp();
          return done(this.branch(this.conditionCode(op2 & 15), target(next, d), next), COND_READS[(op2 & 15) >> 1], 0, true);
        }
        if (op2 === 0xb6 || op2 === 0xb7 || op2 === 0xbe || op2 === 0xbf) {
          const e = modrm();
          const r = reg((e.m >> 3) & 7);
          const src = op2 & 1 ? (e.m >= 0xc0 ? `r16[${(e.m & 7) << 1}]` : e.rdV.replace('read32(', 'read16(')) : e.rd8;
          const v = op2 < 0xbe ? src : op2 & 1 ? `((${src} << 16) >> 16)` : `((${src} << 24) >> 24)`;
          return done(`${e.ea} ${r} = ${v};`);
        }
        if (op2 === 0xaf) {
          const e = modrm();
          const r = reg((e.m >> 3) & 7);
          memory = true;
          return done(`${e.ea} ${r} = imulTrunc(cpu, ${r}, ${e.rdV}, 31);`, 0, ALL);
        }
        if (op2 >= 0x90 && op2 <= 0x9f) {
          const e = modrm();
          return done(`${e.ea} ${e.wr8(`${this.conditionCode(op2 & 15)} ? 1 : 0`)}`, COND_READS[(op2 & 15) >> 1], 0);
        }
        return undefined;
      }
      case 0x40: case 0x41: case 0x42: case 0x43: case 0x44: case 0x45: case 0x46: case 0x47:
      case 0x48: case 0x49: case 0x4a: case 0x4b: case 0x4c: case 0x4d: case 0x4e: case 0x4f: {
        const r = reg(op & 7);
        return done(`${incDec(op < 0x48, r, S)} ${r} = r;`, 0, ALL & ~CF);
      }
      case 0x50: case 0x51: case 0x52: case 0x53: case 0x55: case 0x56: case 0x57:
        memory = true;
        return done(`${push}(${reg(op & 7)});`);
      case 0x54:
        if (cpu.model <= CpuModel.i80186) return undefined; // pushes the decremented SP: the interpreter knows
        memory = true;
        return done(`${push}(${reg(4)});`);
      case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
        memory = true;
        return done(`const v = ${pop}(); ${reg(op & 7)} = v;`);
      case 0x68:
        if (!big) return undefined;
        memory = true;
        return done(`cpu.push32(${imm32()});`);
      case 0x6a:
        if (!big) return undefined;
        memory = true;
        return done(`cpu.push32(${rel8()});`);
      case 0x69: case 0x6b: {
        if (!big) return undefined;
        const e = modrm();
        const v = op === 0x69 ? imm32() : rel8();
        memory = true;
        return done(`${e.ea} ${reg((e.m >> 3) & 7)} = imulTrunc(cpu, ${e.rdV}, ${v}, 31);`, 0, ALL);
      }
      case 0x70: case 0x71: case 0x72: case 0x73: case 0x74: case 0x75: case 0x76: case 0x77:
      case 0x78: case 0x79: case 0x7a: case 0x7b: case 0x7c: case 0x7d: case 0x7e: case 0x7f: {
        const d = rel8();
        const next = nextIp();
        return done(this.branch(this.conditionCode(op & 15), target(next, d), next), COND_READS[(op & 15) >> 1], 0, true);
      }
      case 0x80: case 0x81: case 0x82: case 0x83: {
        const e = modrm();
        const aop = (e.m >> 3) & 7;
        const store = aop !== 7;
        if (op === 0x80 || op === 0x82) {
          const a = aluOp(aop, e.rd8, String(imm8()), 7);
          return done(`${e.ea} ${a.code} ${store ? e.wr8('r') : ''}`, a.reads, ALL);
        }
        const v = op === 0x81 ? immV() : (imm8() << 24) >> 24;
        const a = aluOp(aop, e.rdV, immS(v), S);
        return done(`${e.ea} ${a.code} ${store ? e.wrV('r') : ''}`, a.reads, ALL);
      }
      case 0x84: case 0x85: {
        const e = modrm();
        const r = (e.m >> 3) & 7;
        return op === 0x84
          ? done(`${e.ea} ${testOp(e.rd8, `r8[${R8[r]}]`, 7)}`, 0, ALL)
          : done(`${e.ea} ${testOp(e.rdV, reg(r), S)}`, 0, ALL);
      }
      case 0x86: case 0x87: {
        const e = modrm();
        const r = (e.m >> 3) & 7;
        return op === 0x86
          ? done(`${e.ea} const a = ${e.rd8}; ${e.wr8(`r8[${R8[r]}]`)} r8[${R8[r]}] = a;`)
          : done(`${e.ea} const a = ${e.rdV}; ${e.wrV(reg(r))} ${reg(r)} = a;`);
      }
      case 0x88: case 0x89: case 0x8a: case 0x8b: {
        const e = modrm();
        const r = (e.m >> 3) & 7;
        switch (op) {
          case 0x88: return done(`${e.ea} ${e.wr8(`r8[${R8[r]}]`)}`);
          case 0x89: return done(`${e.ea} ${e.wrV(reg(r))}`);
          case 0x8a: return done(`${e.ea} r8[${R8[r]}] = ${e.rd8};`);
          default: return done(`${e.ea} ${reg(r)} = ${e.rdV};`);
        }
      }
      case 0x8d: {
        if (this.byte(len) >= 0xc0) return undefined;
        const e = modrm();
        memory = false; // LEA computes an address but touches no memory
        return done(`${e.ea} ${reg((e.m >> 3) & 7)} = ea;`);
      }
      case 0x90:
        return done('');
      case 0x91: case 0x92: case 0x93: case 0x94: case 0x95: case 0x96: case 0x97:
        return done(`const a = ${reg(0)}; ${reg(0)} = ${reg(op & 7)}; ${reg(op & 7)} = a;`);
      case 0x98:
        return done(big ? 'r32[0] = (r16[0] << 16) >> 16;' : 'r16[0] = (r8[0] << 24) >> 24;');
      case 0x99:
        return done(big ? 'r32[2] = r32[0] >> 31;' : 'r16[4] = r16[0] & 0x8000 ? 0xffff : 0;');
      case 0xa0: case 0xa1: case 0xa2: case 0xa3: {
        // MOV AL/eAX <-> [moffs]: a 16- or 32-bit offset by the code's address size.
        const off = big ? imm32() : imm16();
        const sg = seg >= 0 ? seg : 3;
        memory = true;
        switch (op) {
          case 0xa0: return done(`r8[0] = cpu.read8(${sg}, ${off});`);
          case 0xa1: return done(`${reg(0)} = ${big ? 'cpu.read32' : 'cpu.read16'}(${sg}, ${off});`);
          case 0xa2: return done(`cpu.write8(${sg}, ${off}, r8[0]);`);
          default: return done(`${big ? 'cpu.write32' : 'cpu.write16'}(${sg}, ${off}, ${reg(0)});`);
        }
      }
      case 0xa8:
        return done(testOp('r8[0]', String(imm8()), 7), 0, ALL);
      case 0xa9:
        return done(testOp(reg(0), immS(immV()), S), 0, ALL);
      case 0xb0: case 0xb1: case 0xb2: case 0xb3: case 0xb4: case 0xb5: case 0xb6: case 0xb7:
        return done(`r8[${R8[op & 7]}] = ${imm8()};`);
      case 0xb8: case 0xb9: case 0xba: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
        return done(`${reg(op & 7)} = ${immS(immV())};`);
      case 0xc0: case 0xc1: {
        if (cpu.model === CpuModel.i8086) return undefined; // aliases of C2/C3 there
        const e = modrm();
        const sop = (e.m >> 3) & 7;
        const count = imm8();
        return op & 1
          ? done(`${e.ea} const r = shift(cpu, ${sop}, ${e.rdV}, ${count}, ${S}); ${e.wrV('r')}`, ALL, 0)
          : done(`${e.ea} const r = shift(cpu, ${sop}, ${e.rd8}, ${count}, 7); ${e.wr8('r')}`, ALL, 0);
      }
      case 0xc3:
        memory = true;
        return done(`cpu.ip = ${pop}(); return DONE;`, 0, 0, true);
      case 0xc2: {
        const v = imm16();
        memory = true;
        return done(`cpu.ip = ${pop}(); cpu.adjustSP(${v}); return DONE;`, 0, 0, true);
      }
      case 0xc6: case 0xc7: {
        if (this.byte(len) & 0x38) return undefined;
        const e = modrm();
        return op === 0xc6 ? done(`${e.ea} ${e.wr8(String(imm8()))}`) : done(`${e.ea} ${e.wrV(immS(immV()))}`);
      }
      case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
        if (cpu.model === CpuModel.i8086 && ((this.byte(len) >> 3) & 7) === 6) return undefined; // SETMO/SETMOC
        const e = modrm();
        const sop = (e.m >> 3) & 7;
        const count = op <= 0xd1 ? '1' : 'r8[4]';
        // shift() records its own flags (and leaves them alone for a zero count): count it as reading them all.
        return op & 1
          ? done(`${e.ea} const r = shift(cpu, ${sop}, ${e.rdV}, ${count}, ${S}); ${e.wrV('r')}`, ALL, 0)
          : done(`${e.ea} const r = shift(cpu, ${sop}, ${e.rd8}, ${count}, 7); ${e.wr8('r')}`, ALL, 0);
      }
      case 0xe0: case 0xe1: case 0xe2: {
        const d = rel8();
        const next = nextIp();
        const cond = op === 0xe2 ? 'cx !== 0' : op === 0xe1 ? 'cx !== 0 && cpu.getZF()' : 'cx !== 0 && !cpu.getZF()';
        const dec = big ? 'const cx = r32[1] = (r32[1] - 1) | 0;' : 'const cx = r16[2] = (r16[2] - 1) & 0xffff;';
        return done(`${dec} ${this.branch(cond, target(next, d), next)}`, op === 0xe2 ? 0 : ZF, 0, true);
      }
      case 0xe3: {
        const d = rel8();
        const next = nextIp();
        return done(this.branch(big ? 'r32[1] === 0' : 'r16[2] === 0', target(next, d), next), 0, 0, true);
      }
      case 0xe8: {
        const d = relV();
        const next = nextIp();
        memory = true;
        return done(`${push}(${next}); ${this.branch('true', target(next, d), next)}`, 0, 0, true);
      }
      case 0xe9: {
        const d = relV();
        const next = nextIp();
        return done(this.branch('true', target(next, d), next), 0, 0, true);
      }
      case 0xeb: {
        const d = rel8();
        const next = nextIp();
        return done(this.branch('true', target(next, d), next), 0, 0, true);
      }
      case 0xa4: case 0xa5: case 0xa6: case 0xa7: case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf: {
        // The interpreter's string routine, called directly: REP chunks, segment-end faults and all.
        const { start, seg: sg, rep } = this.current;
        memory = true;
        const setup = `${rep ? `cpu.rep = ${rep}; ` : ''}${sg >= 0 ? `cpu.segOvr = ${sg}; ` : ''}${rep || sg >= 0 ? 'cpu.prefixed = true; ' : ''}`;
        const cleanup = rep || sg >= 0 ? 'cpu.clearPrefixes(); ' : '';
        const compare = op === 0xa6 || op === 0xa7 || op === 0xae || op === 0xaf;
        return done(
          `cpu.ip = NEXT; cpu.instrStart = ${start}; ${setup}stringOp(cpu, ${STRING_OP[op]}, ${op & 1 ? (big ? 4 : 2) : 1}); ${cleanup}` +
            (rep ? 'if (cpu.ip !== NEXT) return DONE;' : ''),
          compare && rep ? ALL : 0,
          compare ? ALL : 0,
        );
      }
      case 0xf6: case 0xf7: {
        const sub = (this.byte(len) >> 3) & 7;
        const e = modrm();
        const w = op & 1;
        const rd = w ? e.rdV : e.rd8;
        const wr = w ? e.wrV : e.wr8;
        const sign = w ? S : 7;
        const mask = w ? M : 0xff;
        switch (sub) {
          case 0: case 1:
            return done(`${e.ea} ${testOp(rd, w ? immS(immV()) : String(imm8()), sign)}`, 0, ALL);
          case 2:
            return done(`${e.ea} ${wr(sign === 31 ? `~${rd}` : `~${rd} & ${mask}`)}`);
          case 3:
            return done(
              `${e.ea} const v = ${rd}; const r = ${sign === 31 ? '-v | 0' : `-v & ${mask}`}; cpu.setLazy(1, 0, v, r, ${sign}, ${ALL}); ${wr('r')}`,
              0,
              ALL,
            );
          default: {
            // MUL/IMUL/DIV/IDIV: the interpreter's routines; a divide error needs IP and the count exact.
            const fn = ['mul', 'imul', 'div', 'idiv'][sub - 4] + (w ? (big ? '32' : '16') : '8');
            memory = true;
            const pre = sub >= 6 ? `cpu.ip = NEXT; cpu.instrStart = ${this.current.start}; cpu.blockDone = done + ${this.current.k}; ` : '';
            return done(`${e.ea} ${pre}${fn}(cpu, ${rd});`, ALL, sub < 6 ? ALL : 0);
          }
        }
      }
      case 0xf8: return done('cpu.setFlag(1, false);', ALL, 0);
      case 0xf9: return done('cpu.setFlag(1, true);', ALL, 0);
      case 0xfc: return done('cpu.flags &= ~0x400;');
      case 0xfd: return done('cpu.flags |= 0x400;');
      case 0xfe: {
        if (this.byte(len) & 0x30) return undefined;
        const e = modrm();
        return done(`${e.ea} ${incDec((e.m & 0x38) === 0, e.rd8, 7)} ${e.wr8('r')}`, 0, ALL & ~CF);
      }
      case 0xff: {
        const sub = (this.byte(len) >> 3) & 7;
        if (sub > 1) return undefined;
        const e = modrm();
        return done(`${e.ea} ${incDec(sub === 0, e.rdV, S)} ${e.wrV('r')}`, 0, ALL & ~CF);
      }
      default:
        return undefined;
    }
  }

  /** The 32-bit effective address of ModR/M byte `m` (SIB and displacement from instruction offset `at`). */
  private effectiveAddress32(m: number, at: number, seg: number): { expr: string; segment: number; length: number } {
    const mod = m >> 6;
    let rm = m & 7;
    let length = 1;
    let base: string | undefined;
    let index = '';
    let segment = 3;
    let p = at;
    if (rm === 4) {
      const sib = this.byte(p);
      p++;
      length++;
      const b = sib & 7;
      const i = (sib >> 3) & 7;
      if (i !== 4) index = (sib >> 6) === 0 ? `r32[${i}]` : `(r32[${i}] << ${sib >> 6})`;
      if (b === 5 && mod === 0) base = undefined;
      else {
        base = `r32[${b}]`;
        if (b === 4 || b === 5) segment = 2;
      }
      rm = b;
      if (b === 5 && mod === 0) {
        const d = this.byte(p) | (this.byte(p + 1) << 8) | (this.byte(p + 2) << 16) | (this.byte(p + 3) << 24);
        p += 4;
        length += 4;
        const parts = [index, String(d | 0)].filter((x) => x !== '');
        return { expr: `(${parts.join(' + ')}) | 0`, segment: seg >= 0 ? seg : segment, length };
      }
    } else if (rm === 5 && mod === 0) {
      const d = this.byte(p) | (this.byte(p + 1) << 8) | (this.byte(p + 2) << 16) | (this.byte(p + 3) << 24);
      length += 4;
      return { expr: String(d | 0), segment: seg >= 0 ? seg : 3, length };
    } else {
      base = `r32[${rm}]`;
      if (rm === 5) segment = 2;
    }
    let disp = 0;
    if (mod === 1) {
      disp = (this.byte(p) << 24) >> 24;
      length += 1;
    } else if (mod === 2) {
      disp = this.byte(p) | (this.byte(p + 1) << 8) | (this.byte(p + 2) << 16) | (this.byte(p + 3) << 24);
      length += 4;
    }
    const parts = [base ?? '', index, disp !== 0 ? String(disp | 0) : ''].filter((x) => x !== '');
    const expr = parts.length === 1 && index === '' && disp === 0 ? parts[0] : `(${parts.join(' + ')}) | 0`;
    return { expr, segment: seg >= 0 ? seg : segment, length };
  }

  /**
   * A JS expression for condition `cc`: from the locals of the flag-setting instruction just before it when
   * there is one (`cmp ax, bx; jb` becomes `a < b`), else from the lazy flags.
   */
  private conditionCode(cc: number): string {
    const p = this.producer;
    let expr: string | undefined;
    if (p !== undefined) {
      const a = `a_${p.k}`, b = `b_${p.k}`, r = `r_${p.k}`;
      const sb = p.sign === 7 ? 0x80 : p.sign === 15 ? 0x8000 : -0x80000000;
      const sx = (v: string) => (p.sign === 7 ? `((${v} << 24) >> 24)` : p.sign === 15 ? `((${v} << 16) >> 16)` : `(${v} | 0)`);
      // Unsigned order: dword operands are int32 in the locals.
      const ux = (v: string) => (p.sign === 31 ? `(${v} >>> 0)` : v);
      const zf = `${r} === 0`;
      const sf = `(${r} & ${sb}) !== 0`;
      switch (p.kind) {
        case 'sub': {
          const of = `((${a} ^ ${b}) & (${a} ^ ${r}) & ${sb}) !== 0`;
          expr = [of, `${ux(a)} < ${ux(b)}`, zf, `${ux(a)} <= ${ux(b)}`, sf, undefined, `${sx(a)} < ${sx(b)}`, `${sx(a)} <= ${sx(b)}`][cc >> 1];
          break;
        }
        case 'logic':
          expr = ['false', 'false', zf, zf, sf, undefined, sf, `(${zf} || ${sf})`][cc >> 1];
          break;
        case 'add': {
          const of = `((${a} ^ ${r}) & (${b} ^ ${r}) & ${sb}) !== 0`;
          expr = [of, undefined, zf, undefined, sf, undefined, `(${sf}) !== (${of})`, `(${zf} || (${sf}) !== (${of}))`][cc >> 1];
          break;
        }
        default: // inc, dec: CF is untouched, the rest comes from the result
          expr = [undefined, undefined, zf, undefined, sf, undefined, undefined, undefined][cc >> 1];
          break;
      }
    }
    expr ??= [
      'cpu.getOF()', 'cpu.getCF() !== 0', 'cpu.getZF()', '(cpu.getCF() !== 0 || cpu.getZF())',
      'cpu.getSF()', 'cpu.getPF()', 'cpu.getSF() !== cpu.getOF()', '(cpu.getZF() || cpu.getSF() !== cpu.getOF())',
    ][cc >> 1];
    return cc & 1 ? `!(${expr})` : `(${expr})`;
  }

  /** The 16-bit effective address of ModR/M byte `m` (displacement at instruction offset `at`) as a JS expression. */
  private effectiveAddress(m: number, at: number, seg: number): { expr: string; segment: number } {
    const mod = m >> 6;
    const rm = m & 7;
    let disp = 0;
    if (mod === 1) disp = (this.byte(at) << 24) >> 24;
    else if (mod === 2 || (mod === 0 && rm === 6)) disp = this.byte(at) | (this.byte(at + 1) << 8);
    const base = ['r16[6] + r16[12]', 'r16[6] + r16[14]', 'r16[10] + r16[12]', 'r16[10] + r16[14]', 'r16[12]', 'r16[14]', 'r16[10]', 'r16[6]'][rm];
    let segment = rm === 2 || rm === 3 || (rm === 6 && mod !== 0) ? 2 : 3;
    if (seg >= 0) segment = seg;
    if (mod === 0 && rm === 6) return { expr: String(disp), segment };
    return { expr: disp === 0 && rm >= 4 ? base : `(${base} + ${disp}) & 0xffff`, segment };
  }
}

function hex(n: number): string {
  return n.toString(16);
}
