/**
 * The VGA BIOS's mode register values (vdd/vvga/modes.ts) in the form the VGA core tests program them:
 * every register file from index 0, written through the ports as a BIOS or a program would.
 */
import { MODES } from '../../vdd/vvga/modes.js';
import type { VgaCore } from '../../vdd/vvga/vga.js';

export interface ModeRegs {
  misc: number;
  /** Sequencer 0-4. */
  seq: number[];
  /** CRTC 00h-18h. */
  crtc: number[];
  /** Graphics controller 0-8. */
  gc: number[];
  /** Attribute controller 00h-14h. */
  ac: number[];
}

/** The registers INT 10h AH=00h programs for `mode`. */
export function biosMode(mode: number): ModeRegs {
  const m = MODES.get(mode);
  if (!m) throw new Error(`no BIOS mode ${mode.toString(16)}h`);
  const r = m.regs;
  return { misc: r.misc, seq: [0x03, ...r.seq], crtc: [...r.crtc], gc: [...r.gc], ac: [...r.ac, 0x00] };
}

/** Program every register through the ports: Misc, sequencer, CRTC (protection off first), GC, AC, PAS on. */
export function programMode(vga: VgaCore, m: ModeRegs): void {
  const out = (port: number, value: number) => vga.portOut(port, value);
  out(0x3c2, m.misc);
  m.seq.forEach((v, i) => (out(0x3c4, i), out(0x3c5, v)));
  const base = m.misc & 1 ? 0x3d4 : 0x3b4;
  out(base, 0x11);
  out(base + 1, m.crtc[0x11] & 0x7f);
  m.crtc.forEach((v, i) => (out(base, i), out(base + 1, v)));
  m.gc.forEach((v, i) => (out(0x3ce, i), out(0x3cf, v)));
  vga.portIn(base + 6);
  m.ac.forEach((v, i) => (out(0x3c0, i), out(0x3c0, v)));
  out(0x3c0, 0x20);
}
