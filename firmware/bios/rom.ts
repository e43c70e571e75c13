/**
 * The BIOS ROM of an MVM Desktop VM, assembled from this source when the VM is built (docs/firmware.md).
 *
 * The ROM holds only what must be guest code: the reset vector, a POST that fills the vector table and
 * programs the interrupt controllers and the timer as a PC BIOS does, the stubs every BIOS vector points
 * at (each an SVC into the VDD that serves it), the hardware-interrupt routines around their SVCs, the
 * bootstrap loader (INT 19h) and the fixed tables programs look for at IBM's addresses.
 */
import { Asm, CC, R16, R8, SREG } from '../asm.js';

export const BIOS_SEGMENT = 0xf000;
export const BIOS_BASE = 0xf0000;
export const BIOS_SIZE = 0x10000;

/** Fixed offsets in segment F000h, where IBM-compatible BIOSes keep them and programs expect them. */
export const RomOffset = {
  /** The return-hook stub: SVC 7Eh (VDHArmReturnHook's landing place). */
  returnHook: 0xe000,
  /**
   * The mouse driver's entry (INT 33h): `sti ; SVC B3h ; retf 2`, served by VMOUSE, which points vector 33h
   * here at POST. Until then the vector stays at an IRET, as on a PC without a mouse driver.
   */
  mouseDriver: 0xe010,
  /**
   * The XMS driver's far-call entry (INT 2Fh AX=4310h returns it): `jmp short +3 ; nop ×3` (the hookable
   * prologue XMS drivers have) then `SVC 53h ; retf`, served by VXMS.
   */
  xmsDriver: 0xe017,
  /**
   * The EMS driver's device header at FE02:0000 (F000:E020h), so that INT 67h's segment holds "EMMXXXX0" at
   * offset 0Ah as programs check; INT 67h enters at FE02:0012h: `SVC E7h ; iret`, served by VEMM.
   */
  emsDevice: 0xe020,
  /**
   * The DPMI host's mode switch entry (INT 2Fh AX=1687h returns it): `SVC 54h ; retf`, served by VDPMI,
   * which enters protected mode at the caller's return address (the RETF runs only when the switch fails).
   */
  dpmiEntry: 0xe038,
  /** POST entry (the reset vector jumps here). */
  post: 0xe05b,
  /** INT 15h AH=C0h system configuration table. */
  configTable: 0xe6f5,
  /** INT 1Eh diskette parameter table. */
  disketteTable: 0xefc7,
  /** The reset vector (F000:FFF0). */
  reset: 0xfff0,
  /** The BIOS date, MM/DD/YY. */
  date: 0xfff5,
  /** The model byte: FCh, an AT. */
  model: 0xfffe,
} as const;

/** SVC numbers (docs/firmware.md). */
export const SVC_POST = 0x7f;
export const SVC_RETURN_HOOK = 0x7e;
/** The XMS driver's entry (RomOffset.xmsDriver), in the MVM services' range (docs/doskrnl.md). */
export const SVC_XMS = 0x53;
/** The DPMI mode switch entry (RomOffset.dpmiEntry), and VDPMI's real-mode returns (docs/doskrnl.md). */
export const SVC_DPMI = 0x54;
export const svcBios = (vector: number): number => 0x80 + vector;

/** Vectors whose service runs entirely on the host: `sti ; SVC 80h+v ; retf 2`. */
const SOFTWARE_SERVICES = [0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x1a];

export interface BiosRom {
  /** 64 KiB, to be loaded at F0000h. */
  image: Uint8Array;
  /** The offset in segment F000h each BIOS vector points at (for tests and tools). */
  vectors: ReadonlyMap<number, number>;
}

export function buildBiosRom(date = '11/23/26'): BiosRom {
  const a = new Asm(0);
  const vectorTable: (string | number)[] = new Array(256).fill(0);

  a.ascii('MVM Desktop BIOS. Built from the project\'s own source; no code from other BIOSes.').db(0);

  // ---- the vector table POST copies to 0000:0000 (offsets; segment F000h, or 0000:0000 for a 0 entry)
  a.org(0x0400);
  a.label('vectors');
  a.org(0x0600);

  // ---- stubs
  a.label('dummy').iret();

  for (const v of SOFTWARE_SERVICES) {
    a.label(`service${v.toString(16)}`).sti().svc(svcBios(v)).retf(2);
    vectorTable[v] = `service${v.toString(16)}`;
  }

  // INT 05h print screen: a host-side service.
  a.label('int5').svc(svcBios(0x05)).iret();
  vectorTable[0x05] = 'int5';

  // INT 08h, IRQ 0: the host counts the tick, then the user timer hook, then EOI (as the IBM AT BIOS).
  a.label('int8').push(R16.ax).svc(svcBios(0x08)).int(0x1c).cli().movRegImm8(R8.al, 0x20).outImm(0x20).pop(R16.ax).iret();
  vectorTable[0x08] = 'int8';

  // INT 09h, IRQ 1: the guest reads the scan code from the 8042 so its output buffer empties as on a PC.
  a.label('int9').push(R16.ax).inImm(0x60).svc(svcBios(0x09)).cli().movRegImm8(R8.al, 0x20).outImm(0x20).pop(R16.ax).iret();
  vectorTable[0x09] = 'int9';

  // IRQ 2-7 with no handler: acknowledge at the master.
  a.label('eoiMaster').push(R16.ax).movRegImm8(R8.al, 0x20).outImm(0x20).pop(R16.ax).iret();
  for (let v = 0x0a; v <= 0x0f; v++) vectorTable[v] = 'eoiMaster';

  // INT 70h, IRQ 8: reading CMOS register C acknowledges the RTC; AL carries it to the host.
  a.label('int70')
    .push(R16.ax)
    .movRegImm8(R8.al, 0x0c)
    .outImm(0x70)
    .inImm(0x71)
    .svc(svcBios(0x70))
    .cli()
    .movRegImm8(R8.al, 0x20)
    .outImm(0xa0)
    .outImm(0x20)
    .pop(R16.ax)
    .iret();
  vectorTable[0x70] = 'int70';

  // IRQ 9-15 with no handler: acknowledge at both controllers.
  a.label('eoiBoth').push(R16.ax).movRegImm8(R8.al, 0x20).outImm(0xa0).outImm(0x20).pop(R16.ax).iret();
  for (let v = 0x71; v <= 0x77; v++) vectorTable[v] = 'eoiBoth';

  // INT 19h: bootstrap from A:, then C:.
  a.label('int19')
    .sti()
    .xorReg(R16.ax, R16.ax)
    .movSreg(SREG.ds, R16.ax)
    .movSreg(SREG.es, R16.ax)
    .movRegImm8(R8.dl, 0x00)
    .call('tryBoot')
    .movRegImm8(R8.dl, 0x80)
    .call('tryBoot')
    .int(0x18);
  // tryBoot: DL = drive. Returns only when that drive cannot boot.
  a.label('tryBoot')
    .xorReg(R16.ax, R16.ax)
    .int(0x13) // reset
    .movRegImm16(R16.ax, 0x0201) // read 1 sector
    .movRegImm16(R16.bx, 0x7c00)
    .movRegImm16(R16.cx, 0x0001) // cylinder 0, sector 1
    .movRegImm8(R8.dh, 0) // head 0
    .int(0x13)
    .j(CC.c, 'tryBootFail')
    .cmpRegImm8(R8.dl, 0x80)
    .j(CC.c, 'tryBootGo') // a floppy: no signature check, as the PC BIOS
    .cmpEsWordImm(0x7dfe, 0xaa55)
    .j(CC.nz, 'tryBootFail')
    .label('tryBootGo')
    .svc(svcBios(0x19)) // tell the host (VBIOS): the boot sector of drive DL runs now
    .jmpFar(0x0000, 0x7c00)
    .label('tryBootFail')
    .ret();
  vectorTable[0x19] = 'int19';

  // INT 18h: no bootable disk. Say so, tell the host, and idle.
  a.label('int18')
    .sti()
    .pushSreg(SREG.cs)
    .popSreg(SREG.ds)
    .movRegImm16(R16.si, 'noBootMessage')
    .label('int18Print')
    .lodsb()
    .orReg8(R8.al, R8.al)
    .j(CC.z, 'int18Done')
    .movRegImm8(R8.ah, 0x0e)
    .movRegImm16(R16.bx, 0x0007)
    .int(0x10)
    .jmpShort('int18Print')
    .label('int18Done')
    .svc(svcBios(0x18))
    .label('int18Idle')
    .hlt()
    .jmpShort('int18Idle');
  a.label('noBootMessage').ascii('No bootable disk. Insert a boot disk and restart the session.\r\n').db(0);
  vectorTable[0x18] = 'int18';

  for (const v of [0x00, 0x01, 0x02, 0x03, 0x04, 0x06, 0x07, 0x1b, 0x1c, 0x4a]) vectorTable[v] = 'dummy';
  // Vectors nobody owns yet point at an IRET, as AT BIOSes do, so a program calling one before its driver
  // is loaded (INT 33h without a mouse driver, INT 2Fh before DOS) returns instead of running the vector
  // table as code. 60h-67h stay null (reserved for user programs, tested for 0:0), as do the data
  // pointers 1Dh, 1Fh, 41h, 43h and 46h.
  for (let v = 0x20; v < 0x100; v++) {
    const isUser = v >= 0x60 && v <= 0x67;
    const isData = v === 0x41 || v === 0x43 || v === 0x46;
    if (vectorTable[v] === 0 && !isUser && !isData && !(v >= 0x70 && v <= 0x77)) vectorTable[v] = 'dummy';
  }
  vectorTable[0x1e] = RomOffset.disketteTable;

  a.org(RomOffset.returnHook);
  a.svc(SVC_RETURN_HOOK);
  a.org(RomOffset.mouseDriver).sti().svc(svcBios(0x33)).retf(2);
  a.org(RomOffset.xmsDriver).db(0xeb, 0x03, 0x90, 0x90, 0x90).svc(SVC_XMS).db(0xcb);
  // EMMXXXX0: next FFFF:FFFF, character device with IOCTL, strategy and interrupt both a RETF (+16h).
  a.org(RomOffset.emsDevice).db(0xff, 0xff, 0xff, 0xff, 0x00, 0xc0, 0x16, 0x00, 0x16, 0x00).ascii('EMMXXXX0');
  a.org(RomOffset.emsDevice + 0x12).svc(svcBios(0x67)).iret();
  a.org(RomOffset.emsDevice + 0x16).db(0xcb);
  a.org(RomOffset.dpmiEntry).svc(SVC_DPMI).db(0xcb);

  // ---- POST
  a.org(RomOffset.post);
  a.label('post')
    .cli()
    .cld()
    .xorReg(R16.ax, R16.ax)
    .movSreg(SREG.ss, R16.ax)
    .movRegImm16(R16.sp, 0x7c00)
    .movSreg(SREG.es, R16.ax)
    .xorReg(R16.di, R16.di)
    .pushSreg(SREG.cs)
    .popSreg(SREG.ds)
    .movRegImm16(R16.si, 'vectors')
    .movRegImm16(R16.cx, 256)
    .label('postVector')
    .lodsw()
    .stosw()
    .db(0x85, 0xc0) // test ax,ax
    .j(CC.z, 'postVectorNull')
    .movFromSreg(R16.ax, SREG.cs)
    .label('postVectorNull')
    .stosw()
    .loop('postVector');
  // The 8259 pair: vectors 08h and 70h, cascade on IR2; IRQ 0, 1, 2 and 8 unmasked.
  const out = (port: number, value: number): void => void a.movRegImm8(R8.al, value).outImm(port);
  out(0x20, 0x11);
  out(0x21, 0x08);
  out(0x21, 0x04);
  out(0x21, 0x01);
  out(0xa0, 0x11);
  out(0xa1, 0x70);
  out(0xa1, 0x02);
  out(0xa1, 0x01);
  out(0x21, 0xf8);
  out(0xa1, 0xfe);
  // The 8254: channel 0 in mode 3 with the full count, 18.2 Hz.
  out(0x43, 0x36);
  out(0x40, 0x00);
  out(0x40, 0x00);
  // The RTC: 24-hour BCD, no interrupts.
  out(0x70, 0x0b);
  out(0x71, 0x02);
  // The 8042: IRQ 1 on, system flag, scan-code translation.
  out(0x64, 0x60);
  out(0x60, 0x45);
  // The VDDs set up the BIOS data area, then boot.
  a.svc(SVC_POST).sti().int(0x19).int(0x18);

  // ---- fixed tables
  a.org(RomOffset.configTable);
  // INT 15h C0h: length 8; model FCh, submodel 01h, revision 0; feature 1: second 8259 (40h) and RTC (20h).
  a.dw(8).db(0xfc, 0x01, 0x00, 0x60, 0x00, 0x00, 0x00, 0x00);

  a.org(RomOffset.disketteTable);
  // Step rate/head unload, head load/DMA, motor off delay, 512-byte sectors, 18 sectors per track, gap,
  // data length, format gap, fill byte, head settle, motor start: the 1.44 MB values boot sectors expect.
  a.db(0xdf, 0x02, 0x25, 0x02, 0x12, 0x1b, 0xff, 0x6c, 0xf6, 0x0f, 0x08);

  a.org(RomOffset.reset);
  a.jmpFar(BIOS_SEGMENT, 'post');
  a.org(RomOffset.date).ascii(date.padEnd(8).slice(0, 8));
  a.org(RomOffset.model).db(0xfc, 0x00);

  // Fill in the vector table now that every label exists.
  const image = a.assemble();
  const vectors = new Map<number, number>();
  const base = a.address('vectors');
  vectorTable.forEach((entry, v) => {
    const offset = typeof entry === 'string' ? a.address(entry) : entry;
    image[base + v * 2] = offset & 0xff;
    image[base + v * 2 + 1] = offset >>> 8;
    if (offset) vectors.set(v, offset);
  });
  if (image.length !== BIOS_SIZE) throw new Error(`the BIOS ROM is ${image.length} bytes, not ${BIOS_SIZE}`);
  return { image, vectors };
}
