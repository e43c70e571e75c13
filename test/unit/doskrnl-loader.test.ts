/**
 * The EXEC loader: .COM and MZ .EXE images placed in the arena with their PSP and environment byte for byte
 * as DOS lays them out, relocation of segment fixups, the memory an .EXE asks for, rollback when a load
 * fails, overlays, and that malformed executables only ever fail with badFormat.
 */
import { describe, expect, it } from 'vitest';
import { ArenaFull, MemoryArena } from '../../main/doskrnl/arena.js';
import { arrayMemory, DosError, DosFail, type GuestMemory } from '../../main/doskrnl/dos.js';
import {
  buildEnvironment,
  CALL5_TARGET,
  entryAx,
  loadOverlay,
  loadProgram,
  parseExecutable,
  type LoadRequest,
} from '../../main/doskrnl/loader.js';

const FIRST = 0x0800;
const END = 0xa000;
const PARENT = 0x0700;

interface Rig {
  ram: Uint8Array;
  mem: GuestMemory;
  arena: MemoryArena;
}

function rig(end = END): Rig {
  const ram = new Uint8Array(0x100000);
  const mem = arrayMemory(ram);
  // INT 23h / 24h vectors in the IVT, which a load without explicit ones saves in the PSP.
  mem.writeWord(0x23 * 4, 0x1111);
  mem.writeWord(0x23 * 4 + 2, 0x2222);
  mem.writeWord(0x24 * 4, 0x3333);
  mem.writeWord(0x24 * 4 + 2, 0x4444);
  return { ram, mem, arena: new MemoryArena(mem, FIRST, end) };
}

const word = (ram: Uint8Array, at: number): number => ram[at] | (ram[at + 1] << 8);
const bytesOf = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

function request(image: Uint8Array, extra: Partial<LoadRequest> = {}): LoadRequest {
  return {
    image,
    name: 'PROG',
    programPath: 'C:\\DIR\\PROG.COM',
    environment: buildEnvironment(['PATH=C:\\', 'COMSPEC=C:\\COMMAND.COM'], 'C:\\DIR\\PROG.COM'),
    commandTail: ' /X FOO',
    parentPsp: PARENT,
    terminateAddress: { segment: 0x0700, offset: 0x0123 },
    ...extra,
  };
}

function dosFail(f: () => unknown): DosFail {
  try {
    f();
  } catch (e) {
    if (e instanceof DosFail) return e;
    throw new Error(`expected a DosFail, got ${String(e)}`);
  }
  throw new Error('expected a DosFail, nothing was thrown');
}

interface MzSpec {
  code: Uint8Array;
  relocations?: { offset: number; segment: number }[];
  minAlloc?: number;
  maxAlloc?: number;
  ss?: number;
  sp?: number;
  cs?: number;
  ip?: number;
  signature?: 'MZ' | 'ZM';
}

/** An MZ file: 28-byte header, relocation table right after it, header rounded up to paragraphs, then code. */
function buildMz(spec: MzSpec): Uint8Array {
  const relocs = spec.relocations ?? [];
  const headerParas = Math.max(2, Math.ceil((0x1c + relocs.length * 4) / 16));
  const size = headerParas * 16 + spec.code.length;
  const file = new Uint8Array(size);
  const w = (at: number, v: number): void => {
    file[at] = v & 0xff;
    file[at + 1] = v >> 8;
  };
  file.set(bytesOf(spec.signature ?? 'MZ'), 0);
  w(0x02, size % 512);
  w(0x04, Math.ceil(size / 512));
  w(0x06, relocs.length);
  w(0x08, headerParas);
  w(0x0a, spec.minAlloc ?? 0x10);
  w(0x0c, spec.maxAlloc ?? 0xffff);
  w(0x0e, spec.ss ?? 0);
  w(0x10, spec.sp ?? 0x100);
  w(0x14, spec.ip ?? 0);
  w(0x16, spec.cs ?? 0);
  w(0x18, 0x1c);
  relocs.forEach((r, i) => {
    w(0x1c + i * 4, r.offset);
    w(0x1c + i * 4 + 2, r.segment);
  });
  file.set(spec.code, headerParas * 16);
  return file;
}

/** Code of `length` bytes with a recognisable pattern and given words placed at given offsets. */
function code(length: number, words: Record<number, number> = {}): Uint8Array {
  const c = new Uint8Array(length);
  for (let i = 0; i < length; i++) c[i] = (i * 7 + 3) & 0xff;
  for (const [at, v] of Object.entries(words)) {
    c[Number(at)] = v & 0xff;
    c[Number(at) + 1] = v >> 8;
  }
  return c;
}

/** A seeded PRNG (mulberry32), so the fuzz cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the environment block', () => {
  it('is the strings with zeros, one more zero, the word 0001h and the program path with its zero', () => {
    const env = buildEnvironment(['A=B', 'PATH=C:\\'], 'C:\\DIR\\PROG.EXE');
    expect(Array.from(env)).toEqual([
      ...bytesOf('A=B\0PATH=C:\\\0\0'),
      0x01,
      0x00,
      ...bytesOf('C:\\DIR\\PROG.EXE\0'),
    ]);
  });

  it('with no variables starts with the terminating zero', () => {
    expect(Array.from(buildEnvironment([], 'A:\\X.COM'))).toEqual([0, 1, 0, ...bytesOf('A:\\X.COM\0')]);
  });

  it('is refused over 32K with badEnvironment', () => {
    const e = dosFail(() => buildEnvironment(['X=' + 'y'.repeat(0x8000)], 'C:\\P.COM'));
    expect(e.code).toBe(DosError.badEnvironment);
  });
});

describe('loading a .COM program', () => {
  const image = code(300);

  it('lands at PSP:0100 with CS=DS=SS=PSP, IP=100h, SP=FFFEh and a zero word on the stack', () => {
    const { ram, mem } = rig();
    ram.fill(0xee, FIRST * 16); // so that the zero word is really written
    const arena = new MemoryArena(mem, FIRST, END);
    const l = loadProgram(mem, arena, request(image));
    expect(l).toMatchObject({ cs: l.psp, ss: l.psp, ip: 0x100, sp: 0xfffe });
    expect(Array.from(ram.subarray(l.psp * 16 + 0x100, l.psp * 16 + 0x100 + image.length))).toEqual(Array.from(image));
    expect(word(ram, l.psp * 16 + 0xfffe)).toBe(0);
  });

  it('builds the PSP byte for byte', () => {
    const { ram, mem, arena } = rig();
    const l = loadProgram(mem, arena, request(image));
    const p = ram.subarray(l.psp * 16, l.psp * 16 + 0x100);
    // The program got the largest block, the whole arena after the environment.
    const top = END;
    expect(Array.from(p.subarray(0x00, 0x02))).toEqual([0xcd, 0x20]);
    expect(word(p, 0x02)).toBe(top);
    expect(Array.from(p.subarray(0x05, 0x0a))).toEqual([0x9a, 0xf0, 0xfe, 0x1d, 0xf0]);
    expect(CALL5_TARGET).toEqual({ segment: 0xf01d, offset: 0xfef0 });
    expect([word(p, 0x0a), word(p, 0x0c)]).toEqual([0x0123, 0x0700]);
    expect([word(p, 0x0e), word(p, 0x10)]).toEqual([0x1111, 0x2222]);
    expect([word(p, 0x12), word(p, 0x14)]).toEqual([0x3333, 0x4444]);
    expect(word(p, 0x16)).toBe(PARENT);
    expect(Array.from(p.subarray(0x18, 0x2c))).toEqual([0, 1, 2, 3, 4, ...new Array(15).fill(0xff)]);
    expect(word(p, 0x2c)).toBe(l.environmentSegment);
    expect(word(p, 0x32)).toBe(20);
    expect([word(p, 0x34), word(p, 0x36)]).toEqual([0x18, l.psp]);
    expect([word(p, 0x38), word(p, 0x3a)]).toEqual([0xffff, 0xffff]);
    expect(Array.from(p.subarray(0x50, 0x53))).toEqual([0xcd, 0x21, 0xcb]);
    const blankFcb = [0, ...new Array(11).fill(0x20), 0, 0, 0, 0];
    expect(Array.from(p.subarray(0x5c, 0x6c))).toEqual(blankFcb);
    expect(Array.from(p.subarray(0x6c, 0x7c))).toEqual(blankFcb);
    expect(Array.from(p.subarray(0x80, 0x89))).toEqual([7, ...bytesOf(' /X FOO'), 0x0d]);
  });

  it('puts the environment in its own block, and both blocks are owned by the PSP and named', () => {
    const { ram, mem, arena } = rig();
    const req = request(image);
    const l = loadProgram(mem, arena, req);
    expect(l.environmentSegment).toBe(FIRST + 1);
    const env = ram.subarray(l.environmentSegment * 16, l.environmentSegment * 16 + req.environment.length);
    expect(Array.from(env)).toEqual(Array.from(req.environment));
    const path = bytesOf('C:\\DIR\\PROG.COM\0');
    const at = env.indexOf(0x01) + 2; // after the double zero and the count word
    expect(Array.from(env.subarray(at, at + path.length))).toEqual(path);
    const blocks = arena.blocks();
    expect(blocks.find((b) => b.mcb === l.environmentSegment - 1)).toMatchObject({ owner: l.psp });
    expect(blocks.find((b) => b.mcb === l.psp - 1)).toMatchObject({ owner: l.psp, name: 'PROG', last: true });
  });

  it('copies the given FCBs, the inherited JFT and the handlers', () => {
    const { ram, mem, arena } = rig();
    const fcb1 = new Uint8Array(16).fill(0x41);
    const fcb2 = new Uint8Array(16).fill(0x42);
    const jft = new Uint8Array(20).fill(0xff);
    jft.set([1, 1, 1, 0, 2, 7], 0);
    const l = loadProgram(
      mem,
      arena,
      request(image, {
        fcb1,
        fcb2,
        inheritHandles: jft,
        ctrlBreak: { segment: 0xaaaa, offset: 0xbbbb },
        criticalError: { segment: 0xcccc, offset: 0xdddd },
        name: 'LONGPROGNAME',
      }),
    );
    const p = ram.subarray(l.psp * 16, l.psp * 16 + 0x100);
    expect(Array.from(p.subarray(0x5c, 0x6c))).toEqual(new Array(16).fill(0x41));
    expect(Array.from(p.subarray(0x6c, 0x7c))).toEqual(new Array(16).fill(0x42));
    expect(Array.from(p.subarray(0x18, 0x2c))).toEqual(Array.from(jft));
    expect([word(p, 0x0e), word(p, 0x10), word(p, 0x12), word(p, 0x14)]).toEqual([0xbbbb, 0xaaaa, 0xdddd, 0xcccc]);
    expect(arena.blocks().find((b) => b.mcb === l.psp - 1)?.name).toBe('LONGPROG');
  });

  it('cuts a command tail over 126 characters and always ends it with CR', () => {
    const { ram, mem, arena } = rig();
    const l = loadProgram(mem, arena, request(image, { commandTail: 'x'.repeat(200) }));
    expect(ram[l.psp * 16 + 0x80]).toBe(126);
    expect(ram[l.psp * 16 + 0x81 + 126]).toBe(0x0d);
  });

  it('in a block under 64K puts SP at the top of the block', () => {
    const { ram, mem, arena } = rig(FIRST + 0x400);
    const l = loadProgram(mem, arena, request(image));
    const size = arena.blocks().find((b) => b.mcb === l.psp - 1)!.size;
    expect(size).toBeLessThan(0x1000);
    expect(l.sp).toBe(size * 16 - 2);
    expect(word(ram, l.psp * 16 + 0x02)).toBe(l.psp + size);
  });

  it('fails with notEnoughMemory when the largest block cannot hold PSP, image and stack, and rolls back', () => {
    const { mem, arena } = rig(FIRST + 0x30);
    const before = arena.blocks();
    const e = dosFail(() => loadProgram(mem, arena, request(code(0x200))));
    expect(e.code).toBe(DosError.notEnoughMemory);
    expect(e).toBeInstanceOf(ArenaFull);
    expect(arena.blocks()).toEqual(before);
  });

  it('refuses a .COM image over 65280 bytes with badFormat', () => {
    const { mem, arena } = rig();
    expect(dosFail(() => loadProgram(mem, arena, request(new Uint8Array(0xff01)))).code).toBe(DosError.badFormat);
    expect(parseExecutable(new Uint8Array(0xff00), 'BIG.COM')).toEqual({ kind: 'com' });
  });
});

describe('loading an MZ .EXE program', () => {
  // Fixups at 0000:0010 (value 0002h) and 0001:0004 (value 1234h, i.e. image offset 14h).
  const exeCode = code(0x60, { 0x10: 0x0002, 0x14: 0x1234, 0x20: 0x0005 });
  const relocations = [
    { offset: 0x10, segment: 0 },
    { offset: 0x04, segment: 1 },
  ];

  it('parses the header fields', () => {
    const file = buildMz({ code: exeCode, relocations, minAlloc: 3, maxAlloc: 9, ss: 4, sp: 0x80, cs: 1, ip: 6 });
    const exe = parseExecutable(file, 'P.EXE');
    expect(exe).toEqual({
      kind: 'exe',
      header: { minAlloc: 3, maxAlloc: 9, headerParas: 3, imageSize: 0x60, ss: 4, sp: 0x80, cs: 1, ip: 6, relocations },
    });
    expect(parseExecutable(buildMz({ code: exeCode, signature: 'ZM' }), 'P.EXE').kind).toBe('exe');
  });

  it('loads the image at PSP+10h, adds the load segment to each fixup and nothing else', () => {
    const { ram, mem, arena } = rig();
    const file = buildMz({ code: exeCode, relocations, ss: 4, sp: 0x80, cs: 1, ip: 6 });
    const l = loadProgram(mem, arena, request(file, { programPath: 'C:\\P.EXE' }));
    const load = l.psp + 0x10;
    const img = ram.subarray(load * 16, load * 16 + exeCode.length);
    expect(word(img, 0x10)).toBe(0x0002 + load);
    expect(word(img, 0x14)).toBe(0x1234 + load);
    expect(word(img, 0x20)).toBe(0x0005); // not a fixup
    const expected = Array.from(exeCode);
    for (const at of [0x10, 0x14]) {
      expected[at] = img[at];
      expected[at + 1] = img[at + 1];
    }
    expect(Array.from(img)).toEqual(expected);
    expect(l).toMatchObject({ cs: load + 1, ip: 6, ss: load + 4, sp: 0x80 });
  });

  it('takes exactly image + maxAlloc paragraphs when that much is free', () => {
    const { mem, arena } = rig();
    const file = buildMz({ code: exeCode, minAlloc: 0x10, maxAlloc: 0x40 });
    const l = loadProgram(mem, arena, request(file));
    const block = arena.blocks().find((b) => b.mcb === l.psp - 1)!;
    expect(block.size).toBe(0x10 + 0x06 + 0x40);
    expect(arena.blocks().at(-1)).toMatchObject({ owner: 0, last: true });
  });

  it('takes the largest free block when maxAlloc is FFFFh', () => {
    const { mem, arena } = rig();
    const file = buildMz({ code: exeCode, minAlloc: 0x10, maxAlloc: 0xffff });
    const l = loadProgram(mem, arena, request(file));
    const block = arena.blocks().find((b) => b.mcb === l.psp - 1)!;
    expect(l.psp + block.size).toBe(END);
    expect(block.last).toBe(true);
  });

  it('takes less than maxAlloc but at least minAlloc when memory is short', () => {
    const { mem, arena } = rig(FIRST + 0x100);
    const file = buildMz({ code: exeCode, minAlloc: 0x20, maxAlloc: 0x800 });
    const l = loadProgram(mem, arena, request(file));
    const block = arena.blocks().find((b) => b.mcb === l.psp - 1)!;
    expect(l.psp + block.size).toBe(FIRST + 0x100);
    expect(block.size).toBeGreaterThanOrEqual(0x16 + 0x20);
  });

  it('fails with notEnoughMemory when even minAlloc does not fit, leaving the arena as it was', () => {
    const { mem, arena } = rig(FIRST + 0x100);
    const other = arena.allocate(0x10, 0x0999);
    const before = arena.blocks();
    const file = buildMz({ code: exeCode, minAlloc: 0x100, maxAlloc: 0xffff });
    const e = dosFail(() => loadProgram(mem, arena, request(file)));
    expect(e.code).toBe(DosError.notEnoughMemory);
    expect(arena.blocks()).toEqual(before);
    expect(arena.blocks().find((b) => b.mcb === other - 1)?.owner).toBe(0x0999);
  });

  it('loads high, at the top of the largest block, when minAlloc and maxAlloc are both 0', () => {
    const { ram, mem, arena } = rig();
    const file = buildMz({ code: exeCode, relocations, minAlloc: 0, maxAlloc: 0, cs: 1 });
    const l = loadProgram(mem, arena, request(file));
    const load = END - 6; // 60h bytes = 6 paragraphs
    expect(l.cs).toBe(load + 1);
    expect(word(ram, load * 16 + 0x10)).toBe(0x0002 + load);
  });
});

describe('malformed executables', () => {
  const good = (): Uint8Array => buildMz({ code: code(0x100), relocations: [{ offset: 0, segment: 0 }] });
  const set = (file: Uint8Array, at: number, v: number): Uint8Array => {
    const f = file.slice();
    f[at] = v & 0xff;
    f[at + 1] = v >> 8;
    return f;
  };

  it.each([
    ['a header cut short', good().slice(0, 0x10)],
    ['a file shorter than its pages say', good().slice(0, 0x100)],
    ['a zero header size', set(good(), 0x08, 0)],
    ['a header past the end of the file', set(good(), 0x08, 0x40)],
    ['a last-page count over 512', set(good(), 0x02, 600)],
    ['a zero page count', set(good(), 0x04, 0)],
    ['a relocation table past the end', set(good(), 0x18, 0x200)],
    ['too many relocations for the file', set(good(), 0x06, 0x1000)],
    ['a fixup outside the load module', set(good(), 0x1c + 2, 0x100)],
  ])('%s fails with badFormat naming the program', (_what, file) => {
    const e = dosFail(() => parseExecutable(file, 'BAD.EXE'));
    expect(e.code).toBe(DosError.badFormat);
    expect(e.message).toContain('BAD.EXE');
  });

  it('loading one fails with badFormat and allocates nothing', () => {
    const { mem, arena } = rig();
    const before = arena.blocks();
    expect(dosFail(() => loadProgram(mem, arena, request(set(good(), 0x08, 0)))).code).toBe(DosError.badFormat);
    expect(arena.blocks()).toEqual(before);
  });

  it('random and truncated inputs never throw anything but DosFail(badFormat)', () => {
    const rand = prng(0x5eed);
    const base = good();
    let exes = 0;
    for (let n = 0; n < 2000; n++) {
      let input: Uint8Array;
      const kind = n % 4;
      if (kind === 0) {
        input = base.slice(0, Math.floor(rand() * base.length)); // truncated
      } else if (kind === 1) {
        input = base.slice(); // corrupted header bytes
        const edits = 1 + Math.floor(rand() * 6);
        for (let k = 0; k < edits; k++) input[2 + Math.floor(rand() * 0x20)] = Math.floor(rand() * 256);
      } else {
        input = new Uint8Array(Math.floor(rand() * 0x300)); // random, half with an MZ signature
        for (let i = 0; i < input.length; i++) input[i] = Math.floor(rand() * 256);
        if (kind === 2 && input.length >= 2) input.set([0x4d, 0x5a], 0);
      }
      try {
        const exe = parseExecutable(input, 'FUZZ.EXE');
        if (exe.kind === 'exe') {
          exes++;
          // Whatever parses must also load (or fail as DOS would) without any other exception.
          const { mem, arena } = rig(0x2000);
          const before = arena.blocks();
          try {
            loadProgram(mem, arena, request(input));
          } catch (e) {
            expect(e).toBeInstanceOf(DosFail);
            expect((e as DosFail).code).toBe(DosError.notEnoughMemory);
            expect(arena.blocks()).toEqual(before);
          }
        }
      } catch (e) {
        if (!(e instanceof DosFail) || e.code !== DosError.badFormat) {
          throw new Error(`input #${n} (${input.length} bytes) threw ${String(e)}`);
        }
      }
    }
    expect(exes).toBeGreaterThan(50); // the corrupted-header cases do reach the loader
  });
});

describe('loading an overlay (4B03h)', () => {
  it('copies the load module to the segment and adds the relocation factor to each fixup', () => {
    const { ram, mem } = rig();
    const c = code(0x40, { 0x08: 0x0100, 0x22: 0x0003 });
    const file = buildMz({ code: c, relocations: [{ offset: 0x08, segment: 0 }, { offset: 0x02, segment: 2 }] });
    loadOverlay(mem, file, 0x3000, 0x0456);
    const img = ram.subarray(0x30000, 0x30040);
    expect(word(img, 0x08)).toBe(0x0100 + 0x0456);
    expect(word(img, 0x22)).toBe(0x0003 + 0x0456);
    expect(img[0x00]).toBe(c[0x00]);
    expect(img[0x3f]).toBe(c[0x3f]);
    expect(ram[0x30040]).toBe(0); // nothing beyond the load module (the header is not copied)
  });

  it('copies a .COM image as it is', () => {
    const { ram, mem } = rig();
    loadOverlay(mem, new Uint8Array([1, 2, 3]), 0x3000, 0x1234);
    expect(Array.from(ram.subarray(0x30000, 0x30004))).toEqual([1, 2, 3, 0]);
  });
});

describe('AX at program entry', () => {
  it('flags an invalid FCB drive with FFh in AL (FCB 1) or AH (FCB 2)', () => {
    const valid = (d: number): boolean => d === 3;
    expect(entryAx(0, 3, valid)).toBe(0x0000);
    expect(entryAx(5, 0, valid)).toBe(0x00ff);
    expect(entryAx(3, 9, valid)).toBe(0xff00);
  });
});

describe('loading high (LOADHIGH: UMBs linked, strategy 80h)', () => {
  function highRig(): Rig {
    const r = rig();
    r.arena.addUpperMemory([{ segment: 0xe000, size: 0x1000 }]);
    r.arena.linkUpper(true);
    r.arena.strategy = 0x80;
    return r;
  }

  it('puts the environment and a .COM that fits into upper memory, the program in the largest UMB', () => {
    const { mem, arena } = highRig();
    const l = loadProgram(mem, arena, request(new Uint8Array(16).fill(0x90)));
    expect(l.environmentSegment).toBe(0xe001);
    expect(l.psp).toBeGreaterThan(0xe001);
    expect(arena.blocks().find((b) => b.mcb === l.psp - 1)?.last).toBe(true); // the rest of the UMB
  });

  it('loads a program too big for any UMB in conventional memory', () => {
    const { mem, arena } = highRig();
    const l = loadProgram(mem, arena, request(new Uint8Array(0xff00).fill(0x90)));
    expect(l.psp).toBeLessThan(0xa000);
  });
});
