/**
 * VXMS: the XMS 3.0 driver of a DOS session (HIMEM.SYS's part), as OS/2's VXMS provides it.
 *
 * - INT 2Fh: an interrupt hook answers AX=4300h (AL=80h: installed) and AX=4310h (ES:BX = the driver's
 *   far-call entry, the ROM's F000:E017h, Vdh.biosEntry('xms')); every other function goes on to the
 *   guest's handler (DOSKRNL's). AX=4309h (the handle table) is not answered.
 * - The entry's `SVC 53h` reaches `call()`, which serves the function in AH: 00h-0Fh, 10h-12h (upper memory
 *   blocks), 88h/89h/8Eh/8Fh (the 32-bit forms). Success is AX=1, failure AX=0 with the error code in BL
 *   (80h not implemented, 82h A20 error, 90h-94h HMA and A20, A0h-ACh the extended memory blocks, B0h-B2h
 *   UMBs).
 * - Extended memory blocks (EMBs) are the guest's own RAM from 1 MiB + 64 KiB (above the HMA) to the end of
 *   the RAM, at most XMS_MEMORY_LIMIT KB, kept in 1 KB units in a first-fit free list that merges
 *   neighbours. A locked block's linear address is where protected-mode code finds its bytes.
 * - A20: a global flag (03h/04h) and a local count (05h/06h); the line stays on while either holds.
 * - Upper memory blocks (UMBs, 10h-12h) are the free upper memory area between C800h and EFFFh: every 4 KiB
 *   page there that no option ROM covers, that is not the EMS page frame (VEMM's named request 1 says
 *   where it is) and that reads as an open bus becomes RAM the first time anyone asks for a UMB after POST
 *   (C000h-C7FFh stays the video BIOS's). They go, in paragraphs, by first fit to whoever asks: programs
 *   through the entry, or DOS itself — DOSKRNL with DOS_UMB takes them all at POST, as DOS=UMB does, and
 *   others then get B1h. Whether DOS or the programs own them is DOS's choice (OS/2: "UMBs are provided
 *   by the XMS driver"), so the setting is DOSKRNL's, not this driver's.
 * - Named request 2 is an XMS call on behalf of DOS (DOSKRNL's own calls: 01h and 05h for DOS=HIGH, 10h
 *   for DOS=UMB): input { ah, bx, dx }, answer { ax, bl, bx, dx }.
 * - XMS_MEMORY_LIMIT=0, or a CPU without extended memory (8086/186), means no driver: INT 2Fh 4300h is
 *   left unanswered, the entry answers every function with BL=80h, and there are no UMBs (for DOS either).
 * - Everything is set up again at POST (power-on and reset): handles, the HMA, the A20 counts, the UMBs.
 */
import { CpuModel, type CpuRegisters, type Vdh, type VddModule } from '../../main/vmm/vdh.js';

/** Where extended memory blocks begin: above the HMA (FFFF:0010-FFFF:FFFF). */
const EMB_BASE = 0x110000;
const HMA_BASE = 0x100000;

/** What function 00h reports as the driver's internal revision. */
const REVISION = 0x0100;

/** Error codes (BL). */
export const XmsError = {
  notImplemented: 0x80,
  vdisk: 0x81,
  a20: 0x82,
  general: 0x8e,
  noHma: 0x90,
  hmaInUse: 0x91,
  hmaTooSmall: 0x92,
  hmaNotAllocated: 0x93,
  a20StillEnabled: 0x94,
  outOfMemory: 0xa0,
  outOfHandles: 0xa1,
  badHandle: 0xa2,
  badSourceHandle: 0xa3,
  badSourceOffset: 0xa4,
  badDestHandle: 0xa5,
  badDestOffset: 0xa6,
  badLength: 0xa7,
  badOverlap: 0xa8,
  parity: 0xa9,
  notLocked: 0xaa,
  locked: 0xab,
  lockOverflow: 0xac,
  smallerUmb: 0xb0,
  noUmb: 0xb1,
  badUmb: 0xb2,
} as const;

/** One extended memory block: `start` and `size` in KB from EMB_BASE. */
interface Emb {
  start: number;
  size: number;
  locks: number;
}

/** A free range: EMBs in KB from EMB_BASE, UMBs in paragraphs (start is a segment). */
interface FreeRange {
  start: number;
  size: number;
}

/** The upper memory area UMBs may come from, as segments: C800h up to the system BIOS at F000h. */
const UMA_START = 0xc800;
const UMA_END = 0xf000;
/** Option ROMs are looked for from C000h, in 2 KiB steps. */
const ROM_SCAN_START = 0xc0000;
/** Paragraphs in a 4 KiB page, the unit of Vdh.mapRam. */
const PAGE_PARAS = 0x100;

/** A function's outcome: the registers to set, or an error code for BL (and registers a failure returns, DX). */
type Result = { ok: true; set?: Partial<CpuRegisters> } | { ok: false; code: number; set?: Partial<CpuRegisters> };

const ok = (set?: Partial<CpuRegisters>): Result => ({ ok: true, set });
const err = (code: number, set?: Partial<CpuRegisters>): Result => ({ ok: false, code, set });

/** First fit: carve `size` units from a free list; returns the start or -1. A zero size takes nothing (start 0). */
function carve(list: FreeRange[], size: number): number {
  if (size === 0) return 0;
  const i = list.findIndex((f) => f.size >= size);
  if (i < 0) return -1;
  const f = list[i];
  const start = f.start;
  f.start += size;
  f.size -= size;
  if (f.size === 0) list.splice(i, 1);
  return start;
}

/** Put a range back into a sorted free list, merging it with the free ranges it touches. */
function insertFree(list: FreeRange[], start: number, size: number): void {
  if (size === 0) return;
  let i = 0;
  while (i < list.length && list[i].start < start) i++;
  list.splice(i, 0, { start, size });
  const next = list[i + 1];
  if (next && start + size === next.start) {
    list[i].size += next.size;
    list.splice(i + 1, 1);
  }
  const prev = list[i - 1];
  if (prev && prev.start + prev.size === start) {
    prev.size += list[i].size;
    list.splice(i, 1);
  }
}

/** Take `size` units from the free range that begins exactly at `start`; false if it is not there or too small. */
function takeAt(list: FreeRange[], start: number, size: number): boolean {
  const i = list.findIndex((f) => f.start === start && f.size >= size);
  if (i < 0) return false;
  const f = list[i];
  f.start += size;
  f.size -= size;
  if (f.size === 0) list.splice(i, 1);
  return true;
}

const largestOf = (list: FreeRange[]): number => list.reduce((m, f) => Math.max(m, f.size), 0);

/** What named request 2 (an XMS call for DOS) answers. */
export interface XmsAnswer {
  ax: number;
  bl: number;
  bx: number;
  dx: number;
}

export class Vxms {
  /** KB of extended memory the driver manages; 0 = no driver. */
  private poolKb = 0;
  private enabled = false;
  private maxHandles = 32;
  private minHmaKb = 0;
  /** Handle slots: index + 1 is the handle; null is a free slot. */
  private handles: (Emb | null)[] = [];
  private free: FreeRange[] = [];
  private hmaUsed = false;
  private globalA20 = false;
  private localA20 = 0;
  /** Free upper memory, in paragraphs; undefined until the first UMB call after POST lays it out. */
  private umbFree: FreeRange[] | undefined;
  /** UMBs handed out: segment -> paragraphs. */
  private readonly umbs = new Map<number, number>();
  /** Upper memory pages (by segment) this driver made RAM; they stay RAM, and stay ours, across resets. */
  private readonly umbPages = new Set<number>();

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const vdh = this.vdh;
    vdh.registerProperty({
      type: 'int',
      name: 'XMS_MEMORY_LIMIT',
      help: 'Extended memory (XMS) the session may allocate, in KB; 0 removes the XMS driver.',
      default: 2048,
      min: 0,
      max: 65535,
    });
    vdh.registerProperty({
      type: 'int',
      name: 'XMS_HANDLES',
      help: 'How many extended memory blocks (XMS handles) the session can hold at once.',
      default: 32,
      min: 0,
      max: 128,
    });
    vdh.registerProperty({
      type: 'int',
      name: 'XMS_MINIMUM_HMA',
      help: 'The smallest request, in KB, that gets the high memory area (HMA); 0 gives it to the first program that asks.',
      default: 0,
      min: 0,
      max: 63,
    });
    vdh.installSvc(0x53, () => this.call());
    vdh.installIntHook(0x2f, () => this.multiplex());
    vdh.installIntHook(0x15, () => this.extendedMemorySize());
    vdh.onUserHook('post', () => this.reset());
    this.reset();
  }

  /** Take the settings and start with every block free, the HMA unowned and no A20 requests. */
  reset(): void {
    const vdh = this.vdh;
    const limit = vdh.property('XMS_MEMORY_LIMIT') as number;
    this.maxHandles = vdh.property('XMS_HANDLES') as number;
    this.minHmaKb = vdh.property('XMS_MINIMUM_HMA') as number;
    this.enabled = limit > 0 && vdh.model >= CpuModel.i80286 && vdh.ramSize >= EMB_BASE;
    this.poolKb = this.enabled ? Math.min(limit, Math.floor((vdh.ramSize - EMB_BASE) / 1024)) : 0;
    this.handles = [];
    this.free = this.poolKb > 0 ? [{ start: 0, size: this.poolKb }] : [];
    this.hmaUsed = false;
    this.globalA20 = false;
    this.localA20 = 0;
    this.umbFree = undefined;
    this.umbs.clear();
  }

  /** INT 2Fh AH=43h: the installation check and the entry point. */
  private multiplex(): boolean {
    if (!this.enabled) return false;
    const r = this.vdh.getRegisters();
    const ax = r.eax & 0xffff;
    if (ax === 0x4300) {
      this.vdh.setRegisters({ eax: (r.eax & ~0xff) | 0x80 });
      return true;
    }
    if (ax === 0x4310) {
      const entry = this.vdh.biosEntry('xms');
      if (!entry) return false;
      this.vdh.setRegisters({ es: entry.segment, ebx: (r.ebx & ~0xffff) | entry.offset });
      return true;
    }
    return false;
  }

  /**
   * INT 15h AH=88h while the driver owns extended memory: 0 KB, as HIMEM answers, so a program that takes
   * extended memory the old way cannot write over XMS blocks. Everything else goes on to the BIOS.
   */
  private extendedMemorySize(): boolean {
    if (!this.enabled) return false;
    const r = this.vdh.getRegisters();
    if (((r.eax >>> 8) & 0xff) !== 0x88) return false;
    this.vdh.setRegisters({ eax: r.eax & ~0xffff, eflags: r.eflags & ~1 });
    return true;
  }

  /** The far-call entry (SVC 53h): the function in AH. */
  private call(): void {
    const r = this.vdh.getRegisters();
    const fn = (r.eax >>> 8) & 0xff;
    const result = this.enabled ? this.serve(fn, r) : err(XmsError.notImplemented);
    if (result.ok) {
      this.vdh.setRegisters({ eax: (r.eax & ~0xffff) | 1, ...result.set });
    } else {
      this.vdh.setRegisters({ ...result.set, eax: r.eax & ~0xffff, ebx: (r.ebx & ~0xff) | result.code });
    }
  }

  /**
   * Named request 2: an XMS call made by DOS itself (DOSKRNL's HIMEM calls at POST), served as the entry
   * serves the guest's but with registers of its own, so the guest's are not touched.
   */
  callForDos(input: { ah: number; bx?: number; dx?: number }): XmsAnswer {
    const none = { ecx: 0, esi: 0, edi: 0, ebp: 0, esp: 0, eip: 0, eflags: 0, cs: 0, ds: 0, es: 0, ss: 0, fs: 0, gs: 0 };
    const r: CpuRegisters = { ...none, eax: (input.ah & 0xff) << 8, ebx: (input.bx ?? 0) & 0xffff, edx: (input.dx ?? 0) & 0xffff };
    const result = this.enabled ? this.serve(input.ah & 0xff, r) : err(XmsError.notImplemented);
    const set = result.set ?? {};
    return {
      ax: result.ok ? (set.eax ?? 1) & 0xffff : 0,
      bl: result.ok ? (set.ebx ?? r.ebx) & 0xff : result.code,
      bx: (set.ebx ?? r.ebx) & 0xffff,
      dx: (set.edx ?? r.edx) & 0xffff,
    };
  }

  private serve(fn: number, r: CpuRegisters): Result {
    const dx = r.edx & 0xffff;
    const lo16 = (reg: number, v: number) => (reg & ~0xffff) | (v & 0xffff);
    switch (fn) {
      case 0x00:
        return ok({ eax: lo16(r.eax, 0x0300), ebx: lo16(r.ebx, REVISION), edx: lo16(r.edx, 1) });
      case 0x01:
        return this.requestHma(dx);
      case 0x02:
        if (!this.hmaUsed) return err(XmsError.hmaNotAllocated);
        this.hmaUsed = false;
        return ok();
      case 0x03:
        this.globalA20 = true;
        this.vdh.setA20(true);
        return ok();
      case 0x04:
        this.globalA20 = false;
        return this.settleA20();
      case 0x05:
        this.localA20++;
        this.vdh.setA20(true);
        return ok();
      case 0x06:
        if (this.localA20 > 0) this.localA20--;
        return this.settleA20();
      case 0x07:
        return ok({ eax: lo16(r.eax, this.vdh.a20 ? 1 : 0), ebx: r.ebx & ~0xff });
      case 0x08:
      case 0x88: {
        const largest = this.free.reduce((m, f) => Math.max(m, f.size), 0);
        const total = this.free.reduce((s, f) => s + f.size, 0);
        if (fn === 0x88) {
          const top = EMB_BASE + this.poolKb * 1024 - 1;
          return ok({ eax: largest, edx: total, ecx: top >>> 0, ebx: r.ebx & ~0xff });
        }
        if (total === 0) return err(XmsError.outOfMemory, { edx: lo16(r.edx, 0) });
        return ok({ eax: lo16(r.eax, Math.min(largest, 0xffff)), edx: lo16(r.edx, Math.min(total, 0xffff)), ebx: r.ebx & ~0xff });
      }
      case 0x09:
      case 0x89: {
        const handle = this.allocate(fn === 0x89 ? r.edx >>> 0 : dx);
        return typeof handle === 'number' ? ok({ edx: lo16(r.edx, handle) }) : handle;
      }
      case 0x0a: {
        const emb = this.emb(dx);
        if (!emb) return err(XmsError.badHandle);
        if (emb.locks > 0) return err(XmsError.locked);
        this.release(emb);
        this.handles[dx - 1] = null;
        return ok();
      }
      case 0x0b:
        return this.move(r.ds * 16 + (r.esi & 0xffff));
      case 0x0c: {
        const emb = this.emb(dx);
        if (!emb) return err(XmsError.badHandle);
        if (emb.locks >= 0xff) return err(XmsError.lockOverflow);
        emb.locks++;
        const addr = EMB_BASE + emb.start * 1024;
        return ok({ edx: lo16(r.edx, addr >>> 16), ebx: lo16(r.ebx, addr) });
      }
      case 0x0d: {
        const emb = this.emb(dx);
        if (!emb) return err(XmsError.badHandle);
        if (emb.locks === 0) return err(XmsError.notLocked);
        emb.locks--;
        return ok();
      }
      case 0x0e:
      case 0x8e: {
        const emb = this.emb(dx);
        if (!emb) return err(XmsError.badHandle);
        const freeHandles = this.maxHandles - this.handles.filter((h) => h).length;
        if (fn === 0x8e) return ok({ ebx: (r.ebx & ~0xffff) | (Math.min(emb.locks, 0xff) << 8), ecx: freeHandles, edx: emb.size });
        return ok({ ebx: lo16(r.ebx, (Math.min(emb.locks, 0xff) << 8) | Math.min(freeHandles, 0xff)), edx: lo16(r.edx, Math.min(emb.size, 0xffff)) });
      }
      case 0x0f:
      case 0x8f: {
        const emb = this.emb(dx);
        if (!emb) return err(XmsError.badHandle);
        if (emb.locks > 0) return err(XmsError.locked);
        return this.reallocate(emb, fn === 0x8f ? r.ebx >>> 0 : r.ebx & 0xffff);
      }
      case 0x10:
        return this.requestUmb(dx, r);
      case 0x11:
        return this.releaseUmb(dx);
      case 0x12:
        return this.reallocateUmb(dx, r.ebx & 0xffff, r);
      default:
        return err(XmsError.notImplemented);
    }
  }

  private requestHma(dx: number): Result {
    if (this.vdh.ramSize < EMB_BASE) return err(XmsError.noHma);
    if (this.hmaUsed) return err(XmsError.hmaInUse);
    // FFFFh is an application, which always qualifies; a TSR or driver asks for its size in bytes.
    if (dx !== 0xffff && dx < this.minHmaKb * 1024) return err(XmsError.hmaTooSmall);
    this.hmaUsed = true;
    return ok();
  }

  /** Turn A20 off when neither the global flag nor a local enable wants it on; BL=94h if it must stay on. */
  private settleA20(): Result {
    if (this.globalA20 || this.localA20 > 0) return err(XmsError.a20StillEnabled);
    this.vdh.setA20(false);
    return ok();
  }

  /** The block behind a handle, or undefined. */
  private emb(handle: number): Emb | undefined {
    return handle >= 1 && handle <= this.handles.length ? (this.handles[handle - 1] ?? undefined) : undefined;
  }

  /** Allocate `kb` KB (0 gives a handle with no memory); returns the handle or the error. */
  private allocate(kb: number): number | Result {
    let slot = this.handles.indexOf(null);
    if (slot < 0) {
      if (this.handles.length >= this.maxHandles) return err(XmsError.outOfHandles);
      slot = this.handles.length;
      this.handles.push(null);
    }
    const start = this.take(kb);
    if (start < 0) {
      if (slot === this.handles.length - 1) this.handles.pop();
      return err(XmsError.outOfMemory);
    }
    this.handles[slot] = { start, size: kb, locks: 0 };
    return slot + 1;
  }

  /** First fit: carve `kb` KB from the free list; returns its start or -1. A zero-size block takes nothing. */
  private take(kb: number): number {
    return carve(this.free, kb);
  }

  /** Give a block's memory back, merging it with its free neighbours. */
  private release(emb: Emb): void {
    this.giveBack(emb.start, emb.size);
  }

  private giveBack(start: number, size: number): void {
    insertFree(this.free, start, size);
  }

  /** Function 0Fh: shrink in place, grow into the free range that follows, or move the contents to a new place. */
  private reallocate(emb: Emb, kb: number): Result {
    if (kb <= emb.size) {
      this.giveBack(emb.start + kb, emb.size - kb);
      emb.size = kb;
      if (kb === 0) emb.start = 0;
      return ok();
    }
    if (emb.size > 0 && takeAt(this.free, emb.start + emb.size, kb - emb.size)) {
      emb.size = kb;
      return ok();
    }
    // Move: free the old range first (first fit may then reuse it, overlapping the old bytes), so copy out first.
    const bytes = this.vdh.readGuest(EMB_BASE + emb.start * 1024, emb.size * 1024);
    const saved = this.free.map((f) => ({ ...f }));
    this.giveBack(emb.start, emb.size);
    const start = this.take(kb);
    if (start < 0) {
      this.free = saved;
      return err(XmsError.outOfMemory);
    }
    emb.start = start;
    emb.size = kb;
    this.vdh.writeGuest(EMB_BASE + start * 1024, bytes);
    return ok();
  }

  /** Function 0Bh: the move structure at linear `at` (length, source handle and offset, destination handle and offset). */
  private move(at: number): Result {
    const v = this.vdh;
    const dword = (o: number) => (v.readWord(at + o) | (v.readWord(at + o + 2) << 16)) >>> 0;
    const length = dword(0);
    const srcHandle = v.readWord(at + 4);
    const srcOffset = dword(6);
    const dstHandle = v.readWord(at + 10);
    const dstOffset = dword(12);
    if (length & 1) return err(XmsError.badLength);
    const place = (handle: number, offset: number, badHandle: number, badOffset: number): number | Result => {
      if (handle === 0) {
        // Conventional memory: the offset is a real-mode segment:offset.
        const addr = (offset >>> 16) * 16 + (offset & 0xffff);
        if (addr + length > EMB_BASE) return err(XmsError.badLength);
        return addr;
      }
      const emb = this.emb(handle);
      if (!emb) return err(badHandle);
      const size = emb.size * 1024;
      if (offset > size || (offset === size && length > 0)) return err(badOffset);
      if (length > size - offset) return err(XmsError.badLength);
      return EMB_BASE + emb.start * 1024 + offset;
    };
    const src = place(srcHandle, srcOffset, XmsError.badSourceHandle, XmsError.badSourceOffset);
    if (typeof src !== 'number') return src;
    const dst = place(dstHandle, dstOffset, XmsError.badDestHandle, XmsError.badDestOffset);
    if (typeof dst !== 'number') return dst;
    if (length === 0 || src === dst) return ok();
    // In chunks; a move to a higher overlapping address copies from the end, so any overlap comes out right.
    const CHUNK = 0x10000;
    const backwards = dst > src && dst < src + length;
    for (let done = 0; done < length; ) {
      const n = Math.min(CHUNK, length - done);
      const o = backwards ? length - done - n : done;
      v.writeGuest(dst + o, v.readGuest(src + o, n));
      done += n;
    }
    return ok();
  }

  // ------------------------------------------------------------------------------------ UMBs

  /**
   * The free upper memory, laid out at the first UMB call after POST (when every VDD has set up its part of
   * the upper memory area): the pages of C800h-EFFFh that no option ROM covers, that are not the EMS page
   * frame, and that read as an open bus (nothing is mapped there) or are this driver's from before a reset.
   * They become RAM, zeroed.
   */
  private upperMemory(): FreeRange[] {
    if (this.umbFree) return this.umbFree;
    const vdh = this.vdh;
    const taken: [number, number][] = []; // [first, end) segments that are not ours to give
    for (let a = ROM_SCAN_START; a < UMA_END * 16; a += 0x800) {
      if (this.umbPages.has((a >>> 4) & ~(PAGE_PARAS - 1))) continue; // our RAM: whatever it holds is not a ROM
      if (vdh.readByte(a) === 0x55 && vdh.readByte(a + 1) === 0xaa) taken.push([a >>> 4, (a + vdh.readByte(a + 2) * 512 + 15) >>> 4]);
    }
    const frame = this.emsFrame();
    if (frame) taken.push(frame);
    const free: FreeRange[] = [];
    for (let page = UMA_START; page < UMA_END; page += PAGE_PARAS) {
      if (taken.some(([first, end]) => page < end && first < page + PAGE_PARAS)) continue;
      if (!this.umbPages.has(page) && !vdh.readGuest(page * 16, PAGE_PARAS * 16).every((b) => b === 0xff)) continue;
      insertFree(free, page, PAGE_PARAS);
    }
    for (const f of free) {
      vdh.mapRam(f.start * 16, f.size * 16);
      vdh.writeGuest(f.start * 16, new Uint8Array(f.size * 16));
      for (let page = f.start; page < f.start + f.size; page += PAGE_PARAS) this.umbPages.add(page);
    }
    this.umbFree = free;
    return free;
  }

  /** The EMS page frame as [first, end) segments, from VEMM's named request 1; undefined without one. */
  private emsFrame(): [number, number] | undefined {
    const vemm = this.vdh.openVdd('VEMM');
    const answer = vemm ? (this.vdh.requestVdd(vemm, 1) as { frame?: number | null; bytes?: number } | undefined) : undefined;
    if (typeof answer?.frame !== 'number') return undefined;
    return [answer.frame, answer.frame + ((answer.bytes ?? 0x10000) >>> 4)];
  }

  /** Function 10h: a UMB of DX paragraphs (BX = its segment, DX = its size); B0h with DX = the largest, B1h when none is left. */
  private requestUmb(paragraphs: number, r: CpuRegisters): Result {
    const free = this.upperMemory();
    const largest = largestOf(free);
    const dx = (v: number) => ({ edx: (r.edx & ~0xffff) | v });
    if (largest === 0) return err(XmsError.noUmb, dx(0));
    if (paragraphs === 0 || paragraphs > largest) return err(XmsError.smallerUmb, dx(largest));
    const segment = carve(free, paragraphs);
    this.umbs.set(segment, paragraphs);
    return ok({ ebx: (r.ebx & ~0xffff) | segment, ...dx(paragraphs) });
  }

  /** Function 11h: give back the UMB at segment DX. */
  private releaseUmb(segment: number): Result {
    const size = this.umbs.get(segment);
    if (size === undefined) return err(XmsError.badUmb);
    this.umbs.delete(segment);
    insertFree(this.upperMemory(), segment, size);
    return ok();
  }

  /**
   * Function 12h: resize the UMB at segment DX to BX paragraphs, in place; B0h with DX = the most it can have.
   * Resizing to 0 frees it (a UMB of no paragraphs would share its segment with the next one given out).
   */
  private reallocateUmb(segment: number, paragraphs: number, r: CpuRegisters): Result {
    const size = this.umbs.get(segment);
    if (size === undefined) return err(XmsError.badUmb);
    if (paragraphs === 0) return this.releaseUmb(segment);
    const free = this.upperMemory();
    if (paragraphs <= size) {
      insertFree(free, segment + paragraphs, size - paragraphs);
    } else if (!takeAt(free, segment + size, paragraphs - size)) {
      const after = free.find((f) => f.start === segment + size)?.size ?? 0;
      return err(XmsError.smallerUmb, { edx: (r.edx & ~0xffff) | (size + after) });
    }
    this.umbs.set(segment, paragraphs);
    return ok();
  }

  /** For tests and diagnostics: the free list and the handles in use, the free upper memory and the UMBs. */
  state(): { poolKb: number; free: FreeRange[]; handles: number; hmaUsed: boolean; umbFree: FreeRange[] | null; umbs: { segment: number; size: number }[] } {
    return {
      poolKb: this.poolKb,
      free: this.free.map((f) => ({ ...f })),
      handles: this.handles.filter((h) => h).length,
      hmaUsed: this.hmaUsed,
      umbFree: this.umbFree ? this.umbFree.map((f) => ({ ...f })) : null,
      umbs: [...this.umbs].map(([segment, size]) => ({ segment, size })).sort((a, b) => a.segment - b.segment),
    };
  }
}

const VXMS: VddModule = {
  name: 'VXMS',
  init(vdh) {
    const x = new Vxms(vdh);
    x.install();
    vdh.registerName('VXMS', (command, input) => {
      if (command === 1) return x.state();
      if (command === 2) {
        const call = input as { ah?: unknown; bx?: unknown; dx?: unknown } | undefined;
        if (typeof call?.ah !== 'number') throw new Error('VXMS: request 2 wants { ah, bx, dx }');
        return x.callForDos({ ah: call.ah, bx: typeof call.bx === 'number' ? call.bx : 0, dx: typeof call.dx === 'number' ? call.dx : 0 });
      }
      throw new Error(`VXMS: unknown request ${command}`);
    });
  },
};

export default VXMS;
