/**
 * 80386 paging: the two-level walk behind the TLB that `Cpu.linToPhys` keeps.
 *
 * A TLB entry caches one 4 KiB linear page as `physical page | D | W | U | V` (bits 3..0), where U and W
 * are the page directory entry's and the page table entry's rights combined and D says the PTE's dirty bit
 * is already set, so a write may take the fast path. The walk sets the accessed bits (and the dirty bit on a
 * write) as the 386 does, and raises #PF with CR2 and the error code (P: protection rather than not
 * present, W/R: a write, U/S: at CPL 3). Supervisor accesses may write read-only pages (CR0.WP is a 486
 * addition). CR3 writes and paging changes flush the TLB (`Cpu.flushTlb`); entries are never stale
 * otherwise because the 386 has no INVLPG and caches only what the walk returned.
 */
import type { Cpu } from './cpu.js';

const P = 1;
const RW = 2;
const US = 4;
const ACCESSED = 0x20;
const DIRTY = 0x40;

/** Entry bits. */
export const TlbBit = { Valid: 1, User: 2, Write: 4, Dirty: 8 } as const;

function readPhys32(cpu: Cpu, a: number): number {
  return cpu.readPhys8(a) | (cpu.readPhys8(a + 1) << 8) | (cpu.readPhys8(a + 2) << 16) | (cpu.readPhys8(a + 3) << 24);
}

function writePhys32(cpu: Cpu, a: number, v: number): void {
  cpu.writePhys8(a, v);
  cpu.writePhys8(a + 1, v >> 8);
  cpu.writePhys8(a + 2, v >> 16);
  cpu.writePhys8(a + 3, v >> 24);
}

/** Translate `lin` for a read or write at the current rights, filling the TLB; raises #PF. */
export function pageWalk(cpu: Cpu, lin: number, write: boolean): number {
  const user = cpu.pageUser;
  const pdeAddr = (cpu.cr[3] & ~0xfff) + ((lin >>> 22) << 2);
  const pde = readPhys32(cpu, pdeAddr);
  if ((pde & P) === 0) pageFault(cpu, lin, write, user, false);
  const pteAddr = (pde & ~0xfff) + (((lin >>> 12) & 0x3ff) << 2);
  const pte = readPhys32(cpu, pteAddr);
  if ((pte & P) === 0) pageFault(cpu, lin, write, user, false);
  const userOk = (pde & pte & US) !== 0;
  const writeOk = (pde & pte & RW) !== 0;
  if (user && (!userOk || (write && !writeOk))) pageFault(cpu, lin, write, user, true);
  if ((pde & ACCESSED) === 0) writePhys32(cpu, pdeAddr, pde | ACCESSED);
  let newPte = pte | ACCESSED;
  if (write) newPte |= DIRTY;
  if (newPte !== pte) writePhys32(cpu, pteAddr, newPte);
  const page = lin >>> 12;
  if (cpu.tlb.length === 0) cpu.tlb = new Int32Array(1 << 20);
  const tlb = cpu.tlb;
  if (tlb[page] === 0) {
    if (cpu.tlbCount < cpu.tlbUsed.length) cpu.tlbUsed[cpu.tlbCount] = page;
    cpu.tlbCount++;
  }
  tlb[page] =
    (pte & ~0xfff) | TlbBit.Valid | (userOk ? TlbBit.User : 0) | (userOk && writeOk ? TlbBit.Write : 0) | (newPte & DIRTY ? TlbBit.Dirty : 0);
  return (pte & ~0xfff) | (lin & 0xfff);
}

function pageFault(cpu: Cpu, lin: number, write: boolean, user: boolean, protection: boolean): never {
  cpu.cr[2] = lin;
  return cpu.faultCode(14, (protection ? 1 : 0) | (write ? 2 : 0) | (user ? 4 : 0));
}
