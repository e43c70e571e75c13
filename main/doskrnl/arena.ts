/**
 * The DOS memory arena: the chain of memory control blocks (MCBs) in guest memory, laid out exactly as
 * MS-DOS 5 lays it out, because programs (MEM, TSRs, debuggers) walk it themselves.
 *
 * Each MCB is one paragraph at segment S, describing the block that starts at S+1:
 *   byte 0      'M' (4Dh) for a block with more after it, 'Z' (5Ah) for the last one
 *   word 1      owner: the PSP segment of the owning process, 0 = free, 8 = DOS itself
 *   word 3      size of the block in paragraphs, not counting the MCB
 *   bytes 8-15  the owner's program name, 8 characters, zero-padded (the loader sets it)
 * The next MCB is at S + 1 + size. Every operation walks the chain from the first MCB, so a program that
 * edits the chain itself (as TSRs do) is seen at once, and a broken chain is reported as arenaTrashed.
 *
 * As in DOS, freeing does not merge: adjacent free blocks are merged lazily, when a block is allocated or
 * resized (and by `coalesce()`, which the loader uses to undo a failed EXEC).
 *
 * Upper memory blocks (DOS=UMB, `addUpperMemory`) continue the chain as in MS-DOS 5: the last paragraph of
 * conventional memory (9FFFh with 640 KB) becomes an MCB owned by DOS and named "SC" whose block spans the
 * hole up to the first UMB (video memory, the video BIOS); each UMB starts with its own MCB, and another
 * "SC" block in a UMB's last paragraph spans the hole to the next one (the EMS page frame, say). The "SC"
 * MCB at the top of conventional memory is the link (List of Lists 66h): 'M' while the UMBs are linked
 * into the chain (INT 21h AX=5803h BX=1), 'Z' while they are not, so a program walking the chain stops
 * there. The allocation strategy's high bits then choose the region (5801h): 80h upper memory first,
 * 40h upper memory only, 00h the whole chain in address order; they change nothing while the UMBs are
 * unlinked. Freeing, resizing and a process's end find a block in upper memory linked or not.
 */
import { DosError, DosFail, type GuestMemory } from './dos.js';

/** INT 21h AH=58h allocation strategies (low bits); bit 7 (80h) = try upper memory first, 40h = UMBs only. */
export const Strategy = { firstFit: 0, bestFit: 1, lastFit: 2, highFirst: 0x80, highOnly: 0x40 } as const;

const SIG_MORE = 0x4d; // 'M'
const SIG_LAST = 0x5a; // 'Z'
/** The owner of DOS's own blocks, such as the "SC" blocks spanning the holes between UMBs. */
const OWNER_DOS = 8;
/** The largest size an MCB can describe. */
const MAX_PARAGRAPHS = 0xffff;

/** An allocation or resize that does not fit: DOS error 8, with the largest size that would have. */
export class ArenaFull extends DosFail {
  constructor(
    readonly largest: number,
    message: string,
  ) {
    super(DosError.notEnoughMemory, message);
  }
}

/** An upper memory block DOS was given (by the XMS driver): its first paragraph and its size. */
export interface UpperBlock {
  segment: number;
  size: number;
}

/** One block of the chain, as `blocks()` reports it. */
export interface ArenaBlock {
  /** Segment of the MCB; the block itself starts at mcb + 1. */
  mcb: number;
  owner: number;
  size: number;
  last: boolean;
  name: string;
}

interface Mcb {
  mcb: number;
  sig: number;
  owner: number;
  size: number;
}

export class MemoryArena {
  /** AH=58h strategy, all bits kept as set (bits 6 and 7 matter only while UMBs are linked). */
  strategy: number = Strategy.firstFit;
  /** The "SC" MCB at the top of conventional memory that links the UMBs (List of Lists 66h); undefined without UMBs. */
  upperRoot: number | undefined;
  /** Where a walk of the chain must end: `endSegment`, or the end of the last UMB. */
  private top: number;

  /** Lay out a fresh arena: one free 'Z' block from `firstMcb` up to (not including) `endSegment`. */
  constructor(
    private readonly mem: GuestMemory,
    readonly firstMcb: number,
    readonly endSegment: number,
  ) {
    if (endSegment - firstMcb < 1 || endSegment - firstMcb - 1 > MAX_PARAGRAPHS) {
      throw new RangeError(`arena ${hex(firstMcb)}..${hex(endSegment)} cannot be described by one MCB`);
    }
    this.top = endSegment;
    this.writeMcb(firstMcb, SIG_LAST, 0, endSegment - firstMcb - 1, true);
  }

  /**
   * DOS=UMB: chain upper memory blocks (above `endSegment`) after conventional memory, MS-DOS 5's way (see
   * the top of the file), unlinked. The conventional arena's last block must be free: it gives up its last
   * paragraph to the "SC" link MCB. Adjacent blocks are merged; blocks of under 3 paragraphs are left out.
   * Returns the paragraphs of upper memory now free in the chain.
   */
  addUpperMemory(blocks: readonly UpperBlock[]): number {
    if (this.upperRoot !== undefined) throw new RangeError('the upper memory blocks are already linked');
    const umbs: UpperBlock[] = [];
    for (const b of [...blocks].sort((x, y) => x.segment - y.segment)) {
      const prev = umbs[umbs.length - 1];
      if (b.segment < this.endSegment || b.segment + b.size > 0x10000 || (prev && b.segment < prev.segment + prev.size)) continue;
      if (prev && prev.segment + prev.size === b.segment) prev.size += b.size;
      else umbs.push({ ...b });
    }
    const usable = umbs.filter((b) => b.size >= 3);
    if (usable.length === 0) return 0;
    const chain = this.chain();
    const last = chain[chain.length - 1];
    if (last.owner !== 0 || last.size < 1) throw new RangeError('the last block of conventional memory must be free to link upper memory');
    this.writeMcb(last.mcb, SIG_MORE, 0, last.size - 1, false);
    const root = this.endSegment - 1;
    this.writeSystemMcb(root, SIG_LAST, usable[0].segment - this.endSegment);
    let free = 0;
    usable.forEach((b, i) => {
      const next = usable[i + 1];
      if (next) {
        const end = b.segment + b.size;
        this.writeMcb(b.segment, SIG_MORE, 0, b.size - 2, true);
        this.writeSystemMcb(end - 1, SIG_MORE, next.segment - end);
        free += b.size - 2;
      } else {
        this.writeMcb(b.segment, SIG_LAST, 0, b.size - 1, true);
        free += b.size - 1;
      }
    });
    const final = usable[usable.length - 1];
    this.top = final.segment + final.size;
    this.upperRoot = root;
    return free;
  }

  /** Are the UMBs part of the chain now (INT 21h AX=5802h)? */
  get upperLinked(): boolean {
    return this.upperRoot !== undefined && this.mem.readByte(this.upperRoot * 16) === SIG_MORE;
  }

  /** INT 21h AX=5803h: link (true) or unlink the UMBs. Error 1 without UMBs, 7 if the link MCB is not in the chain. */
  linkUpper(link: boolean): void {
    const root = this.upperRoot;
    if (root === undefined) throw new DosFail(DosError.invalidFunction, 'no upper memory blocks (DOS_UMB is off)');
    if (!this.chain(false).some((b) => b.mcb === root)) throw this.trashed(root, 'the upper memory link is not in the chain');
    this.mem.writeByte(root * 16, link ? SIG_MORE : SIG_LAST);
  }

  /** Use a chain already in guest memory (its end is where its 'Z' block ends). */
  static attach(mem: GuestMemory, firstMcb: number): MemoryArena {
    let seg = firstMcb;
    for (;;) {
      const sig = mem.readByte(seg * 16);
      const end = seg + 1 + mem.readWord(seg * 16 + 3);
      if ((sig !== SIG_MORE && sig !== SIG_LAST) || end > 0x10000) {
        throw new DosFail(DosError.arenaTrashed, `memory arena trashed: bad MCB at ${hex(seg)}`);
      }
      if (sig === SIG_LAST) {
        const arena = Object.create(MemoryArena.prototype) as MemoryArena;
        Object.assign(arena, { mem, firstMcb, endSegment: end, top: end, upperRoot: undefined, strategy: Strategy.firstFit });
        return arena;
      }
      seg = end;
    }
  }

  /** Allocate `paragraphs` for `owner` by the strategy; returns the block's segment (its MCB + 1). */
  allocate(paragraphs: number, owner: number): number {
    checkParagraphs(paragraphs);
    this.coalesce();
    let candidates: Mcb[] = [];
    for (const region of this.regions()) {
      candidates = region.filter((b) => b.owner === 0 && b.size >= paragraphs);
      if (candidates.length > 0) break;
    }
    if (candidates.length === 0) {
      const largest = this.largestFree();
      throw new ArenaFull(largest, `not enough memory: ${hex(paragraphs)} paragraphs asked, ${hex(largest)} free`);
    }
    const fit = this.strategy & 0x03;
    let pick = candidates[0];
    if (fit === Strategy.bestFit) {
      for (const b of candidates) if (b.size < pick.size) pick = b;
    } else if (fit >= Strategy.lastFit) {
      pick = candidates[candidates.length - 1];
    }
    if (pick.size === paragraphs) {
      this.writeMcb(pick.mcb, pick.sig, owner, paragraphs, true);
      return pick.mcb + 1;
    }
    if (fit >= Strategy.lastFit) {
      // Last fit takes the top of the free block; the free rest stays below it under the old MCB.
      const rest = pick.size - paragraphs - 1;
      const mcb = pick.mcb + 1 + rest;
      this.writeMcb(pick.mcb, SIG_MORE, 0, rest, false);
      this.writeMcb(mcb, pick.sig, owner, paragraphs, true);
      return mcb + 1;
    }
    this.writeMcb(pick.mcb, pick.sig, owner, pick.size, true);
    this.split(pick.mcb, paragraphs);
    return pick.mcb + 1;
  }

  /** Free the block at `segment` (INT 21h AH=49h). */
  free(segment: number): void {
    this.locate(segment);
    this.mem.writeWord((segment - 1) * 16 + 1, 0);
  }

  /**
   * Grow the block at `segment` into the free blocks after it, or shrink it, splitting off a free block
   * (INT 21h AH=4Ah). On failure nothing changes and ArenaFull.largest is the most this block can have.
   */
  resize(segment: number, paragraphs: number): void {
    checkParagraphs(paragraphs);
    const chain = this.chain();
    const index = this.indexOf(chain, segment);
    const block = chain[index];
    let room = block.size;
    let sig = block.sig;
    for (let i = index + 1; i < chain.length && chain[i].owner === 0; i++) {
      room += chain[i].size + 1;
      sig = chain[i].sig;
    }
    if (room < paragraphs) {
      throw new ArenaFull(room, `not enough memory to resize ${hex(segment)} to ${hex(paragraphs)} paragraphs`);
    }
    // Take in the following free blocks, then give back what is not wanted as one free block. (The whole
    // arena fits one MCB's size word, so no run of blocks can exceed it.)
    this.writeMcb(block.mcb, sig, block.owner, room, false);
    this.split(block.mcb, paragraphs);
  }

  /** The largest block that an allocation could get now under the strategy (free neighbours counted as merged). */
  largestFree(): number {
    return Math.max(0, ...this.regions().map(largestRun));
  }

  /**
   * The block EXEC gives a program that needs at least `need` paragraphs ("the largest block"): under a
   * high-first strategy with the UMBs linked, the largest in upper memory when it is big enough (LOADHIGH),
   * else the largest anywhere; under high-only, the largest in upper memory.
   */
  largestFor(need: number): number {
    const regions = this.regions();
    const first = largestRun(regions[0]);
    return first >= need || regions.length === 1 ? first : this.largestFree();
  }

  /**
   * The parts of the chain an allocation searches, in order: the chain up to its 'Z' block (conventional
   * memory, and the UMBs while linked); with the UMBs linked, a high-first strategy searches them first and
   * a high-only strategy nothing else.
   */
  private regions(): Mcb[][] {
    const chain = this.chain(false);
    const root = this.upperRoot;
    if (root === undefined || !this.upperLinked || (this.strategy & (Strategy.highFirst | Strategy.highOnly)) === 0) return [chain];
    const upper = chain.filter((b) => b.mcb > root);
    return this.strategy & Strategy.highOnly ? [upper] : [upper, chain];
  }

  /** Free every block of a process (what process termination does). */
  freeAllOwnedBy(owner: number): void {
    if (owner === 0) return;
    for (const b of this.chain()) if (b.owner === owner) this.mem.writeWord(b.mcb * 16 + 1, 0);
  }

  setOwner(segment: number, owner: number): void {
    this.locate(segment);
    this.mem.writeWord((segment - 1) * 16 + 1, owner);
  }

  /** The owner name in bytes 8-15 of the MCB: up to 8 characters, taken as given, zero-padded. */
  setName(segment: number, name: string): void {
    this.locate(segment);
    const base = (segment - 1) * 16 + 8;
    for (let i = 0; i < 8; i++) this.mem.writeByte(base + i, i < name.length ? name.charCodeAt(i) & 0xff : 0);
  }

  /** Merge every run of adjacent free blocks into one (DOS does this lazily, before allocating). */
  coalesce(): void {
    const chain = this.chain();
    for (let i = 0; i < chain.length; i++) {
      const head = chain[i];
      if (head.owner !== 0) continue;
      let size = head.size;
      let sig = head.sig;
      let j = i + 1;
      while (j < chain.length && chain[j].owner === 0) {
        size += 1 + chain[j].size;
        sig = chain[j].sig;
        j++;
      }
      if (j > i + 1) this.writeMcb(head.mcb, sig, 0, size, false);
      i = j - 1;
    }
  }

  /** Walk the chain. Throws DosFail(arenaTrashed) on a bad signature or a block running past the end. */
  blocks(): ArenaBlock[] {
    return this.chain().map((b) => ({
      mcb: b.mcb,
      owner: b.owner,
      size: b.size,
      last: b.sig === SIG_LAST,
      name: this.readName(b.mcb),
    }));
  }

  /**
   * Walk the chain to its 'Z' block. `withUpper` (the default) walks on past the unlinked UMBs' link MCB
   * into upper memory, as freeing and termination must; allocation walks only what is linked.
   */
  private chain(withUpper = true): Mcb[] {
    const out: Mcb[] = [];
    let seg = this.firstMcb;
    for (;;) {
      if (seg >= this.top) throw this.trashed(seg, 'chain runs past the end of the arena');
      const at = seg * 16;
      const sig = this.mem.readByte(at);
      if (sig !== SIG_MORE && sig !== SIG_LAST) throw this.trashed(seg, `bad signature ${hex(sig, 2)}`);
      const size = this.mem.readWord(at + 3);
      const next = seg + 1 + size;
      if (next > this.top) throw this.trashed(seg, 'block runs past the end of the arena');
      out.push({ mcb: seg, sig, owner: this.mem.readWord(at + 1), size });
      if (sig === SIG_LAST && !(withUpper && seg === this.upperRoot)) return out;
      seg = next;
    }
  }

  private trashed(seg: number, what: string): DosFail {
    return new DosFail(DosError.arenaTrashed, `memory arena trashed at MCB ${hex(seg)}: ${what}`);
  }

  private indexOf(chain: Mcb[], segment: number): number {
    const index = chain.findIndex((b) => b.mcb === segment - 1);
    if (index < 0) throw new DosFail(DosError.invalidBlock, `${hex(segment)} is not a memory block`);
    return index;
  }

  private locate(segment: number): Mcb {
    const chain = this.chain();
    return chain[this.indexOf(chain, segment)];
  }

  /** Cut the block at `mcb` down to `paragraphs`, the rest becoming a free block after it. */
  private split(mcb: number, paragraphs: number): void {
    const at = mcb * 16;
    const sig = this.mem.readByte(at);
    const size = this.mem.readWord(at + 3);
    if (size <= paragraphs) return;
    this.writeMcb(mcb + 1 + paragraphs, sig, 0, size - paragraphs - 1, true);
    this.mem.writeByte(at, SIG_MORE);
    this.mem.writeWord(at + 3, paragraphs);
  }

  /** Write an MCB header; `fresh` also clears the rest of the paragraph (the name). */
  private writeMcb(seg: number, sig: number, owner: number, size: number, fresh: boolean): void {
    const at = seg * 16;
    this.mem.writeByte(at, sig);
    this.mem.writeWord(at + 1, owner);
    this.mem.writeWord(at + 3, size);
    if (fresh) for (let i = 5; i < 16; i++) this.mem.writeByte(at + i, 0);
  }

  /** An MCB of DOS's own ("SC": system code, or a hole between UMBs locked out). */
  private writeSystemMcb(seg: number, sig: number, size: number): void {
    this.writeMcb(seg, sig, OWNER_DOS, size, true);
    this.mem.writeByte(seg * 16 + 8, 0x53); // 'S'
    this.mem.writeByte(seg * 16 + 9, 0x43); // 'C'
  }

  private readName(mcb: number): string {
    let name = '';
    for (let i = 0; i < 8; i++) {
      const c = this.mem.readByte(mcb * 16 + 8 + i);
      if (c === 0) break;
      name += String.fromCharCode(c);
    }
    return name;
  }
}

/** The largest run of adjacent free blocks in part of a chain, counted as merged (their MCBs but the first count). */
function largestRun(blocks: readonly Mcb[]): number {
  let largest = 0;
  let run = -1;
  let end = -1;
  for (const b of blocks) {
    if (b.owner !== 0 || b.mcb !== end) run = -1;
    end = b.mcb + 1 + b.size;
    if (b.owner !== 0) continue;
    run = run < 0 ? b.size : run + 1 + b.size;
    largest = Math.max(largest, run);
  }
  return largest;
}

function checkParagraphs(paragraphs: number): void {
  if (!Number.isInteger(paragraphs) || paragraphs < 0 || paragraphs > MAX_PARAGRAPHS) {
    throw new DosFail(DosError.invalidParameter, `bad block size ${paragraphs}`);
  }
}

function hex(value: number, digits = 4): string {
  return value.toString(16).toUpperCase().padStart(digits, '0') + 'h';
}
