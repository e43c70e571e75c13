/**
 * The I/O port bus of one VM: a table of hooks by port, in the shape of OS/2's VDHInstallIOHook — byte
 * handlers always, word and dword handlers where a device has them (otherwise the access is split into
 * bytes, low port first). Unhooked ports float: reads return all ones, writes vanish.
 */

/** Handlers for a range of ports. `port` is the port accessed (not the range's first port). */
export interface IoHandlers {
  byteIn(port: number): number;
  byteOut(port: number, value: number): void;
  wordIn?(port: number): number;
  wordOut?(port: number, value: number): void;
  dwordIn?(port: number): number;
  dwordOut?(port: number, value: number): void;
}

const PORTS = 0x10000;

export class PortBus {
  private readonly hooks: (IoHandlers | undefined)[] = new Array<IoHandlers | undefined>(PORTS).fill(undefined);
  /** Hooks whose trap is off. */
  private readonly parked = new Map<number, IoHandlers>();

  /** Hook `count` ports from `first`. A port hooked twice is an error: two devices cannot share it. */
  install(first: number, count: number, handlers: IoHandlers): void {
    this.check(first, count);
    for (let p = first; p < first + count; p++) {
      if (this.hooks[p] !== undefined || this.parked.has(p)) throw new Error(`port ${p.toString(16)}h is already hooked`);
    }
    this.hooks.fill(handlers, first, first + count);
  }

  remove(first: number, count: number): void {
    this.check(first, count);
    this.hooks.fill(undefined, first, first + count);
    for (let p = first; p < first + count; p++) this.parked.delete(p);
  }

  /**
   * Trap on or off (OS/2's VDHSetIOHookState): a hooked port whose trap is off behaves as if unhooked —
   * reads float, writes vanish — until it is turned back on; the hook stays installed.
   */
  setTrap(first: number, count: number, on: boolean): void {
    this.check(first, count);
    for (let p = first; p < first + count; p++) {
      if (on) {
        const h = this.parked.get(p);
        if (h) {
          this.hooks[p] = h;
          this.parked.delete(p);
        }
      } else {
        const h = this.hooks[p];
        if (!h) throw new Error(`port ${p.toString(16)}h is not hooked`);
        this.parked.set(p, h);
        this.hooks[p] = undefined;
      }
    }
  }

  isHooked(port: number): boolean {
    return this.hooks[port & 0xffff] !== undefined;
  }

  in8(port: number): number {
    const h = this.hooks[port & 0xffff];
    return h ? h.byteIn(port & 0xffff) & 0xff : 0xff;
  }

  out8(port: number, value: number): void {
    this.hooks[port & 0xffff]?.byteOut(port & 0xffff, value & 0xff);
  }

  in16(port: number): number {
    const h = this.hooks[port & 0xffff];
    if (h?.wordIn) return h.wordIn(port & 0xffff) & 0xffff;
    return this.in8(port) | (this.in8(port + 1) << 8);
  }

  out16(port: number, value: number): void {
    const h = this.hooks[port & 0xffff];
    if (h?.wordOut) h.wordOut(port & 0xffff, value & 0xffff);
    else {
      this.out8(port, value);
      this.out8(port + 1, value >>> 8);
    }
  }

  in32(port: number): number {
    const h = this.hooks[port & 0xffff];
    if (h?.dwordIn) return h.dwordIn(port & 0xffff) | 0;
    return (this.in16(port) | (this.in16(port + 2) << 16)) | 0;
  }

  out32(port: number, value: number): void {
    const h = this.hooks[port & 0xffff];
    if (h?.dwordOut) h.dwordOut(port & 0xffff, value | 0);
    else {
      this.out16(port, value & 0xffff);
      this.out16(port + 2, value >>> 16);
    }
  }

  private check(first: number, count: number): void {
    if (!Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 1 || first + count > PORTS) {
      throw new Error(`port range ${first}+${count} is outside 0..FFFFh`);
    }
  }
}
