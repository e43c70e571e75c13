/**
 * VEMM: expanded memory (LIM EMS 4.0) for a DOS session, as OS/2's VEMM gives one: INT 67h served from the
 * host, a 64 KiB page frame in the upper memory area and up to EMS_MEMORY_LIMIT KB of 16 KiB logical pages
 * kept on the host. docs/ems.md explains it in prose.
 *
 * - INT 67h: the ROM's stub in the segment of the EMMXXXX0 device header (Vdh.biosEntry(0x67), FE02:0012h),
 *   which vector 67h points at from POST, so programs that check "EMMXXXX0" at vector-segment:000Ah or call
 *   INT 67h find a driver. Functions 40h-54h, 57h-5Ah; 55h, 56h and 5Bh-5Dh answer 84h (not supported).
 * - The page frame: 4 physical pages of 16 KiB at EMS_FRAME_LOCATION (AUTO = D000h), made plain RAM at POST.
 *   Mapping copies: when a physical page changes its logical page, the frame's 16 KiB are saved into the old
 *   logical page's backing store and the new one's are loaded (Vdh.writeGuest, which tells the CPU so code
 *   translated from the frame is dropped). Two 16 KiB copies per map change are cheap next to what a program
 *   does between changes, and the frame stays ordinary RAM on the CPU's fast path, where MMIO handlers would
 *   slow every access to it. A logical page mapped into two physical pages at once (LIM allows aliases)
 *   turns those pages into windows onto its store (Vdh.mapMmio) while the alias lasts, so writes through
 *   one are seen through the other; they go back to plain RAM when it ends.
 * - An unmapped physical page keeps the bytes it held (writes to it reach no logical page); the frame is
 *   zeroed at POST.
 * - Settings are read at POST (power-on and every reset): EMS_MEMORY_LIMIT = 0 or EMS_FRAME_LOCATION = NONE
 *   leave vector 67h as it was and the upper memory area untouched. A frame over an option ROM (the video
 *   BIOS at C000h) is refused with a log line, and there is no EMS. EMS_HIGH_OS_MAP_REGION and
 *   EMS_LOW_OS_MAP_REGION are stored for the settings notebook only: they size the regions a protected-mode
 *   OS maps for itself, and a DOS session here has none.
 * - Named request 1 tells where the frame is ({ frame: segment or null, bytes }), so VXMS keeps its upper
 *   memory blocks out of it.
 */
import type { CpuRegisters, Vdh, VddModule } from '../../main/vmm/vdh.js';

/** Bytes in a logical or physical page. */
export const EMS_PAGE = 0x4000;
/** Physical pages in the frame. */
export const PHYSICAL_PAGES = 4;
/** Handles, the OS handle 0 included (LIM 4.0's maximum). */
export const MAX_HANDLES = 255;
/** Bytes of a page map (INT 67h AH=4Eh): per physical page the handle (FFFFh: unmapped) and the logical page. */
const MAP_SIZE = PHYSICAL_PAGES * 4;
/** A region AH=57h moves or exchanges, at most (1 MiB). */
const MAX_REGION = 0x100000;

export const FRAME_LOCATIONS = ['AUTO', 'NONE', 'C000', 'C400', 'C800', 'CC00', 'D000', 'D400', 'D800', 'DC00', '8000', '8400', '8800', '8C00', '9000'] as const;
const AUTO_FRAME = 0xd000;

/** INT 67h status codes (AH). */
export const EmsStatus = {
  ok: 0x00,
  internal: 0x80,
  badHandle: 0x83,
  undefinedFunction: 0x84,
  noHandles: 0x85,
  contextSaved: 0x86,
  notEnoughTotal: 0x87,
  notEnoughFree: 0x88,
  zeroPages: 0x89,
  logicalPage: 0x8a,
  physicalPage: 0x8b,
  alreadySaved: 0x8d,
  notSaved: 0x8e,
  badSubfunction: 0x8f,
  undefinedAttribute: 0x90,
  nonVolatile: 0x91,
  moveOverlap: 0x92,
  beyondHandle: 0x93,
  offset: 0x95,
  regionTooLong: 0x96,
  exchangeOverlap: 0x97,
  memoryType: 0x98,
  nameNotFound: 0xa0,
  nameExists: 0xa1,
  wraps: 0xa2,
  badMap: 0xa3,
} as const;

/** A status thrown by a helper and returned in AH. */
class EmsError extends Error {
  constructor(readonly status: number) {
    super(`EMS status ${status.toString(16)}h`);
  }
}

interface EmsHandle {
  /** The logical pages' backing store; a page's live bytes are in the frame while it is mapped. */
  pages: Uint8Array[];
  /** 8 bytes; all zeros is no name. */
  name: Uint8Array;
  /** The page map AH=47h saved for this handle. */
  saved: Int32Array | null;
}

/** One expanded-memory location of AH=57h's region: a handle's linear byte offset. */
interface Region {
  type: 0 | 1;
  linear: number;
  handle: number;
}

const word = (b: Uint8Array, i: number): number => b[i] | (b[i + 1] << 8);
const zeroName = (n: Uint8Array): boolean => n.every((b) => b === 0);
const sameName = (a: Uint8Array, b: Uint8Array): boolean => a.every((v, i) => v === b[i]);

class Vemm {
  /** The frame's segment, or undefined when there is no EMS. */
  private frame: number | undefined;
  private totalPages = 0;
  /** Handles by number; handle 0 is the OS handle and always open. */
  private handles: (EmsHandle | undefined)[] = [];
  /** Per physical page: handle << 16 | logical page, or -1 for unmapped. */
  private readonly mapped = new Int32Array(PHYSICAL_PAGES).fill(-1);
  /** Physical pages mapped as windows onto their logical page's store (Vdh.mapMmio) while it is aliased. */
  private readonly window = new Uint8Array(PHYSICAL_PAGES);

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    const vdh = this.vdh;
    vdh.registerProperty({ type: 'int', name: 'EMS_MEMORY_LIMIT', help: 'Expanded memory (LIM EMS 4.0) in KB; 0 for none.', default: 2048, min: 0, max: 32768, step: 16 });
    vdh.registerProperty({
      type: 'enum',
      name: 'EMS_FRAME_LOCATION',
      help: 'Segment of the 64 KB EMS page frame; AUTO places it at D000, NONE gives no EMS.',
      default: 'AUTO',
      values: FRAME_LOCATIONS,
    });
    vdh.registerProperty({ type: 'int', name: 'EMS_HIGH_OS_MAP_REGION', help: 'KB of mappable upper memory kept for a protected-mode OS (stored; no effect without one).', default: 32, min: 0, max: 96 });
    vdh.registerProperty({ type: 'int', name: 'EMS_LOW_OS_MAP_REGION', help: 'KB of mappable conventional memory kept for a protected-mode OS (stored; no effect without one).', default: 384, min: 0, max: 576 });
    vdh.installBiosService(0x67, () => this.int67());
    vdh.onUserHook('post', () => this.post());
  }

  // ------------------------------------------------------------------------------------ POST

  private post(): void {
    const vdh = this.vdh;
    this.handles = [{ pages: [], name: new Uint8Array(8), saved: null }];
    this.mapped.fill(-1);
    this.window.fill(0);
    this.frame = undefined;
    const kb = vdh.property('EMS_MEMORY_LIMIT') as number;
    const location = vdh.property('EMS_FRAME_LOCATION') as string;
    if (kb <= 0 || location === 'NONE') return;
    const segment = location === 'AUTO' ? AUTO_FRAME : parseInt(location, 16);
    const rom = this.romUnder(segment * 16);
    if (rom !== undefined) {
      vdh.log(`VEMM: the EMS page frame at ${location} would cover the option ROM at ${rom.toString(16)}h; no EMS`);
      return;
    }
    const entry = vdh.biosEntry(0x67);
    if (!entry) return;
    this.frame = segment;
    this.totalPages = Math.floor(kb / 16);
    vdh.mapRam(segment * 16, PHYSICAL_PAGES * EMS_PAGE);
    vdh.writeGuest(segment * 16, new Uint8Array(PHYSICAL_PAGES * EMS_PAGE));
    vdh.writeWord(0x67 * 4, entry.offset);
    vdh.writeWord(0x67 * 4 + 2, entry.segment);
  }

  /** Named request 1: where the page frame is (a segment; null without EMS) and its size, for VXMS's upper memory. */
  frameInfo(): { frame: number | null; bytes: number } {
    return { frame: this.frame ?? null, bytes: PHYSICAL_PAGES * EMS_PAGE };
  }

  /** The address of an option ROM (55h AAh, size in 512-byte blocks) overlapping the 64 KiB at `start`, if any. */
  private romUnder(start: number): number | undefined {
    const end = start + PHYSICAL_PAGES * EMS_PAGE;
    for (let a = 0xc0000; a < end && a < 0xf0000; a += 0x800) {
      if (this.vdh.readByte(a) !== 0x55 || this.vdh.readByte(a + 1) !== 0xaa) continue;
      const size = this.vdh.readByte(a + 2) * 512;
      if (a < end && a + size > start) return a;
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------------ pages

  private get freePages(): number {
    let used = 0;
    for (const h of this.handles) used += h?.pages.length ?? 0;
    return this.totalPages - used;
  }

  private handle(n: number): EmsHandle {
    const h = this.handles[n];
    if (!h) throw new EmsError(EmsStatus.badHandle);
    return h;
  }

  private physAddr(phys: number): number {
    return (this.frame as number) * 16 + phys * EMS_PAGE;
  }

  /** The backing store of a mapping (handle << 16 | page). */
  private store(m: number): Uint8Array {
    return (this.handles[m >>> 16] as EmsHandle).pages[m & 0xffff];
  }

  /** Save a physical page's bytes into the logical page it maps (a window has no copy to save). */
  private flush(phys: number): void {
    const m = this.mapped[phys];
    if (m >= 0 && !this.window[phys]) this.store(m).set(this.vdh.readGuest(this.physAddr(phys), EMS_PAGE));
  }

  /**
   * Map logical page `m` (handle << 16 | page, or -1 to unmap) into a physical page: the copy described
   * above. A logical page mapped into two or more physical pages at once is made coherent the other way:
   * those pages become windows onto its store through the VDH's mapping (Vdh.mapMmio), so a write through
   * one is read through the others, and go back to plain RAM with a copy when the alias ends.
   */
  private mapPage(phys: number, m: number): void {
    if (this.mapped[phys] === m) return;
    this.flush(phys);
    const wasWindow = this.window[phys] === 1;
    this.mapped[phys] = m;
    const vdh = this.vdh;
    for (let q = 0; q < PHYSICAL_PAGES; q++) {
      const mq = this.mapped[q];
      let aliased = false;
      for (let k = 0; k < PHYSICAL_PAGES; k++) if (k !== q && mq >= 0 && this.mapped[k] === mq) aliased = true;
      const base = this.physAddr(q);
      if (aliased && !this.window[q]) {
        if (q !== phys) this.flush(q);
        const store = this.store(mq);
        vdh.mapMmio(base, EMS_PAGE, { read: (a) => store[a - base], write: (a, v) => void (store[a - base] = v) });
        this.window[q] = 1;
      } else if (!aliased && (this.window[q] || (q === phys && wasWindow))) {
        vdh.mapRam(base, EMS_PAGE);
        this.window[q] = 0;
        if (mq >= 0) vdh.writeGuest(base, this.store(mq));
      } else if (q === phys && !aliased && mq >= 0) {
        vdh.writeGuest(base, this.store(mq));
      }
    }
  }

  /** The mapping for (handle, logical page), checked; logical FFFFh is "unmap". */
  private mapping(handle: number, logical: number): number {
    const h = this.handle(handle);
    if (logical === 0xffff) return -1;
    if (logical >= h.pages.length) throw new EmsError(EmsStatus.logicalPage);
    return (handle << 16) | logical;
  }

  /** A physical page number from a segment in the frame (AH=50h AL=01h, AH=4Fh). */
  private physFromSegment(segment: number): number {
    const frame = this.frame as number;
    const phys = (segment - frame) / (EMS_PAGE / 16);
    if (!Number.isInteger(phys) || phys < 0 || phys >= PHYSICAL_PAGES) throw new EmsError(EmsStatus.physicalPage);
    return phys;
  }

  /** Drop mappings of pages a handle no longer has (deallocated or shrunk). */
  private dropMappings(handle: number, keep: number): void {
    for (let p = 0; p < PHYSICAL_PAGES; p++) {
      const m = this.mapped[p];
      if (m >= 0 && m >>> 16 === handle && (m & 0xffff) >= keep) this.mapped[p] = -1;
    }
  }

  private resize(handle: number, pages: number): void {
    const h = this.handle(handle);
    if (pages > this.totalPages) throw new EmsError(EmsStatus.notEnoughTotal);
    if (pages - h.pages.length > this.freePages) throw new EmsError(EmsStatus.notEnoughFree);
    if (pages < h.pages.length) {
      this.dropMappings(handle, pages);
      h.pages.length = pages;
    }
    while (h.pages.length < pages) h.pages.push(new Uint8Array(EMS_PAGE));
  }

  private allocate(pages: number): number {
    const n = this.handles.findIndex((h, i) => i > 0 && !h);
    const handle = n > 0 ? n : this.handles.length;
    if (handle >= MAX_HANDLES) throw new EmsError(EmsStatus.noHandles);
    if (pages > this.totalPages) throw new EmsError(EmsStatus.notEnoughTotal);
    if (pages > this.freePages) throw new EmsError(EmsStatus.notEnoughFree);
    this.handles[handle] = { pages: [], name: new Uint8Array(8), saved: null };
    this.resize(handle, pages);
    return handle;
  }

  private deallocate(handle: number): void {
    const h = this.handle(handle);
    if (h.saved) throw new EmsError(EmsStatus.contextSaved);
    this.dropMappings(handle, 0);
    h.pages.length = 0;
    h.name.fill(0);
    if (handle !== 0) this.handles[handle] = undefined; // the OS handle stays open with no pages
  }

  /** The current map. Nothing is copied: the frame keeps the live bytes until a page is remapped. */
  private getMap(): Int32Array {
    return this.mapped.slice();
  }

  /** Restore a map: every entry must name a page that still exists. */
  private setMap(map: Int32Array, phys: readonly number[] = [0, 1, 2, 3]): void {
    for (const p of phys) {
      const m = map[p];
      if (m >= 0 && (this.handles[m >>> 16]?.pages.length ?? 0) <= (m & 0xffff)) throw new EmsError(EmsStatus.badMap);
    }
    for (const p of phys) this.mapPage(p, map[p]);
  }

  private mapToBytes(map: Int32Array): Uint8Array {
    const out = new Uint8Array(MAP_SIZE);
    for (let p = 0; p < PHYSICAL_PAGES; p++) {
      const m = map[p];
      const h = m < 0 ? 0xffff : m >>> 16;
      const l = m < 0 ? 0xffff : m & 0xffff;
      out.set([h & 0xff, h >> 8, l & 0xff, l >> 8], p * 4);
    }
    return out;
  }

  private mapFromBytes(b: Uint8Array): Int32Array {
    const map = new Int32Array(PHYSICAL_PAGES);
    for (let p = 0; p < PHYSICAL_PAGES; p++) {
      const h = word(b, p * 4);
      const l = word(b, p * 4 + 2);
      if (h === 0xffff) map[p] = -1;
      else if (h >= MAX_HANDLES) throw new EmsError(EmsStatus.badMap);
      else map[p] = (h << 16) | l;
    }
    return map;
  }

  // ------------------------------------------------------------------------------------ AH=57h regions

  /** Read or write bytes of a handle's expanded memory: the frame holds the live copy of mapped pages. */
  private expanded(r: Region, at: number, length: number, data?: Uint8Array): Uint8Array {
    const out = data ?? new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const linear = r.linear + at + done;
      const page = Math.floor(linear / EMS_PAGE);
      const off = linear % EMS_PAGE;
      const n = Math.min(EMS_PAGE - off, length - done);
      const m = (r.handle << 16) | page;
      const store = this.store(m);
      const where = [...this.mapped.keys()].filter((p) => this.mapped[p] === m);
      if (data) {
        const chunk = data.subarray(done, done + n);
        store.set(chunk, off);
        for (const p of where) this.vdh.writeGuest(this.physAddr(p) + off, chunk);
      } else {
        out.set(where.length ? this.vdh.readGuest(this.physAddr(where[0]) + off, n) : store.subarray(off, off + n), done);
      }
      done += n;
    }
    return out;
  }

  private readRegion(r: Region, at: number, length: number): Uint8Array {
    return r.type === 0 ? this.vdh.readGuest(r.linear + at, length) : this.expanded(r, at, length);
  }

  private writeRegion(r: Region, at: number, bytes: Uint8Array): void {
    if (r.type === 0) this.vdh.writeGuest(r.linear + at, bytes);
    else this.expanded(r, at, bytes.length, bytes);
  }

  /** One side of AH=57h's descriptor: type byte, handle word, offset word, segment or logical page word. */
  private region(b: Uint8Array, i: number, length: number): Region {
    const type = b[i];
    const handle = word(b, i + 1);
    const offset = word(b, i + 3);
    const segPage = word(b, i + 5);
    if (type === 0) {
      const linear = segPage * 16 + offset;
      if (linear + length > 0x100000) throw new EmsError(EmsStatus.wraps);
      return { type, linear, handle: 0 };
    }
    if (type !== 1) throw new EmsError(EmsStatus.memoryType);
    const h = this.handle(handle);
    if (offset >= EMS_PAGE) throw new EmsError(EmsStatus.offset);
    if (segPage >= h.pages.length) throw new EmsError(EmsStatus.logicalPage);
    const linear = segPage * EMS_PAGE + offset;
    if (linear + length > h.pages.length * EMS_PAGE) throw new EmsError(EmsStatus.beyondHandle);
    return { type, linear, handle };
  }

  /** AH=57h: move (AL=00h) or exchange (AL=01h) a region between conventional and expanded memory. */
  private moveExchange(exchange: boolean, descriptor: number): number {
    const b = this.vdh.readGuest(descriptor, 18);
    const length = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
    if (length > MAX_REGION) throw new EmsError(EmsStatus.regionTooLong);
    const src = this.region(b, 4, length);
    const dst = this.region(b, 11, length);
    if (length === 0) return EmsStatus.ok;
    const overlap = src.type === dst.type && src.handle === dst.handle && src.linear < dst.linear + length && dst.linear < src.linear + length;
    if (exchange) {
      if (overlap) throw new EmsError(EmsStatus.exchangeOverlap);
      const a = this.readRegion(src, 0, length);
      const c = this.readRegion(dst, 0, length);
      this.writeRegion(src, 0, c);
      this.writeRegion(dst, 0, a);
      return EmsStatus.ok;
    }
    // Through a buffer, so an overlapping move copies as if the source were read first (and says so: 92h).
    this.writeRegion(dst, 0, this.readRegion(src, 0, length));
    return overlap ? EmsStatus.moveOverlap : EmsStatus.ok;
  }

  // ------------------------------------------------------------------------------------ INT 67h

  private int67(): void {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ah = (r.eax >> 8) & 0xff;
    let status: number;
    const out: Partial<CpuRegisters> = {};
    try {
      status = this.frame === undefined ? EmsStatus.undefinedFunction : this.serve(ah, r, out);
    } catch (e) {
      if (!(e instanceof EmsError)) throw e;
      status = e.status;
    }
    const eax = out.eax ?? r.eax;
    vdh.setRegisters({ ...out, eax: (eax & ~0xff00) | (status << 8) });
  }

  /** Serve one function; returns the status and puts result registers in `out` (AL through out.eax). */
  private serve(ah: number, r: CpuRegisters, out: Partial<CpuRegisters>): number {
    const vdh = this.vdh;
    const al = r.eax & 0xff;
    const bx = r.ebx & 0xffff;
    const cx = r.ecx & 0xffff;
    const dx = r.edx & 0xffff;
    const dsSi = r.ds * 16 + (r.esi & 0xffff);
    const esDi = r.es * 16 + (r.edi & 0xffff);
    const setAl = (v: number) => (out.eax = (r.eax & ~0xff) | (v & 0xff));
    const setBx = (v: number) => (out.ebx = (r.ebx & ~0xffff) | (v & 0xffff));
    const setCx = (v: number) => (out.ecx = (r.ecx & ~0xffff) | (v & 0xffff));
    const setDx = (v: number) => (out.edx = (r.edx & ~0xffff) | (v & 0xffff));
    const frame = this.frame as number;
    const bad = (): never => {
      throw new EmsError(EmsStatus.badSubfunction);
    };
    switch (ah) {
      case 0x40: // status
        return EmsStatus.ok;
      case 0x41: // page frame segment
        setBx(frame);
        return EmsStatus.ok;
      case 0x42: // unallocated and total pages
        setBx(this.freePages);
        setDx(this.totalPages);
        return EmsStatus.ok;
      case 0x43: // allocate a handle and pages (LIM 3.2: at least one page)
        if (bx === 0) return EmsStatus.zeroPages;
        setDx(this.allocate(bx));
        return EmsStatus.ok;
      case 0x44: // map (BX = logical page) or unmap (BX = FFFFh) one physical page
        if (al >= PHYSICAL_PAGES) {
          this.handle(dx);
          return EmsStatus.physicalPage;
        }
        this.mapPage(al, this.mapping(dx, bx));
        return EmsStatus.ok;
      case 0x45:
        this.deallocate(dx);
        return EmsStatus.ok;
      case 0x46: // version 4.0
        setAl(0x40);
        return EmsStatus.ok;
      case 0x47: {
        const h = this.handle(dx);
        if (h.saved) return EmsStatus.alreadySaved;
        h.saved = this.getMap();
        return EmsStatus.ok;
      }
      case 0x48: {
        const h = this.handle(dx);
        if (!h.saved) return EmsStatus.notSaved;
        this.setMap(h.saved);
        h.saved = null;
        return EmsStatus.ok;
      }
      case 0x4b: // open handles, the OS handle included
        setBx(this.handles.filter((h) => h).length);
        return EmsStatus.ok;
      case 0x4c:
        setBx(this.handle(dx).pages.length);
        return EmsStatus.ok;
      case 0x4d: {
        const list: number[] = [];
        this.handles.forEach((h, n) => h && list.push(n & 0xff, n >> 8, h.pages.length & 0xff, h.pages.length >> 8));
        vdh.writeGuest(esDi, Uint8Array.from(list));
        setBx(list.length / 4);
        return EmsStatus.ok;
      }
      case 0x4e: // page map: 00h get, 01h set, 02h get and set, 03h size
        switch (al) {
          case 0x00:
            vdh.writeGuest(esDi, this.mapToBytes(this.getMap()));
            return EmsStatus.ok;
          case 0x01:
            this.setMap(this.mapFromBytes(vdh.readGuest(dsSi, MAP_SIZE)));
            return EmsStatus.ok;
          case 0x02: {
            const next = this.mapFromBytes(vdh.readGuest(dsSi, MAP_SIZE));
            vdh.writeGuest(esDi, this.mapToBytes(this.getMap()));
            this.setMap(next);
            return EmsStatus.ok;
          }
          case 0x03:
            setAl(MAP_SIZE);
            return EmsStatus.ok;
          default:
            return bad();
        }
      case 0x4f: // partial page map: 00h get, 01h set, 02h size
        switch (al) {
          case 0x00: {
            const count = vdh.readWord(dsSi);
            if (count > PHYSICAL_PAGES) return EmsStatus.physicalPage;
            const map = this.getMap();
            const bytes = [count & 0xff, count >> 8];
            for (let i = 0; i < count; i++) {
              const segment = vdh.readWord(dsSi + 2 + i * 2);
              const m = map[this.physFromSegment(segment)];
              const h = m < 0 ? 0xffff : m >>> 16;
              const l = m < 0 ? 0xffff : m & 0xffff;
              bytes.push(segment & 0xff, segment >> 8, h & 0xff, h >> 8, l & 0xff, l >> 8);
            }
            vdh.writeGuest(esDi, Uint8Array.from(bytes));
            return EmsStatus.ok;
          }
          case 0x01: {
            const count = vdh.readWord(dsSi);
            if (count > PHYSICAL_PAGES) return EmsStatus.badMap;
            const map = this.mapped.slice();
            const phys: number[] = [];
            for (let i = 0; i < count; i++) {
              const e = vdh.readGuest(dsSi + 2 + i * 6, 6);
              const p = this.physFromSegment(word(e, 0));
              const h = word(e, 2);
              map[p] = h === 0xffff ? -1 : h < MAX_HANDLES ? (h << 16) | word(e, 4) : -2;
              if (map[p] === -2) return EmsStatus.badMap;
              phys.push(p);
            }
            this.setMap(map, phys);
            return EmsStatus.ok;
          }
          case 0x02:
            if (bx > PHYSICAL_PAGES) return EmsStatus.physicalPage;
            setAl(2 + bx * 6);
            return EmsStatus.ok;
          default:
            return bad();
        }
      case 0x50: {
        // map multiple pages: AL=00h by physical page number, 01h by segment; DS:SI = CX pairs (logical, physical)
        if (al > 1) return bad();
        this.handle(dx);
        const pairs: [number, number][] = [];
        for (let i = 0; i < cx; i++) {
          const logical = vdh.readWord(dsSi + i * 4);
          const where = vdh.readWord(dsSi + i * 4 + 2);
          const phys = al === 0 ? where : this.physFromSegment(where);
          if (phys >= PHYSICAL_PAGES) return EmsStatus.physicalPage;
          pairs.push([phys, this.mapping(dx, logical)]);
        }
        for (const [phys, m] of pairs) this.mapPage(phys, m);
        return EmsStatus.ok;
      }
      case 0x51: // reallocate; BX = the handle's pages afterwards
        try {
          this.resize(dx, bx);
        } finally {
          setBx(this.handles[dx]?.pages.length ?? 0);
        }
        return EmsStatus.ok;
      case 0x52: // handle attribute: only volatile handles
        this.handle(dx);
        if (al === 0x00) setAl(0);
        else if (al === 0x01) {
          if ((r.ebx & 0xff) > 1) return EmsStatus.undefinedAttribute;
          if ((r.ebx & 0xff) === 1) return EmsStatus.nonVolatile;
        } else if (al === 0x02) setAl(0);
        else return bad();
        return EmsStatus.ok;
      case 0x53: {
        // handle name: 00h get to ES:DI, 01h set from DS:SI
        const h = this.handle(dx);
        if (al === 0x00) vdh.writeGuest(esDi, h.name);
        else if (al === 0x01) {
          const name = vdh.readGuest(dsSi, 8);
          if (!zeroName(name) && this.handles.some((o, n) => o && n !== dx && sameName(o.name, name))) return EmsStatus.nameExists;
          h.name.set(name);
        } else return bad();
        return EmsStatus.ok;
      }
      case 0x54: // handle directory: 00h all (handle, name), 01h search a name, 02h total handles
        if (al === 0x00) {
          const bytes: number[] = [];
          this.handles.forEach((h, n) => h && bytes.push(n & 0xff, n >> 8, ...h.name));
          vdh.writeGuest(esDi, Uint8Array.from(bytes));
          setAl(bytes.length / 10);
        } else if (al === 0x01) {
          const name = vdh.readGuest(dsSi, 8);
          if (zeroName(name)) return EmsStatus.nameExists;
          const n = this.handles.findIndex((h) => h && sameName(h.name, name));
          if (n < 0) return EmsStatus.nameNotFound;
          setDx(n);
        } else if (al === 0x02) setBx(MAX_HANDLES);
        else return bad();
        return EmsStatus.ok;
      case 0x57:
        if (al > 1) return bad();
        return this.moveExchange(al === 1, dsSi);
      case 0x58: // mappable physical addresses: 00h the array (segment, page number) at ES:DI, 01h how many
        if (al === 0x00) {
          const bytes: number[] = [];
          for (let p = 0; p < PHYSICAL_PAGES; p++) {
            const segment = frame + p * (EMS_PAGE / 16);
            bytes.push(segment & 0xff, segment >> 8, p, 0);
          }
          vdh.writeGuest(esDi, Uint8Array.from(bytes));
        } else if (al !== 0x01) return bad();
        setCx(PHYSICAL_PAGES);
        return EmsStatus.ok;
      case 0x59: // hardware information: 00h the array at ES:DI, 01h raw pages (raw pages are 16 KiB here)
        if (al === 0x00) {
          // raw page size in paragraphs, alternate register sets, context save area size, DMA register sets, DMA channel operation
          const words = [EMS_PAGE / 16, 0, MAP_SIZE, 0, 0];
          vdh.writeGuest(esDi, Uint8Array.from(words.flatMap((w) => [w & 0xff, w >> 8])));
        } else if (al === 0x01) {
          setBx(this.freePages);
          setDx(this.totalPages);
        } else return bad();
        return EmsStatus.ok;
      case 0x5a: // allocate standard (00h) or raw (01h) pages; zero pages is allowed here
        if (al > 1) return bad();
        setDx(this.allocate(bx));
        return EmsStatus.ok;
      default:
        // 55h/56h (alter page map and jump/call), 5Bh (alternate map register sets), 5Ch (prepare for warm
        // boot), 5Dh (OS/E functions) and anything else: not supported.
        return EmsStatus.undefinedFunction;
    }
  }
}

/** The VEMM module. */
export function createVemm(): VddModule {
  return {
    name: 'VEMM',
    init(vdh: Vdh): void {
      const vemm = new Vemm(vdh);
      vemm.install();
      vdh.registerName('VEMM', (command) => {
        if (command === 1) return vemm.frameInfo();
        throw new Error(`VEMM: unknown request ${command}`);
      });
    },
  };
}

export default createVemm();
