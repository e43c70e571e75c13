/**
 * The DOS memory arena: the MCB chain in guest memory, byte for byte as programs walk it, under the three
 * allocation strategies, with DOS's lazy merging of free blocks and its error codes.
 */
import { describe, expect, it } from 'vitest';
import { ArenaFull, MemoryArena, Strategy } from '../../main/doskrnl/arena.js';
import { arrayMemory, DosError, DosFail, type GuestMemory } from '../../main/doskrnl/dos.js';

const FIRST = 0x0100;
const END = 0xa000;
/** Paragraphs of the one free block a fresh arena holds. */
const TOTAL = END - FIRST - 1;

function fresh(): { ram: Uint8Array; mem: GuestMemory; arena: MemoryArena } {
  const ram = new Uint8Array(0x100000);
  const mem = arrayMemory(ram);
  return { ram, mem, arena: new MemoryArena(mem, FIRST, END) };
}

function dosCode(f: () => unknown): number | string {
  try {
    f();
  } catch (e) {
    return e instanceof DosFail ? e.code : `not a DosFail: ${String(e)}`;
  }
  return 'no error';
}

/** The chain as [owner, size, last] triples, the shape MEM /D would print. */
function layout(arena: MemoryArena): [number, number, boolean][] {
  return arena.blocks().map((b) => [b.owner, b.size, b.last]);
}

describe('a fresh arena', () => {
  it('is one free Z block in guest memory covering everything up to the end segment', () => {
    const { ram, arena } = fresh();
    const at = FIRST * 16;
    expect(ram[at]).toBe(0x5a);
    expect(ram[at + 1] | (ram[at + 2] << 8)).toBe(0);
    expect(ram[at + 3] | (ram[at + 4] << 8)).toBe(TOTAL);
    expect(arena.blocks()).toEqual([{ mcb: FIRST, owner: 0, size: TOTAL, last: true, name: '' }]);
    expect(arena.largestFree()).toBe(TOTAL);
  });

  it('can be attached to again from guest memory, with the end found from the Z block', () => {
    const { mem, arena } = fresh();
    const a = arena.allocate(0x20, 0x0500);
    const again = MemoryArena.attach(mem, FIRST);
    expect(again.endSegment).toBe(END);
    expect(again.blocks()).toEqual(arena.blocks());
    again.free(a);
    expect(arena.blocks()[0].owner).toBe(0);
  });

  it('refuses to attach to a chain with a bad signature', () => {
    const { ram, mem } = fresh();
    ram[FIRST * 16] = 0x41;
    expect(dosCode(() => MemoryArena.attach(mem, FIRST))).toBe(DosError.arenaTrashed);
  });
});

describe('allocation strategies', () => {
  it('first fit takes the bottom of the first free block that is big enough and writes M/Z MCBs', () => {
    const { ram, arena } = fresh();
    const a = arena.allocate(0x10, 0x0200);
    expect(a).toBe(FIRST + 1);
    const b = arena.allocate(0x20, 0x0300);
    expect(b).toBe(FIRST + 1 + 0x10 + 1);
    expect(ram[FIRST * 16]).toBe(0x4d);
    expect(ram[FIRST * 16 + 1] | (ram[FIRST * 16 + 2] << 8)).toBe(0x0200);
    expect(ram[FIRST * 16 + 3] | (ram[FIRST * 16 + 4] << 8)).toBe(0x10);
    expect(layout(arena)).toEqual([
      [0x0200, 0x10, false],
      [0x0300, 0x20, false],
      [0, TOTAL - 0x10 - 0x20 - 2, true],
    ]);
  });

  /** Holes of 0x30, 0x10 and 0x20 paragraphs (in that order), separated by used blocks, then the rest. */
  function holes(): { arena: MemoryArena; hole: number[] } {
    const { arena } = fresh();
    const h1 = arena.allocate(0x30, 1);
    arena.allocate(1, 9);
    const h2 = arena.allocate(0x10, 1);
    arena.allocate(1, 9);
    const h3 = arena.allocate(0x20, 1);
    arena.allocate(1, 9);
    for (const h of [h1, h2, h3]) arena.free(h);
    return { arena, hole: [h1, h2, h3] };
  }

  it('first fit picks the lowest hole that fits', () => {
    const { arena, hole } = holes();
    arena.strategy = Strategy.firstFit;
    expect(arena.allocate(0x10, 7)).toBe(hole[0]);
  });

  it('best fit picks the smallest hole that fits', () => {
    const { arena, hole } = holes();
    arena.strategy = Strategy.bestFit;
    expect(arena.allocate(0x18, 7)).toBe(hole[2]);
    expect(arena.allocate(0x10, 7)).toBe(hole[1]);
  });

  it('last fit takes the top of the highest free block, leaving the free rest below it', () => {
    const { arena } = fresh();
    arena.strategy = Strategy.lastFit;
    const seg = arena.allocate(0x40, 0x0777);
    expect(seg).toBe(END - 0x40);
    expect(layout(arena)).toEqual([
      [0, TOTAL - 0x40 - 1, false],
      [0x0777, 0x40, true],
    ]);
  });

  it('last fit picks the highest free block that fits, not the first', () => {
    const { arena, hole } = holes();
    arena.allocate(arena.largestFree(), 9); // the free rest at the top is gone: hole 3 is now the highest
    arena.strategy = Strategy.lastFit;
    expect(arena.allocate(0x10, 7)).toBe(hole[2] + 0x20 - 0x10);
  });

  it('keeps the upper-memory bits of the strategy and still allocates by its low bits', () => {
    const { arena } = fresh();
    arena.strategy = 0x80 | Strategy.lastFit;
    expect(arena.strategy).toBe(0x82);
    expect(arena.allocate(0x10, 5)).toBe(END - 0x10);
  });

  it('an exact fit takes the whole block without a split', () => {
    const { arena, hole } = holes();
    const before = arena.blocks().length;
    expect(arena.allocate(0x10, 7)).toBe(hole[0]); // first fit: the 0x30 hole, split
    expect(arena.blocks().length).toBe(before + 1);
    arena.strategy = Strategy.bestFit;
    expect(arena.allocate(0x20, 7)).toBe(hole[2]);
    expect(arena.blocks().length).toBe(before + 1);
  });

  it('fails with notEnoughMemory and the largest free block when nothing fits', () => {
    const { arena } = fresh();
    arena.allocate(0x1000, 3);
    let caught: unknown;
    try {
      arena.allocate(0xf000, 3);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ArenaFull);
    expect((caught as ArenaFull).code).toBe(DosError.notEnoughMemory);
    expect((caught as ArenaFull).largest).toBe(TOTAL - 0x1000 - 1);
  });
});

describe('merging free blocks', () => {
  it('frees without merging, then merges adjacent free blocks when allocating', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    const b = arena.allocate(0x10, 1);
    arena.allocate(0x10, 1);
    arena.free(a);
    arena.free(b);
    expect(layout(arena).slice(0, 2)).toEqual([
      [0, 0x10, false],
      [0, 0x10, false],
    ]);
    expect(arena.largestFree()).toBe(TOTAL - 3 * 0x11);
    // 0x21 paragraphs fit only in a and b merged (0x10 + MCB + 0x10).
    arena.allocate(0x2000, 2); // use up the top so the merged hole is the only candidate below
    expect(arena.allocate(0x21, 4)).toBe(a);
    expect(layout(arena)[0]).toEqual([4, 0x21, false]);
  });

  it('counts merged neighbours in largestFree and ArenaFull.largest', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    const b = arena.allocate(0x10, 1);
    arena.allocate(TOTAL - 0x22 - 1, 1); // everything else
    arena.free(a);
    arena.free(b);
    expect(arena.largestFree()).toBe(0x21);
    const e = (() => {
      try {
        arena.allocate(0x22, 1);
      } catch (x) {
        return x as ArenaFull;
      }
      throw new Error('allocation should have failed');
    })();
    expect(e.largest).toBe(0x21);
  });
});

describe('free', () => {
  it('marks the block free', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 0x1234);
    arena.free(a);
    expect(arena.blocks()[0].owner).toBe(0);
  });

  it('rejects a segment that is not a block of the chain with invalidBlock', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    expect(dosCode(() => arena.free(a + 1))).toBe(DosError.invalidBlock);
    expect(dosCode(() => arena.free(0x9000))).toBe(DosError.invalidBlock);
    expect(dosCode(() => arena.free(FIRST))).toBe(DosError.invalidBlock);
  });

  it('reports a corrupted MCB as arenaTrashed', () => {
    const { ram, arena } = fresh();
    const a = arena.allocate(0x10, 1);
    const b = arena.allocate(0x10, 1);
    ram[(b - 1) * 16] = 0x00; // overwrite b's signature, as a stray write would
    expect(dosCode(() => arena.free(a))).toBe(DosError.arenaTrashed);
    expect(dosCode(() => arena.blocks())).toBe(DosError.arenaTrashed);
    expect(dosCode(() => arena.allocate(1, 1))).toBe(DosError.arenaTrashed);
  });

  it('reports a block running past the end segment as arenaTrashed', () => {
    const { ram, arena } = fresh();
    const at = FIRST * 16;
    const size = TOTAL + 1;
    ram[at + 3] = size & 0xff;
    ram[at + 4] = size >> 8;
    expect(dosCode(() => arena.blocks())).toBe(DosError.arenaTrashed);
  });

  it('reports an M block that ends at the end of the arena as arenaTrashed', () => {
    const { ram, arena } = fresh();
    ram[FIRST * 16] = 0x4d;
    expect(dosCode(() => arena.blocks())).toBe(DosError.arenaTrashed);
  });

  it('frees every block of one owner', () => {
    const { arena } = fresh();
    arena.allocate(0x10, 0x0500);
    arena.allocate(0x10, 0x0600);
    arena.allocate(0x10, 0x0500);
    arena.freeAllOwnedBy(0x0500);
    expect(arena.blocks().map((b) => b.owner)).toEqual([0, 0x0600, 0, 0]);
  });
});

describe('resize', () => {
  it('shrinks a block, splitting off a free block after it', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x100, 1);
    arena.allocate(0x10, 2);
    arena.resize(a, 0x40);
    expect(layout(arena).slice(0, 3)).toEqual([
      [1, 0x40, false],
      [0, 0x100 - 0x40 - 1, false],
      [2, 0x10, false],
    ]);
  });

  it('grows into the following free blocks, leaving the rest free', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    const b = arena.allocate(0x10, 1);
    const c = arena.allocate(0x10, 1);
    arena.allocate(0x10, 2);
    arena.free(b);
    arena.free(c);
    arena.resize(a, 0x28);
    expect(layout(arena).slice(0, 3)).toEqual([
      [1, 0x28, false],
      [0, 0x32 - 0x28 - 1, false],
      [2, 0x10, false],
    ]);
  });

  it('grows the last block into the free Z block and keeps the chain ending in Z', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    arena.resize(a, TOTAL);
    expect(layout(arena)).toEqual([[1, TOTAL, true]]);
    arena.resize(a, 0x10);
    expect(layout(arena)).toEqual([
      [1, 0x10, false],
      [0, TOTAL - 0x11, true],
    ]);
  });

  it('fails with the largest size this block could have and leaves the chain as it was', () => {
    const { arena } = fresh();
    const a = arena.allocate(0x10, 1);
    const b = arena.allocate(0x08, 1);
    arena.allocate(0x10, 2);
    arena.free(b);
    const before = arena.blocks();
    let caught: unknown;
    try {
      arena.resize(a, 0x30);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ArenaFull);
    expect((caught as ArenaFull).code).toBe(DosError.notEnoughMemory);
    expect((caught as ArenaFull).largest).toBe(0x10 + 1 + 0x08);
    expect(arena.blocks()).toEqual(before);
  });

  it('rejects a non-block with invalidBlock', () => {
    const { arena } = fresh();
    expect(dosCode(() => arena.resize(0x5000, 1))).toBe(DosError.invalidBlock);
  });
});

describe('owners and names', () => {
  it('sets the owner and the 8-byte zero-padded name in the MCB', () => {
    const { ram, arena } = fresh();
    const a = arena.allocate(0x10, 1);
    arena.setOwner(a, 0x0abc);
    arena.setName(a, 'LONGNAME123');
    const at = (a - 1) * 16;
    expect(ram[at + 1] | (ram[at + 2] << 8)).toBe(0x0abc);
    expect(Array.from(ram.subarray(at + 8, at + 16))).toEqual([...'LONGNAME'].map((c) => c.charCodeAt(0)));
    arena.setName(a, 'FOO');
    expect(Array.from(ram.subarray(at + 8, at + 16))).toEqual([0x46, 0x4f, 0x4f, 0, 0, 0, 0, 0]);
    expect(arena.blocks()[0]).toMatchObject({ owner: 0x0abc, name: 'FOO' });
  });

  it('walks a chain that a program extended by hand', () => {
    const { ram, arena } = fresh();
    // Split the free block by writing MCBs directly, as a TSR installer might.
    const at = FIRST * 16;
    ram.set([0x4d, 0x08, 0x00, 0x20, 0x00], at);
    const next = (FIRST + 0x21) * 16;
    const rest = TOTAL - 0x21;
    ram.set([0x5a, 0, 0, rest & 0xff, rest >> 8], next);
    expect(layout(arena)).toEqual([
      [8, 0x20, false],
      [0, rest, true],
    ]);
  });
});

describe('upper memory blocks (DOS=UMB)', () => {
  /** A 640 KB arena with the UMBs DOS gets with the EMS page frame at D000h: C800h-CFFFh and E000h-EFFFh. */
  function withUmbs(): { ram: Uint8Array; arena: MemoryArena; free: number } {
    const { ram, arena } = fresh();
    const free = arena.addUpperMemory([
      { segment: 0xe000, size: 0x1000 },
      { segment: 0xc800, size: 0x800 },
    ]);
    return { ram, arena, free };
  }
  const mcb = (ram: Uint8Array, seg: number) => ({
    sig: String.fromCharCode(ram[seg * 16]),
    owner: ram[seg * 16 + 1] | (ram[seg * 16 + 2] << 8),
    size: ram[seg * 16 + 3] | (ram[seg * 16 + 4] << 8),
    name: String.fromCharCode(ram[seg * 16 + 8], ram[seg * 16 + 9]),
  });

  it('chains them as MS-DOS 5 does: "SC" blocks of DOS span the holes, starting unlinked at 9FFFh', () => {
    const { ram, arena, free } = withUmbs();
    expect(free).toBe(0x7fe + 0xfff);
    expect(arena.upperRoot).toBe(0x9fff);
    expect(arena.upperLinked).toBe(false);
    expect(mcb(ram, FIRST)).toMatchObject({ sig: 'M', owner: 0, size: TOTAL - 1 });
    expect(mcb(ram, 0x9fff)).toEqual({ sig: 'Z', owner: 8, size: 0x2800, name: 'SC' }); // A000h-C7FFh
    expect(mcb(ram, 0xc800)).toMatchObject({ sig: 'M', owner: 0, size: 0x7fe });
    expect(mcb(ram, 0xcfff)).toEqual({ sig: 'M', owner: 8, size: 0x1000, name: 'SC' }); // D000h-DFFFh
    expect(mcb(ram, 0xe000)).toMatchObject({ sig: 'Z', owner: 0, size: 0xfff });
    expect(layout(arena)).toEqual([
      [0, TOTAL - 1, false],
      [8, 0x2800, true],
      [0, 0x7fe, false],
      [8, 0x1000, false],
      [0, 0xfff, true],
    ]);
  });

  it('links and unlinks through the signature of the "SC" block at 9FFFh', () => {
    const { ram, arena } = withUmbs();
    arena.linkUpper(true);
    expect(ram[0x9fff * 16]).toBe(0x4d);
    expect(arena.upperLinked).toBe(true);
    arena.linkUpper(false);
    expect(ram[0x9fff * 16]).toBe(0x5a);
    expect(dosCode(() => fresh().arena.linkUpper(true))).toBe(DosError.invalidFunction);
    ram[0x9fff * 16] = 0x41;
    expect(dosCode(() => arena.linkUpper(true))).toBe(DosError.arenaTrashed);
  });

  it('allocates in conventional memory while unlinked, whatever the strategy says', () => {
    const { arena } = withUmbs();
    for (const s of [0x80, 0x40, 0x82]) {
      arena.strategy = s;
      const seg = arena.allocate(0x100, 5);
      expect(seg).toBeLessThan(0xa000);
      arena.free(seg);
    }
    arena.strategy = 0x40;
    expect(arena.largestFree()).toBe(TOTAL - 1);
  });

  it('linked: 80h tries upper memory first, 40h only there, 00h the whole chain from the bottom', () => {
    const { arena } = withUmbs();
    arena.linkUpper(true);
    arena.strategy = Strategy.highFirst;
    expect(arena.allocate(0x100, 5)).toBe(0xc801);
    expect(arena.allocate(0x800, 5)).toBe(0xe001); // too big for what is left at C800h
    expect(arena.allocate(0x1000, 5)).toBeLessThan(0xa000); // too big for any UMB: conventional memory
    arena.strategy = Strategy.highOnly;
    expect(arena.largestFree()).toBe(0x7fe);
    expect(arena.allocate(0x10, 5)).toBe(0xc902); // first fit, after the block at C801h
    const e = (() => {
      try {
        arena.allocate(0x1000, 5);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(ArenaFull);
    expect((e as ArenaFull).largest).toBe(0x7fe);
    arena.strategy = Strategy.firstFit;
    expect(arena.allocate(0x10, 5)).toBeLessThan(0xa000);
    arena.strategy = Strategy.highFirst | Strategy.lastFit;
    expect(arena.allocate(0x10, 5)).toBe(0xf000 - 0x10); // the top of the highest UMB that fits
  });

  it('linked and low first: conventional memory is searched first, and the UMBs after it is full', () => {
    const { arena } = withUmbs();
    arena.linkUpper(true);
    arena.allocate(TOTAL - 1, 5);
    expect(arena.largestFree()).toBe(0xfff);
    expect(arena.allocate(0x10, 5)).toBe(0xc801);
  });

  it('frees a process\'s UMBs, and a UMB by its segment, while unlinked', () => {
    const { arena } = withUmbs();
    arena.linkUpper(true);
    arena.strategy = Strategy.highFirst;
    const a = arena.allocate(0x100, 0x0777);
    arena.allocate(0x800, 0x0777);
    const c = arena.allocate(0x10, 0x0888);
    arena.linkUpper(false);
    arena.free(c);
    arena.resize(a, 0x80);
    arena.freeAllOwnedBy(0x0777);
    arena.coalesce();
    expect(arena.blocks().filter((x) => x.mcb > 0xa000).map((x) => [x.owner, x.size])).toEqual([
      [0, 0x7fe],
      [8, 0x1000],
      [0, 0xfff],
    ]);
  });

  it('gives EXEC the largest UMB when the program fits there under a high strategy, else the largest block', () => {
    const { arena } = withUmbs();
    expect(arena.largestFor(0x100)).toBe(TOTAL - 1);
    arena.linkUpper(true);
    arena.strategy = Strategy.highFirst;
    expect(arena.largestFor(0x100)).toBe(0xfff);
    expect(arena.largestFor(0x1000)).toBe(TOTAL - 1);
    arena.strategy = Strategy.highOnly;
    expect(arena.largestFor(0x1000)).toBe(0xfff);
  });

  it('merges adjacent blocks, leaves out tiny ones and ones below conventional memory, and links only once', () => {
    const { arena } = fresh();
    expect(
      arena.addUpperMemory([
        { segment: 0x8000, size: 0x100 },
        { segment: 0xc800, size: 0x400 },
        { segment: 0xcc00, size: 0x400 },
        { segment: 0xd100, size: 2 },
      ]),
    ).toBe(0x7ff);
    expect(layout(arena).slice(1)).toEqual([
      [8, 0x2800, true],
      [0, 0x7ff, true],
    ]);
    expect(() => arena.addUpperMemory([{ segment: 0xe000, size: 0x100 }])).toThrow(/already/);
    const full = fresh().arena;
    full.allocate(TOTAL, 5);
    expect(() => full.addUpperMemory([{ segment: 0xe000, size: 0x100 }])).toThrow(/must be free/);
    expect(fresh().arena.addUpperMemory([])).toBe(0);
  });
});
