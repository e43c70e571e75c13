/**
 * The guest half of DOSKRNL: the code DOS's interrupt vectors point at, each little more than an SVC into
 * the host half (main/doskrnl), plus the fixed data programs look for (the List of Lists and the NUL device
 * header). It lives in the DOS segment (DOS_SEGMENT:0000, linear 600h) below the first memory block.
 * docs/doskrnl.md has the SVC table.
 */
import { Asm, R8 } from '../asm.js';

export const DOS_SEGMENT = 0x0060;
/** The first MCB of the memory arena (everything below is DOS's). */
export const FIRST_MCB = 0x0100;

/** SVC numbers of DOSKRNL's MVM range (docs/doskrnl.md); 00h-3Eh are osFree's, each an INT 21h function. */
export const DosSvc = {
  int21: 0x40,
  int20: 0x41,
  int27: 0x42,
  int28: 0x45,
  int29: 0x46,
  int2f: 0x47,
  int23: 0x49,
  /** The first program's INT 22h: it ended, the session ends with its return code. */
  rootReturn: 0x4a,
  /** INT 19h under DOSKRNL: start the configured program. */
  start: 0x4b,
  /** The CP/M-style CALL 5 entry (function in CL). */
  call5: 0x4c,
  /** INT 1Bh, Ctrl-Break from the BIOS: DOS notes it and raises INT 23h at the next console call. */
  int1b: 0x4d,
  /** MVM services for DOS programs (INT 21h is not needed): AH selects. */
  mvm: 0x50,
  absRead: 61,
  absWrite: 62,
} as const;

export interface DosStubs {
  image: Uint8Array;
  /** Offsets in DOS_SEGMENT. */
  entry: {
    int20: number;
    int21: number;
    /** Where an INT 21h call continues after its SVC: EXEC's return point for the parent. */
    int21Return: number;
    int23: number;
    int24: number;
    int25: number;
    int26: number;
    int27: number;
    int28: number;
    int29: number;
    int2f: number;
    rootReturn: number;
    start: number;
    /** CALL 5's handler (0000:00C0 and FFFF:00D0 jump here). */
    call5: number;
    int1b: number;
    /** List of Lists (INT 21h AH=52h returns DOS_SEGMENT:lol; the first MCB's segment is the word before). */
    lol: number;
    /** A stack for the root process while DOS starts a program. */
    rootStackTop: number;
    /** National language tables: upper case (also for file names), file-name terminators, collating, DBCS. */
    upperTable: number;
    terminatorTable: number;
    collateTable: number;
    dbcsTable: number;
  };
  size: number;
}

export function buildDosStubs(lastDrive: number): DosStubs {
  const a = new Asm(0);
  a.ascii('MVM DOSKRNL').db(0);
  a.label('int20').svc(DosSvc.int20);
  a.label('int21').sti().svc(DosSvc.int21).label('int21Return').retf(2);
  a.label('int23').svc(DosSvc.int23).iret();
  // INT 24h default critical-error handler: "fail" (AL=3), as DOS does when no shell has installed one.
  a.label('int24').movRegImm8(R8.al, 3).iret();
  // INT 25h/26h return with the caller's flags still on the stack, as DOS's do.
  a.label('int25').sti().svc(DosSvc.absRead).retf();
  a.label('int26').sti().svc(DosSvc.absWrite).retf();
  a.label('int27').svc(DosSvc.int27);
  a.label('int28').svc(DosSvc.int28).iret();
  a.label('int29').svc(DosSvc.int29).iret();
  a.label('int2f').svc(DosSvc.int2f).retf(2);
  a.label('rootReturn').svc(DosSvc.rootReturn);
  a.label('start').svc(DosSvc.start);
  a.label('call5').svc(DosSvc.call5);
  a.label('int1b').svc(DosSvc.int1b).iret();
  // Never reached (the host ends the VM or runs the program), but a halt is safer than running on.
  a.label('halt').cli().hlt().jmpShort('halt');

  // ---- the List of Lists (DOS 5 layout), preceded by the first MCB's segment
  a.org(0x100, 0);
  a.dw(FIRST_MCB);
  a.label('lol');
  a.dw(0xffff, 0xffff); // 00 first DPB: none (drives are host folders)
  a.dw(0xffff, 0xffff); // 04 first SFT: not in guest memory
  a.dw(0xffff, 0xffff); // 08 CLOCK$ header
  a.dw(0xffff, 0xffff); // 0C CON header
  a.dw(512); // 10 largest sector size
  a.dw(0xffff, 0xffff); // 12 disk buffer info
  a.dw(0xffff, 0xffff); // 16 CDS array
  a.dw(0xffff, 0xffff); // 1A FCB table
  a.dw(0); // 1E protected FCBs
  a.db(lastDrive); // 20 block devices
  a.db(lastDrive); // 21 LASTDRIVE
  // 22 the NUL device header: next FFFF:FFFF, attribute 8004h (character device, NUL), name
  a.dw(0xffff, 0xffff, 0x8004, 0, 0).ascii('NUL     ');
  a.org(0x200, 0);
  a.label('rootStack');
  a.org(0x400, 0);
  a.label('rootStackTop');
  // ---- national language tables (INT 21h AX=6502h-6507h return far pointers to them)
  // Upper case of 80h-FFh in code page 437, as MS-DOS's table: accented small letters to their capitals.
  a.label('upperTable').dw(128);
  const upper = [0x80, 0x9a, 0x45, 0x41, 0x8e, 0x41, 0x8f, 0x80, 0x45, 0x45, 0x45, 0x49, 0x49, 0x49, 0x8e, 0x8f, 0x90, 0x92, 0x92, 0x4f, 0x99, 0x4f, 0x55, 0x55, 0x59, 0x99, 0x9a];
  for (let c = 0x80; c < 0x100; c++) a.db(c === 0xa0 ? 0x41 : c === 0xa1 ? 0x49 : c === 0xa2 ? 0x4f : c === 0xa3 ? 0x55 : c === 0xa4 ? 0xa5 : (upper[c - 0x80] ?? c));
  // File-name terminators: size, then 01h, lowest 00h, highest FFh, 00h, excluded 00h-20h, 02h, count, chars.
  const terminators = '."/\\[]:|<>+=;,';
  a.label('terminatorTable').dw(8 + terminators.length).db(1, 0x00, 0xff, 0, 0x00, 0x20, 2, terminators.length).ascii(terminators);
  // Collating sequence: small letters sort with capitals, everything else by its code.
  a.label('collateTable').dw(256);
  for (let c = 0; c < 256; c++) a.db(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  // DBCS lead bytes: none.
  a.label('dbcsTable').dw(0, 0);
  const image = a.assemble();
  const at = (l: string): number => a.address(l);
  return {
    image,
    size: image.length,
    entry: {
      int20: at('int20'),
      int21: at('int21'),
      int21Return: at('int21Return'),
      int23: at('int23'),
      int24: at('int24'),
      int25: at('int25'),
      int26: at('int26'),
      int27: at('int27'),
      int28: at('int28'),
      int29: at('int29'),
      int2f: at('int2f'),
      rootReturn: at('rootReturn'),
      start: at('start'),
      call5: at('call5'),
      int1b: at('int1b'),
      lol: at('lol'),
      rootStackTop: at('rootStackTop'),
      upperTable: at('upperTable'),
      terminatorTable: at('terminatorTable'),
      collateTable: at('collateTable'),
      dbcsTable: at('dbcsTable'),
    },
  };
}
