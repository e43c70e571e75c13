/**
 * VDMA: the PC/AT's two Intel 8237A DMA controllers, as far as the floppy and sound devices need them.
 *
 * Controller 1 (ports 00h-0Fh) drives the 8-bit channels 0-3: addresses and counts are in bytes, the
 * address counter wraps within a 64 KiB page. Controller 2 (ports C0h-DEh, even ports only) drives the
 * 16-bit channels 4-7: addresses and counts are in words, the page register's bit 0 is ignored and the
 * word address counter wraps within a 128 KiB page. Channel 4 cascades controller 1 into controller 2.
 * Page registers: 87h/83h/81h/82h for channels 0-3, 8Fh/8Bh/89h/8Ah for channels 4-7.
 *
 * Nothing moves by itself: there is no bus, so a device VDD moves its data when its own timing says so,
 * through the named request 'VDMA':
 *  - command 1 (Transfer) `{ channel, data?: Uint8Array, length?: number }`: `data` goes device -> memory
 *    (the channel must be in write-to-memory or verify mode), `length` bytes are asked memory -> device
 *    (read-from-memory or verify). The transfer runs at the channel's current address and count, stops at
 *    terminal count, and answers `{ bytes, data?, terminalCount }` (bytes moved; `data` for a read).
 *    A masked channel, a cascade channel, or a direction the mode does not allow moves nothing (0 bytes).
 *  - command 2 (Query) `channel` or `{ channel }`: the channel's registers, decoded (ChannelInfo).
 *
 * Terminal count (the count register rolling from 0 to FFFFh, i.e. count+1 units moved) sets the channel's
 * status bit; an autoinit channel reloads its base address and count, any other channel masks itself, as
 * the 8237A does at EOP. Simplifications: memory-to-memory transfers (command bit 0), priority, DREQ/DACK
 * polarity and the compressed-timing bits of the command register are stored but have no effect; a
 * software request (request register) is recorded in the status register but starts nothing.
 */
import { PASS, type Vdh, type VddModule } from '../../main/vmm/vdh.js';

export const Command = {
  /** Move data between a device and guest memory: input { channel, data? , length? }. */
  Transfer: 1,
  /** Query a channel: input a channel number (0..7) or { channel }. */
  Query: 2,
} as const;

/** Mode register bits 3-2: the direction of a transfer, named from memory's side. */
export const TransferType = { Verify: 0, WriteMemory: 1, ReadMemory: 2, Invalid: 3 } as const;
/** Mode register bits 7-6. */
export const TransferMode = { Demand: 0, Single: 1, Block: 2, Cascade: 3 } as const;

export interface TransferInput {
  channel: number;
  /** Device -> memory: the bytes the device delivers. */
  data?: Uint8Array;
  /** Memory -> device: how many bytes the device wants. */
  length?: number;
}

export interface TransferResult {
  /** Bytes moved (or verified); 16-bit channels move whole words. */
  bytes: number;
  /** Memory -> device: the bytes read. */
  data?: Uint8Array;
  /** The transfer reached terminal count. */
  terminalCount: boolean;
}

export interface ChannelInfo {
  channel: number;
  /** 1 for channels 0-3, 2 for 4-7: the unit of addresses and counts, in bytes. */
  unitBytes: number;
  baseAddress: number;
  baseCount: number;
  currentAddress: number;
  currentCount: number;
  page: number;
  /** The physical address the next unit moves at. */
  physicalAddress: number;
  mode: number;
  transferType: number;
  transferMode: number;
  autoinit: boolean;
  decrement: boolean;
  masked: boolean;
  /** The channel's terminal count bit in the status register (not cleared by this query). */
  terminalCount: boolean;
  /** The request register's bit for the channel. */
  request: boolean;
}

/** One channel of an 8237A, plus its page register. Plain fields so a VM's state can be saved and restored. */
interface Channel {
  index: number;
  /** 1 on controller 1, 2 on controller 2: addresses and counts count in these units. */
  unit: number;
  /** Base registers: written by the guest, reloaded into the current ones on autoinit. */
  baseAddress: number;
  baseCount: number;
  /** Current registers: what the guest reads back, advanced by every unit moved. */
  currentAddress: number;
  currentCount: number;
  /** Page register: address bits 16-23 (bit 16 unused on 16-bit channels, whose word address covers it). */
  page: number;
  /** Mode register bits 7-2 as written (bits 1-0 select the channel and are not stored). */
  mode: number;
  /** Mask bit: a masked channel ignores DREQ, so nothing moves. Set on reset and at non-autoinit TC. */
  masked: boolean;
  /** Software request bit (request register); shown in the status register's high nibble. */
  request: boolean;
}

/** One 8237A: four channels and the registers they share. */
interface Controller {
  channels: Channel[];
  /** Byte pointer flip-flop: false = the next address/count byte is the LSB. */
  flipFlop: boolean;
  /** Terminal count bits 0-3 (cleared when the status register is read). */
  tc: number;
  /** Command register, stored for read-back only (see header). */
  command: number;
  /** Temporary register (read at 0Dh; only memory-to-memory transfers would fill it, so it stays 0). */
  temp: number;
}

function newChannel(index: number): Channel {
  return {
    index,
    unit: index < 4 ? 1 : 2,
    baseAddress: 0,
    baseCount: 0,
    currentAddress: 0,
    currentCount: 0,
    page: 0,
    mode: 0,
    // The 8237A powers on (and master-clears) with every channel masked.
    masked: true,
    request: false,
  };
}

/** Channel -> page register port. */
const PAGE_PORTS: readonly number[] = [0x87, 0x83, 0x81, 0x82, 0x8f, 0x8b, 0x89, 0x8a];

export function createVdma(): VddModule {
  return {
    name: 'VDMA',
    init(vdh: Vdh): void {
      const channels = Array.from({ length: 8 }, (_, i) => newChannel(i));
      const controllers: Controller[] = [0, 1].map((c) => ({
        channels: channels.slice(c * 4, c * 4 + 4),
        flipFlop: false,
        tc: 0,
        command: 0,
        temp: 0,
      }));

      const masterClear = (ctl: Controller): void => {
        ctl.flipFlop = false;
        ctl.tc = 0;
        ctl.command = 0;
        ctl.temp = 0;
        for (const ch of ctl.channels) {
          ch.masked = true;
          ch.request = false;
        }
      };

      const status = (ctl: Controller): number => {
        let requests = 0;
        ctl.channels.forEach((ch, i) => {
          if (ch.request) requests |= 0x10 << i;
        });
        return (ctl.tc & 0x0f) | requests;
      };

      /** Read a 16-bit register through the flip-flop: LSB first, then MSB. */
      const readByte = (ctl: Controller, value: number): number => {
        const b = ctl.flipFlop ? (value >> 8) & 0xff : value & 0xff;
        ctl.flipFlop = !ctl.flipFlop;
        return b;
      };
      const writeByte = (ctl: Controller, old: number, value: number): number => {
        const v = ctl.flipFlop ? (old & 0x00ff) | (value << 8) : (old & 0xff00) | value;
        ctl.flipFlop = !ctl.flipFlop;
        return v;
      };

      /** Register `reg` (0..15, the controller-relative index) read by the guest. */
      const regIn = (ctl: Controller, reg: number): number => {
        if (reg < 8) {
          const ch = ctl.channels[reg >> 1];
          return readByte(ctl, reg & 1 ? ch.currentCount : ch.currentAddress);
        }
        switch (reg) {
          case 8: {
            const s = status(ctl);
            ctl.tc = 0; // the TC bits clear on read
            return s;
          }
          case 13:
            return ctl.temp;
          case 15: {
            // Write-all-mask's port reads the masks back on AT chipsets (82C206 and later).
            let m = 0xf0;
            ctl.channels.forEach((ch, i) => {
              if (ch.masked) m |= 1 << i;
            });
            return m;
          }
          default:
            return 0xff;
        }
      };

      const regOut = (ctl: Controller, reg: number, value: number): void => {
        value &= 0xff;
        if (reg < 8) {
          const ch = ctl.channels[reg >> 1];
          // A write goes to the base and the current register together.
          if (reg & 1) ch.baseCount = ch.currentCount = writeByte(ctl, ch.baseCount, value);
          else ch.baseAddress = ch.currentAddress = writeByte(ctl, ch.baseAddress, value);
          return;
        }
        const ch = ctl.channels[value & 3];
        switch (reg) {
          case 8:
            ctl.command = value;
            break;
          case 9:
            ch.request = (value & 4) !== 0;
            break;
          case 10:
            ch.masked = (value & 4) !== 0;
            break;
          case 11:
            ch.mode = value & 0xfc;
            break;
          case 12:
            ctl.flipFlop = false;
            break;
          case 13:
            masterClear(ctl);
            break;
          case 14:
            for (const c of ctl.channels) c.masked = false;
            break;
          case 15:
            ctl.channels.forEach((c, i) => {
              c.masked = (value & (1 << i)) !== 0;
            });
            break;
        }
      };

      const [ctl1, ctl2] = controllers;
      vdh.installIoHook(0x00, 16, {
        byteIn: (port) => regIn(ctl1, port),
        byteOut: (port, value) => regOut(ctl1, port, value),
      });
      // Controller 2 decodes A1-A4: its registers sit on even ports C0h-DEh; odd ports are not decoded.
      vdh.installIoHook(0xc0, 32, {
        byteIn: (port) => (port & 1 ? 0xff : regIn(ctl2, (port - 0xc0) >> 1)),
        byteOut: (port, value) => {
          if (!(port & 1)) regOut(ctl2, (port - 0xc0) >> 1, value);
        },
      });
      PAGE_PORTS.forEach((port, i) => {
        vdh.installIoHook(port, 1, {
          byteIn: () => channels[i].page,
          byteOut: (_port, value) => {
            channels[i].page = value & 0xff;
          },
        });
      });

      /** Physical address of unit `addr` (a 16-bit counter value) of the channel. */
      const physical = (ch: Channel, addr: number): number =>
        ch.unit === 1 ? (ch.page << 16) | addr : ((ch.page & 0xfe) << 16) | (addr << 1);

      const transfer = (input: TransferInput): TransferResult => {
        const ch = channels[input.channel];
        const readMemory = input.data === undefined;
        const nothing: TransferResult = { bytes: 0, terminalCount: false, ...(readMemory ? { data: new Uint8Array(0) } : {}) };
        if (!ch || ch.masked) return nothing;
        const type = (ch.mode >> 2) & 3;
        const tmode = (ch.mode >> 6) & 3;
        if (tmode === TransferMode.Cascade || type === TransferType.Invalid) return nothing;
        if (readMemory ? type === TransferType.WriteMemory : type === TransferType.ReadMemory) return nothing;

        const wanted = readMemory ? Math.max(0, Math.floor(input.length ?? 0)) : input.data!.length;
        let units = Math.floor(wanted / ch.unit);
        const decrement = (ch.mode & 0x20) !== 0;
        const autoinit = (ch.mode & 0x10) !== 0;
        const out = readMemory ? new Uint8Array(units * ch.unit) : undefined;
        let moved = 0; // units moved so far
        let terminalCount = false;

        while (units > 0 && !terminalCount) {
          // A run: contiguous in memory, within the page, not past terminal count.
          const toTc = ch.currentCount + 1;
          const toWrap = decrement ? ch.currentAddress + 1 : 0x10000 - ch.currentAddress;
          const run = Math.min(units, toTc, toWrap);
          const lowAddr = decrement ? ch.currentAddress - run + 1 : ch.currentAddress;
          const phys = physical(ch, lowAddr);
          const len = run * ch.unit;
          if (type !== TransferType.Verify) {
            if (readMemory) {
              const bytes = vdh.readGuest(phys, len);
              if (decrement) reverseUnits(bytes, ch.unit);
              out!.set(bytes, moved * ch.unit);
            } else {
              const bytes = input.data!.slice(moved * ch.unit, moved * ch.unit + len);
              if (decrement) reverseUnits(bytes, ch.unit);
              vdh.writeGuest(phys, bytes);
            }
          }
          moved += run;
          units -= run;
          ch.currentAddress = (ch.currentAddress + (decrement ? -run : run)) & 0xffff;
          ch.currentCount = (ch.currentCount - run) & 0xffff;
          if (run === toTc) {
            terminalCount = true;
            ctl(ch).tc |= 1 << (ch.index & 3);
            if (autoinit) {
              ch.currentAddress = ch.baseAddress;
              ch.currentCount = ch.baseCount;
            } else {
              ch.masked = true;
            }
          }
        }
        // A transfer served the channel's software request, if any.
        if (moved > 0) ch.request = false;
        const bytes = moved * ch.unit;
        return readMemory ? { bytes, data: out!.subarray(0, bytes), terminalCount } : { bytes, terminalCount };
      };

      const ctl = (ch: Channel): Controller => controllers[ch.index >> 2];

      const info = (ch: Channel): ChannelInfo => ({
        channel: ch.index,
        unitBytes: ch.unit,
        baseAddress: ch.baseAddress,
        baseCount: ch.baseCount,
        currentAddress: ch.currentAddress,
        currentCount: ch.currentCount,
        page: ch.page,
        physicalAddress: physical(ch, ch.currentAddress),
        mode: ch.mode | (ch.index & 3),
        transferType: (ch.mode >> 2) & 3,
        transferMode: (ch.mode >> 6) & 3,
        autoinit: (ch.mode & 0x10) !== 0,
        decrement: (ch.mode & 0x20) !== 0,
        masked: ch.masked,
        terminalCount: (ctl(ch).tc & (1 << (ch.index & 3))) !== 0,
        request: ch.request,
      });

      const channelOf = (input: unknown): Channel => {
        const n = typeof input === 'number' ? input : (input as { channel?: unknown } | undefined)?.channel;
        const ch = typeof n === 'number' ? channels[n] : undefined;
        if (!ch) throw new Error(`VDMA: there is no channel ${String(n)}`);
        return ch;
      };

      vdh.registerName('VDMA', (command, input) => {
        switch (command) {
          case Command.Transfer: {
            const ch = channelOf(input);
            const t = input as TransferInput;
            if (t.data !== undefined && !(t.data instanceof Uint8Array)) throw new Error('VDMA: transfer data must be a Uint8Array');
            return transfer({ channel: ch.index, data: t.data, length: t.length });
          }
          case Command.Query:
            return info(channelOf(input));
          default:
            return PASS;
        }
      });
    },
  };
}

/** Reverse the order of `unit`-byte units in place, keeping each unit's bytes in order (decrement mode). */
function reverseUnits(bytes: Uint8Array, unit: number): void {
  if (unit === 1) {
    bytes.reverse();
    return;
  }
  const n = bytes.length / unit;
  for (let i = 0, j = n - 1; i < j; i++, j--) {
    for (let k = 0; k < unit; k++) {
      const a = i * unit + k;
      const b = j * unit + k;
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

export default createVdma();
