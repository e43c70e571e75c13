/**
 * DOS=UMB and DOS=HIGH, as OS/2's DOS settings DOS_UMB and DOS_HIGH give them to a DOS session. Both are
 * DOS's decisions (CONFIG.SYS's DOS= line), so DOSKRNL owns the settings; the memory itself comes from the
 * XMS driver (VXMS), and DOSKRNL asks for it the way MS-DOS 5 does, through XMS calls (VXMS's named request
 * 2, an XMS call on DOS's behalf):
 *
 * - DOS_HIGH: at POST DOS requests the HMA (XMS 01h, DX=FFFFh) and enables A20 (05h, local), so XMS 01h
 *   then answers 91h (HMA in use) to programs, INT 21h AX=3306h reports DH bit 4 (DOS in the HMA), and
 *   INT 2Fh AX=4A01h/4A02h hand out the HMA DOS leaves free. DOSKRNL's code and data live on the host, so
 *   nothing moves out of conventional memory: the guest half in segment 0060h must stay where the vectors
 *   point, and free conventional memory is what it is without DOS_HIGH. Without an XMS driver (8086/186,
 *   XMS_MEMORY_LIMIT=0) DOS stays low, as MS-DOS does ("HMA not available").
 * - DOS_UMB: at POST DOS takes every upper memory block (XMS 10h with DX=FFFFh for the largest, then that
 *   size, until none is left: others then get B1h) and chains them after conventional memory (arena.ts,
 *   `addUpperMemory`), unlinked. INT 21h AX=5802h/5803h get and set the link; the allocation strategy's
 *   bits 6-7 (5801h) then choose upper memory; LOADHIGH links them and allocates high first for one EXEC.
 *   Without DOS_UMB the UMBs stay with VXMS for programs to request through XMS 10h.
 * - The List of Lists carries the state at 63h (the link flag, 1 while linked) and 66h (the segment of the
 *   link MCB, usually 9FFFh; FFFFh without UMBs).
 */
import { DOS_SEGMENT } from '../../firmware/doskrnl/stubs.js';
import type { Vdh } from '../vmm/vdh.js';
import type { UpperBlock } from './arena.js';
import type { Served } from './console.js';
import { DosError, DosFail } from './dos.js';
import type { Kernel } from './kernel.js';

/** What VXMS's request 2 (an XMS call for DOS) answers. */
interface XmsAnswer {
  ax: number;
  bl: number;
  bx: number;
  dx: number;
}

/** How many UMBs DOS asks for at most (a bound on the loop; the upper memory area holds far fewer). */
const MAX_UMBS = 64;

/** XMS 10h's "only a smaller UMB is available" (DX = its size). */
const XMS_SMALLER_UMB = 0xb0;

/** The HMA is FFFF:0010h-FFFF:FFFFh; DOS keeps what is below FFFF:00E0h (CALL 5's jump at FFFF:00D0h). */
const HMA_SEGMENT = 0xffff;
const HMA_FREE_START = 0x00e0;
const HMA_END = 0x10000;

/** List of Lists offsets (DOS 5): the UMB link flag and the link MCB's segment. */
const LOL_UMB_LINK = 0x63;
const LOL_UMB_ROOT = 0x66;

/** DOS_UMB and DOS_HIGH, registered by DOSKRNL (read at every POST). */
export function registerHighMemorySettings(vdh: Vdh): void {
  vdh.registerProperty({
    type: 'bool',
    name: 'DOS_UMB',
    help: 'DOS manages the upper memory blocks (DOS=UMB): programs and LOADHIGH can use them through DOS. Off leaves them to programs that ask the XMS driver.',
    default: false,
  });
  vdh.registerProperty({
    type: 'bool',
    name: 'DOS_HIGH',
    help: 'DOS takes the high memory area (DOS=HIGH): the HMA is no longer free for programs through XMS, and A20 stays on.',
    default: false,
  });
}

export class HighMemory {
  /** DOS took the HMA (DOS_HIGH): AX=3306h says so, 4A01h/4A02h hand out the rest of it. */
  dosInHma = false;
  /** The first free offset in segment FFFFh for INT 2Fh AX=4A02h. */
  private hmaNext = HMA_FREE_START;

  constructor(private readonly k: Kernel) {}

  /** POST, after the arena is laid out and before the first process: take the HMA and the UMBs as the settings say. */
  post(): void {
    const v = this.k.vdh;
    this.dosInHma = false;
    this.hmaNext = HMA_FREE_START;
    const xms = v.openVdd('VXMS');
    const call = (ah: number, dx = 0): XmsAnswer | undefined => (xms ? (v.requestVdd(xms, 2, { ah, dx, bx: 0 }) as XmsAnswer | undefined) : undefined);
    if (v.property('DOS_HIGH')) {
      const hma = call(0x01, 0xffff);
      if (hma?.ax === 1) {
        call(0x05);
        this.dosInHma = true;
      } else {
        v.log(`DOSKRNL: DOS_HIGH: the HMA is not available (${hma ? `XMS error ${hma.bl.toString(16).toUpperCase()}h` : 'no XMS driver'}); DOS stays low`);
      }
    }
    if (v.property('DOS_UMB')) {
      const blocks: UpperBlock[] = [];
      for (let n = 0; n < MAX_UMBS; n++) {
        let got = call(0x10, 0xffff);
        if (got && got.ax !== 1) {
          if (got.bl !== XMS_SMALLER_UMB || got.dx === 0) break;
          got = call(0x10, got.dx);
        }
        if (!got || got.ax !== 1) break;
        blocks.push({ segment: got.bx, size: got.dx });
      }
      if (this.k.arena.addUpperMemory(blocks) === 0) v.log('DOSKRNL: DOS_UMB: the XMS driver gave no upper memory blocks');
    }
    this.writeLists();
  }

  /** Link (true) or unlink the UMBs: INT 21h AX=5803h, and LOADHIGH around its EXEC. */
  setLink(link: boolean): void {
    this.k.arena.linkUpper(link);
    this.writeLists();
  }

  /** INT 21h AX=5802h/5803h (the rest of AH=58h is process.ts's). */
  serve(ah: number): Served {
    const k = this.k;
    if (ah !== 0x58 || (k.al !== 0x02 && k.al !== 0x03)) return undefined;
    if (k.al === 0x02) {
      k.setAl(k.arena.upperLinked ? 1 : 0);
      k.ok();
      return true;
    }
    if (k.bx > 1) throw new DosFail(DosError.invalidFunction, `AX=5803h: BX=${k.bx.toString(16)}h is not a link state`);
    // Unlinking when there is nothing to unlink succeeds; linking without UMBs is error 1, as without DOS=UMB.
    if (k.bx === 1 || k.arena.upperRoot !== undefined) this.setLink(k.bx === 1);
    k.ok();
    return true;
  }

  /** INT 2Fh AX=4A01h (free HMA: BX bytes at ES:DI) and 4A02h (allocate BX bytes, rounded to paragraphs); false for others. */
  multiplex(ax: number): boolean {
    const k = this.k;
    const free = this.dosInHma ? HMA_END - this.hmaNext : 0;
    const answer = (di: number, bx: number): void => {
      k.set({ es: HMA_SEGMENT, edi: (k.r.edi & ~0xffff) | di });
      k.setBx(bx);
    };
    if (ax === 0x4a01) {
      if (free === 0) answer(0xffff, 0);
      else answer(this.hmaNext, free);
      return true;
    }
    if (ax === 0x4a02) {
      const bytes = (k.bx + 15) & ~15;
      if (!this.dosInHma || bytes > free) {
        answer(0xffff, k.bx);
        return true;
      }
      answer(this.hmaNext, bytes);
      this.hmaNext += bytes;
      return true;
    }
    return false;
  }

  /** The List of Lists' UMB fields, kept in step with the arena. */
  private writeLists(): void {
    const k = this.k;
    const lol = DOS_SEGMENT * 16 + k.stubs.entry.lol;
    k.vdh.writeByte(lol + LOL_UMB_LINK, k.arena.upperLinked ? 1 : 0);
    k.vdh.writeWord(lol + LOL_UMB_ROOT, k.arena.upperRoot ?? 0xffff);
  }
}
