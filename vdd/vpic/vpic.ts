/**
 * VPIC: the virtual interrupt controller — a pair of Intel 8259A PICs wired as in a PC/AT. The master
 * answers ports 20h-21h, the slave A0h-A1h, and the slave's INT output drives the master's IR2. Other VDDs
 * reach the IRQ lines through `vdh.openVirq(irq)` (IRQ 0-7 on the master, 8-15 on the slave); the CPU's
 * INTA cycle reaches `acknowledge()`; the master's INT output drives the CPU's INTR through
 * `vdh.setInterruptLine`.
 *
 * The model follows the 8259A datasheet: ICW1-ICW4, OCW1-OCW3, IRR/ISR/IMR per chip, fixed or rotating
 * priority, (specific / non-specific / automatic) EOI, poll, special mask mode, special fully nested mode,
 * edge or level triggering, the default IR7 vector for a request that went away before INTA. Not modelled:
 * 8080/85 call-address mode (ICW4 uPM=0 behaves like 8086 mode, since an x86 only ever runs the 8086 INTA
 * protocol), buffered mode (only a pin's function), and the AT's partial decoding that mirrors the ports
 * over 20h-3Fh / A0h-BFh.
 *
 * All state lives in `VpicState` (plain numbers and booleans) so a VM can be saved and restored.
 */
import type { InterruptControllerProvider, Vdh, VddModule, Virq } from '../../main/vmm/vdh.js';

/** One 8259A. Bit n of each mask is IR n. */
export interface PicState {
  /** Interrupt request register: requests latched and not yet acknowledged. */
  irr: number;
  /** In-service register: acknowledged and not yet EOI'd. */
  isr: number;
  /** Interrupt mask register (OCW1). */
  imr: number;
  /** The IR input levels as the devices (or, for the master's IR2, the slave's INT) drive them. */
  lines: number;
  /** The INT output. */
  int: boolean;
  /** 0: initialised (writes are OCWs); 2, 3, 4: the ICW expected next. */
  initStep: number;
  /** ICW1 IC4: an ICW4 follows. */
  icw4Needed: boolean;
  /** ICW1 SNGL: no cascade (no ICW3). */
  single: boolean;
  /** ICW1 LTIM: level-triggered; otherwise edge-triggered. */
  levelTriggered: boolean;
  /** ICW2 T7-T3: the vector of IR n is vectorBase + n. */
  vectorBase: number;
  /** ICW3: on the master, the IRs with a slave behind them; on the slave, its ID (which master IR). */
  cascade: number;
  /** ICW4 AEOI. */
  autoEoi: boolean;
  /** ICW4 SFNM (special fully nested mode, master only). */
  specialFullyNested: boolean;
  /** OCW2 "rotate in automatic EOI mode". */
  rotateOnAutoEoi: boolean;
  /** The IR with the lowest priority (7 under fixed priority); the next one up has the highest. */
  lowestPriority: number;
  /** OCW3 RIS: the even port reads the ISR (true) or the IRR (false). */
  readIsr: boolean;
  /** OCW3 P: the next read of the even port is a poll. */
  poll: boolean;
  /** OCW3 SMM: special mask mode. */
  specialMask: boolean;
}

export interface VpicState {
  master: PicState;
  slave: PicState;
  /** The level a device drives on IRQ 2 (only meaningful with the master in single mode). */
  irq2Device: boolean;
  /** The level last put on the CPU's INTR pin (the master's INT as the CPU was last told it). */
  intr: boolean;
}

/**
 * The power-on state. The datasheet leaves it undefined: a real PIC comes up with whatever its latches
 * hold and the BIOS programs it before enabling interrupts. We choose what a BIOS would program (master
 * base 08h, slave 70h, cascade on IR2, edge-triggered, 8086 mode, normal EOI) but with every IRQ masked,
 * so that nothing can interrupt the guest before its firmware unmasks what it has handlers for, and so
 * that a vector, if one is ever taken, is still the one a PC uses for that IRQ.
 */
export function powerOnState(): VpicState {
  return { master: chip(0x08, 0x04), slave: chip(0x70, 0x02), irq2Device: false, intr: false };
}

function chip(vectorBase: number, cascade: number): PicState {
  return {
    irr: 0,
    isr: 0,
    imr: 0xff,
    lines: 0,
    int: false,
    initStep: 0,
    icw4Needed: true,
    single: false,
    levelTriggered: false,
    vectorBase,
    cascade,
    autoEoi: false,
    specialFullyNested: false,
    rotateOnAutoEoi: false,
    lowestPriority: 7,
    readIsr: false,
    poll: false,
    specialMask: false,
  };
}

/** The interrupt controller of one VM. Exported for tests and for a later save/restore; VDDs use Virqs. */
export class Vpic implements InterruptControllerProvider {
  state: VpicState = powerOnState();
  private readonly eoiHandlers: (() => void)[][] = Array.from({ length: 16 }, () => []);
  /** IRQs whose ISR bit an EOI cleared during the current operation; their handlers run at its end. */
  private eoiQueue: number[] = [];

  constructor(private readonly vdh: Vdh) {}

  install(): void {
    this.vdh.installIoHook(0x20, 2, {
      byteIn: (port) => this.read(this.state.master, port),
      byteOut: (port, value) => this.write(this.state.master, port, value),
    });
    this.vdh.installIoHook(0xa0, 2, {
      byteIn: (port) => this.read(this.state.slave, port),
      byteOut: (port, value) => this.write(this.state.slave, port, value),
    });
  }

  // ---- the device side

  openVirq(irq: number): Virq {
    if (!Number.isInteger(irq) || irq < 0 || irq > 15) throw new Error(`IRQ ${irq} is outside 0..15`);
    const bit = 1 << (irq & 7);
    const pic = (): PicState => (irq < 8 ? this.state.master : this.state.slave);
    return {
      irq,
      set: () => this.drive(irq, true),
      clear: () => this.drive(irq, false),
      query: () => {
        const p = pic();
        // A slave IRQ is also kept from the CPU by the master's mask of the cascade input.
        const masked = (p.imr & bit) !== 0 || (irq >= 8 && (this.state.master.imr & (1 << (this.state.slave.cascade & 7))) !== 0);
        return { pending: (p.irr & bit) !== 0, inService: (p.isr & bit) !== 0, masked };
      },
      onEoi: (fn) => {
        this.eoiHandlers[irq].push(fn);
      },
    };
  }

  /**
   * A device drives IR line `irq`. A rising edge latches the IRR bit (edge mode); in level mode the IRR
   * follows the line. Dropping the line withdraws the request (the datasheet requires IR to stay high until
   * the first INTA), but leaves an INT already signalled standing: on the real bus the CPU may already be
   * in its INTA cycle, and the 8259A then answers with the IR7 vector (a spurious interrupt). So a device
   * should hold its line until it is acknowledged — OS/2's pattern is to clear the VIRR in the EOI hook.
   */
  private drive(irq: number, high: boolean): void {
    if (irq === 2) {
      this.state.irq2Device = high;
      this.setLine(this.state.master, 2, high || this.state.slave.int);
    } else if (irq < 8) {
      this.setLine(this.state.master, irq, high);
    } else {
      this.setLine(this.state.slave, irq - 8, high);
    }
    this.update(true);
  }

  private setLine(p: PicState, ir: number, high: boolean): void {
    const bit = 1 << ir;
    const was = (p.lines & bit) !== 0;
    if (high) {
      p.lines |= bit;
      if (!was || p.levelTriggered) p.irr |= bit;
    } else {
      p.lines &= ~bit;
      p.irr &= ~bit;
    }
  }

  // ---- INTA

  /**
   * The CPU's interrupt acknowledge. Without INT raised there is nothing to acknowledge (-1). Otherwise the
   * master's highest-priority request goes in service and its vector is returned — the slave's vector when
   * that IR has a slave behind it; a request that went away leaves the chip's IR7 vector (spurious, no ISR
   * bit set, as the datasheet's default).
   */
  acknowledge(): number {
    const { master, slave } = this.state;
    if (!master.int) return -1;
    const ir = this.inta(master);
    let vector: number;
    if (ir < 0) vector = master.vectorBase + 7;
    else if (!master.single && master.cascade & (1 << ir)) {
      // The slave whose ID matches answers the second INTA with its own vector.
      const sir = slave.int ? this.inta(slave) : -1;
      vector = slave.vectorBase + (sir < 0 ? 7 : sir);
      // INTA ends the slave's INT pulse; if it has another request its INT rises again, a new edge on IR2.
      slave.int = false;
      this.setLine(master, 2, this.state.irq2Device);
    } else vector = master.vectorBase + ir;
    master.int = false;
    this.update(false);
    return vector;
  }

  /** One chip's INTA: the winning IR goes from IRR to ISR (or straight through under AEOI). */
  private inta(p: PicState): number {
    const ir = this.resolve(p);
    if (ir < 0) return -1;
    const bit = 1 << ir;
    // Level mode: the IRR keeps following the line; the ISR bit holds it off until the EOI.
    if (!p.levelTriggered) p.irr &= ~bit;
    if (p.autoEoi) {
      // AEOI: the ISR bit is cleared at the end of the INTA sequence, which counts as the EOI.
      if (p.rotateOnAutoEoi) p.lowestPriority = ir;
      this.eoiQueue.push(this.irqOf(p, ir));
    } else p.isr |= bit;
    return ir;
  }

  /** The IR that would be acknowledged now, or -1: the highest-priority unmasked request not held off by the ISR. */
  private resolve(p: PicState): number {
    const pending = p.irr & ~p.imr & 0xff;
    if (pending === 0) return -1;
    const isMaster = p === this.state.master;
    for (let i = 1; i <= 8; i++) {
      const ir = (p.lowestPriority + i) & 7;
      const bit = 1 << ir;
      if (p.specialMask) {
        // Special mask mode: only the level's own ISR bit (and its mask) holds it off; all others are enabled.
        if (pending & bit && !(p.isr & bit)) return ir;
        continue;
      }
      if (p.isr & bit) {
        // Fully nested: an in-service level holds off itself and all below it — except that in special fully
        // nested mode the master lets a slave's higher-priority request through while the slave is in service.
        return isMaster && p.specialFullyNested && !p.single && p.cascade & bit && pending & bit ? ir : -1;
      }
      if (pending & bit) return ir;
    }
    return -1;
  }

  /**
   * Re-evaluate both INT outputs, the cascade, and the CPU's INTR; then run the EOI handlers due. `fromDevice`:
   * a device dropped a line, which never lowers an INT already signalled (see `drive`); the guest's own
   * writes and INTA re-evaluate it fully, since the CPU cannot be acknowledging while it executes them.
   */
  private update(fromDevice: boolean): void {
    const { master, slave } = this.state;
    this.evaluate(slave, fromDevice);
    this.setLine(master, 2, slave.int || this.state.irq2Device);
    this.evaluate(master, fromDevice);
    if (master.int !== this.state.intr) {
      this.state.intr = master.int;
      this.vdh.setInterruptLine(master.int);
    }
    this.runEoiHandlers();
  }

  private evaluate(p: PicState, fromDevice: boolean): void {
    if (p.levelTriggered) p.irr = p.lines;
    if (p.poll) {
      // In poll mode the INT output is not used (the CPU reads the poll word instead).
      p.int = false;
      return;
    }
    const want = p.initStep === 0 && this.resolve(p) >= 0;
    if (want) p.int = true;
    else if (!fromDevice) p.int = false;
  }

  private runEoiHandlers(): void {
    while (this.eoiQueue.length > 0) {
      const irq = this.eoiQueue.shift()!;
      for (const fn of this.eoiHandlers[irq]) fn();
    }
  }

  private irqOf(p: PicState, ir: number): number {
    return p === this.state.master ? ir : ir + 8;
  }

  // ---- the guest side: ports

  private read(p: PicState, port: number): number {
    if (port & 1) return p.imr;
    if (p.poll) {
      // Poll: this read is the INTA — bit 7 says whether there was a request, bits 2-0 which.
      p.poll = false;
      const ir = this.inta(p);
      this.update(false);
      return ir < 0 ? 0 : 0x80 | ir;
    }
    return p.readIsr ? p.isr : p.irr;
  }

  private write(p: PicState, port: number, value: number): void {
    if ((port & 1) === 0 && value & 0x10) this.icw1(p, value);
    else if (port & 1) {
      switch (p.initStep) {
        case 2:
          p.vectorBase = value & 0xf8;
          p.initStep = p.single ? (p.icw4Needed ? 4 : 0) : 3;
          break;
        case 3:
          p.cascade = p === this.state.master ? value : value & 7;
          p.initStep = p.icw4Needed ? 4 : 0;
          break;
        case 4:
          // ICW4: bit 0 uPM (8086 mode; see the header), bit 1 AEOI, bits 2-3 buffered mode, bit 4 SFNM.
          p.autoEoi = (value & 0x02) !== 0;
          p.specialFullyNested = (value & 0x10) !== 0;
          p.initStep = 0;
          break;
        default:
          p.imr = value; // OCW1
      }
    } else if (value & 0x08) this.ocw3(p, value);
    else this.ocw2(p, value);
    this.update(false);
  }

  /**
   * ICW1 starts initialisation. The datasheet's reset: the edge-sense latches are cleared (a line already
   * high needs a new rising edge), the IMR is cleared, IR7 gets the lowest priority, special mask mode is
   * off and status reads return the IRR. Like most emulators we also drop the IRR and ISR, which is what a
   * guest re-initialising the PIC expects; ICW4's functions are zero unless an ICW4 follows.
   */
  private icw1(p: PicState, value: number): void {
    p.icw4Needed = (value & 0x01) !== 0;
    p.single = (value & 0x02) !== 0;
    p.levelTriggered = (value & 0x08) !== 0;
    p.initStep = 2;
    p.imr = 0;
    p.irr = 0;
    p.isr = 0;
    p.lowestPriority = 7;
    p.specialMask = false;
    p.readIsr = false;
    p.poll = false;
    p.autoEoi = false;
    p.specialFullyNested = false;
    p.rotateOnAutoEoi = false;
    p.int = false;
  }

  /** OCW2: R SL EOI in bits 7-5, the level in bits 2-0. */
  private ocw2(p: PicState, value: number): void {
    const level = value & 7;
    switch (value >> 5) {
      case 0b001: // non-specific EOI
        this.eoi(p, this.highestInService(p), false);
        break;
      case 0b011: // specific EOI
        this.eoi(p, level, false);
        break;
      case 0b101: // rotate on non-specific EOI
        this.eoi(p, this.highestInService(p), true);
        break;
      case 0b111: // rotate on specific EOI
        this.eoi(p, level, true);
        break;
      case 0b100: // rotate in automatic EOI mode: set
        p.rotateOnAutoEoi = true;
        break;
      case 0b000: // rotate in automatic EOI mode: clear
        p.rotateOnAutoEoi = false;
        break;
      case 0b110: // set priority: `level` becomes the lowest
        p.lowestPriority = level;
        break;
      default: // 010: no operation
        break;
    }
  }

  private eoi(p: PicState, ir: number, rotate: boolean): void {
    if (ir < 0) return;
    const bit = 1 << ir;
    if (rotate) p.lowestPriority = ir;
    if (!(p.isr & bit)) return;
    p.isr &= ~bit;
    this.eoiQueue.push(this.irqOf(p, ir));
  }

  /** The in-service level with the highest priority (what a non-specific EOI clears), or -1. */
  private highestInService(p: PicState): number {
    for (let i = 1; i <= 8; i++) {
      const ir = (p.lowestPriority + i) & 7;
      if (p.isr & (1 << ir)) return ir;
    }
    return -1;
  }

  /** OCW3: ESMM SMM in bits 6-5, P in bit 2, RR RIS in bits 1-0. */
  private ocw3(p: PicState, value: number): void {
    if (value & 0x40) p.specialMask = (value & 0x20) !== 0;
    if (value & 0x02) p.readIsr = (value & 0x01) !== 0;
    // Poll takes precedence over a register read on the next read of the even port.
    p.poll = (value & 0x04) !== 0;
  }
}

const vpic: VddModule = {
  name: 'VPIC',
  init(vdh) {
    const pic = new Vpic(vdh);
    pic.install();
    vdh.provideInterruptController(pic);
  },
};

export default vpic;
