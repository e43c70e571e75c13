/**
 * VTIMER: the AT's Intel 8254 programmable interval timer at ports 40h-43h, and system control port B
 * (61h: channel 2's gate, speaker data enable, channel 2's output, the refresh toggle).
 *
 * The 8254's input clock runs at 1 193 182 Hz of *guest* time: pit ticks = vdh.now * PIT_HZ / ticksPerSecond.
 * Nothing ticks per instruction. Each channel remembers the pit tick at which its count was loaded, and
 * its count and output at any later tick are computed from that (closed-form per mode). Only channel 0's
 * output edges need to happen "by themselves" (they raise IRQ 0), so exactly one timer is armed, at the
 * virtual tick of channel 0's next output change; reprogramming disarms it. Same inputs at the same ticks,
 * same IRQ ticks: the VDD is deterministic and costs nothing while the guest runs.
 *
 * Named requests under 'VTIMER': command 1 (query) answers { channel, mode, count, output, ... } for one
 * channel (input: its number) or all three; command 2 hands over — and forgets — the speaker events
 * { tick, frequencyHz } (0 Hz: silent) recorded as channel 2 and port 61h changed (for VSPKR).
 *
 * Simplifications, each a cycle or so of the real chip: a count written in mode 2 or 3 takes effect at the
 * end of the current period (the 8254 switches mode 3 at the end of a half period); the first byte of a
 * two-byte count does not stop mode 0; a control word resets a channel's latches.
 */
import { PASS, type Vdh, type VddModule, type Virq } from '../../main/vmm/vdh.js';

/** The 8254's input clock on a PC: 14.31818 MHz / 12. */
export const PIT_HZ = 1_193_182;

/** Port B's refresh request bit toggles once per refresh cycle: every 18 pit clocks (15.09 µs), as channel 1 is set on an AT. */
const REFRESH_PIT_TICKS = 18;

/** Speaker events kept when nobody collects them (oldest dropped): enough for a tune, bounded for a VM that never plays one. */
const SPEAKER_EVENTS_MAX = 4096;

export const Command = {
  /** Query a channel: input a channel number (0..2), or nothing for all three. */
  Query: 1,
  /** Take the speaker events recorded since the last call. */
  SpeakerEvents: 2,
} as const;

export interface ChannelInfo {
  channel: number;
  /** A control word has been written since power-on. */
  programmed: boolean;
  /** The effective mode 0..5 (6 and 7 are read as 2 and 3). */
  mode: number;
  /** The counting element now, as a number (decimal value in BCD mode). */
  count: number;
  /** The count in effect (1..65536, or 1..10000 in BCD); 0 before a count was written. */
  reload: number;
  output: boolean;
  gate: boolean;
  bcd: boolean;
  /** 1 LSB only, 2 MSB only, 3 LSB then MSB. */
  access: number;
}

export interface SpeakerEvent {
  /** The virtual tick (vdh.now) of the change. */
  tick: number;
  /** The tone's frequency, 0 when the speaker is silent. */
  frequencyHz: number;
}

/** One counter of the 8254. Plain fields so a VM's state can be saved and restored. */
interface Channel {
  index: number;
  programmed: boolean;
  /** RW bits of the control word: 1 LSB, 2 MSB, 3 LSB then MSB (0 before programming). */
  access: number;
  /** The mode bits as written (the status byte shows them); `mode` is what they mean. */
  modeBits: number;
  mode: number;
  bcd: boolean;
  /** The count register as last written (raw 16 bits, BCD-coded in BCD mode). */
  cr: number;
  /** Write flip-flop in access mode 3: the next byte written is the MSB. */
  writeHigh: boolean;
  /** Read flip-flop in access mode 3: the next byte read is the MSB. */
  readHigh: boolean;
  countLatched: boolean;
  latchValue: number;
  statusLatched: boolean;
  statusValue: number;
  /** A count has been written since the control word (until then the output idles, the count holds). */
  loaded: boolean;
  /** The count in effect, as a period in clocks (0 means 65536 / 10000 and is stored so). */
  n: number;
  /**
   * Counting: for modes 0/4 the gate is high, for 2/3 the gate is high and a count is loaded, for 1/5 the
   * gate has triggered the one-shot.
   */
  running: boolean;
  /** The pit tick at which the counting element held `n` (the count's load); all timing is relative to it. */
  start: number;
  /** Modes 0/4 with the gate low: clocks counted so far, so counting resumes where it stopped. */
  frozen: number;
  /** The count shown while the counting element is not counting from `start` (before a load, gate low in 2/3). */
  hold: number;
  /** Modes 2/3: a count written while counting, and the period boundary (pit tick) where it takes over. */
  pendingN: number;
  pendingAt: number;
  /** The status byte's NULL COUNT stays set until this pit tick (the written count reaches the counting element). */
  nullUntil: number;
  /** Gate input: high on channels 0 and 1, port 61h bit 0 on channel 2. */
  gate: boolean;
  /** Output before any count is loaded (power-on: high, so programming the BIOS's mode causes no IRQ 0). */
  idleOut: boolean;
}

function newChannel(index: number): Channel {
  return {
    index,
    programmed: false,
    access: 0,
    modeBits: 0,
    mode: 0,
    bcd: false,
    cr: 0,
    writeHigh: false,
    readHigh: false,
    countLatched: false,
    latchValue: 0,
    statusLatched: false,
    statusValue: 0,
    loaded: false,
    n: 0,
    running: false,
    start: 0,
    frozen: 0,
    hold: 0,
    pendingN: 0,
    pendingAt: Infinity,
    nullUntil: Infinity,
    gate: index !== 2,
    // The 8254's outputs are undefined after power-on; taking them as high means the BIOS programming
    // channel 0 into mode 2 or 3 (output high) makes no edge, so the first IRQ 0 ends the first period.
    idleOut: true,
  };
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;
const modulus = (ch: Channel): number => (ch.bcd ? 10000 : 65536);
/** A written count as a period: 0 is the largest count (65536, or 10000 in BCD). */
function periodOf(ch: Channel, raw: number): number {
  const v = ch.bcd ? fromBcd(raw) : raw & 0xffff;
  return v === 0 ? modulus(ch) : v;
}
function fromBcd(v: number): number {
  return (((v >> 12) & 15) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15)) % 10000;
}
function toBcd(v: number): number {
  return ((Math.floor(v / 1000) % 10) << 12) | ((Math.floor(v / 100) % 10) << 8) | ((Math.floor(v / 10) % 10) << 4) | v % 10;
}

/** Modes 2/3: a count written during counting takes over at its period boundary. */
function advance(ch: Channel, p: number): void {
  if (p >= ch.pendingAt) {
    ch.start = ch.pendingAt;
    ch.n = ch.pendingN;
    ch.pendingAt = Infinity;
  }
}

/** Clocks counted since the load (negative before it). */
function elapsed(ch: Channel, p: number): number {
  return (ch.mode === 0 || ch.mode === 4) && !ch.running ? ch.frozen : p - ch.start;
}

/** The counting element at pit tick p, 0..modulus-1 (a binary number; decimal value in BCD mode). */
function countAt(ch: Channel, p: number): number {
  if (!ch.loaded) return ch.hold;
  const m = modulus(ch);
  const n = ch.n;
  switch (ch.mode) {
    case 0:
    case 4: {
      const e = elapsed(ch, p);
      return e < 0 ? ch.hold : mod(n - e, m);
    }
    case 1:
    case 5: {
      if (!ch.running || p < ch.start) return ch.hold;
      return mod(n - (p - ch.start), m);
    }
    case 2: {
      if (!ch.running || p < ch.start) return ch.hold;
      return mod(n - mod(p - ch.start, n), m); // n, n-1, ..., 1, reload
    }
    default: {
      // Mode 3 counts down by two through each half period.
      if (!ch.running || p < ch.start) return ch.hold;
      const ph = mod(p - ch.start, n);
      const hi = Math.ceil(n / 2);
      return mod(ph < hi ? n - 2 * ph : (n & ~1) - 2 * (ph - hi), m);
    }
  }
}

/** The output at pit tick p. */
function outAt(ch: Channel, p: number): boolean {
  if (!ch.loaded) return ch.idleOut;
  const n = ch.n;
  switch (ch.mode) {
    case 0:
      return elapsed(ch, p) >= n; // low from the control word, high at terminal count and staying so
    case 4:
      return elapsed(ch, p) !== n; // one clock's low strobe at terminal count
    case 1: {
      const e = p - ch.start;
      return !(ch.running && e >= 0 && e < n); // low from the trigger for n clocks
    }
    case 5:
      return !(ch.running && p - ch.start === n);
    case 2:
      if (!ch.running || p < ch.start) return true;
      return !(n >= 2 && mod(p - ch.start, n) === n - 1); // low for the last clock of each period
    default:
      if (!ch.running || p < ch.start) return true;
      return mod(p - ch.start, n) < Math.ceil(n / 2); // high for the first (larger) half
  }
}

/** The first pit tick after p at which the output may change, Infinity when it never will by itself. */
function nextChange(ch: Channel, p: number): number {
  if (!ch.loaded || !ch.running) return Infinity;
  const n = ch.n;
  const s = ch.start;
  switch (ch.mode) {
    case 0:
      return p < s + n ? s + n : Infinity;
    case 1:
      return p < s ? s : p < s + n ? s + n : Infinity;
    case 4:
    case 5:
      return p < s + n ? s + n : p < s + n + 1 ? s + n + 1 : Infinity;
    case 2: {
      let q = Infinity;
      if (n >= 2) {
        if (p < s) q = s + n - 1;
        else {
          const ph = mod(p - s, n);
          q = ph < n - 1 ? p + (n - 1 - ph) : p + 1;
        }
      }
      return Math.min(q, ch.pendingAt);
    }
    default: {
      const hi = Math.ceil(n / 2);
      let q = Infinity;
      if (hi < n) {
        if (p < s) q = s + hi;
        else {
          const ph = mod(p - s, n);
          q = ph < hi ? p + (hi - ph) : p + (n - ph);
        }
      }
      return Math.min(q, ch.pendingAt);
    }
  }
}

export function createVtimer(): VddModule {
  return {
    name: 'VTIMER',
    init(vdh: Vdh): void {
      const channels = [newChannel(0), newChannel(1), newChannel(2)];
      const ch0 = channels[0];
      const ch2 = channels[2];
      const irq0: Virq = vdh.openVirq(0);
      /** The level last driven on IRQ 0; power-on: "high" without a set(), see idleOut. */
      let irqLevel = true;
      let disarmEdge: (() => void) | undefined;
      /** Port 61h bits 0-3 as written (gate 2, speaker data, parity and I/O check enables). */
      let portB = 0;
      let speakerHz = 0;
      const speakerEvents: SpeakerEvent[] = [];

      const tps = vdh.ticksPerSecond;
      // Split the products so they stay exact integers in a double however long the VM runs.
      const pitAt = (tick: number): number => {
        const q = Math.floor(tick / tps);
        return q * PIT_HZ + Math.floor(((tick - q * tps) * PIT_HZ) / tps);
      };
      /** The first virtual tick at which the pit clock has reached p. */
      const tickOf = (p: number): number => {
        const q = Math.floor(p / PIT_HZ);
        return q * tps + Math.ceil(((p - q * PIT_HZ) * tps) / PIT_HZ);
      };
      const pitNow = (): number => pitAt(vdh.now);

      // ---- IRQ 0: channel 0's output edges

      const drive = (high: boolean): void => {
        if (high === irqLevel) return;
        irqLevel = high;
        if (high) irq0.set();
        else irq0.clear();
      };

      const armFrom = (p: number): void => {
        const q = nextChange(ch0, p);
        if (q === Infinity) return;
        disarmEdge = vdh.armTimer(tickOf(q) - vdh.now, () => onEdge(q));
      };

      /** Channel 0's output may change at pit tick q: drive the line, and walk any further changes already due. */
      const onEdge = (q: number): void => {
        disarmEdge = undefined;
        for (let i = 0; ; i++) {
          advance(ch0, q);
          drive(outAt(ch0, q));
          const next = nextChange(ch0, q);
          // More than one change per virtual tick (a slow virtual clock): play them in order, each edge seen.
          if (next === Infinity || tickOf(next) > vdh.now || i >= 64) break;
          q = next;
        }
        armFrom(q);
      };

      /** After channel 0 changed: drive its present output and re-arm for its next change. */
      const sync0 = (): void => {
        disarmEdge?.();
        disarmEdge = undefined;
        const p = pitNow();
        advance(ch0, p);
        drive(outAt(ch0, p));
        armFrom(p);
      };

      // ---- the speaker: channel 2 through port 61h

      const syncSpeaker = (): void => {
        const sounding = (portB & 3) === 3 && ch2.loaded && ch2.running && (ch2.mode === 2 || ch2.mode === 3);
        const hz = sounding ? PIT_HZ / (ch2.pendingAt !== Infinity ? ch2.pendingN : ch2.n) : 0;
        if (hz === speakerHz) return;
        speakerHz = hz;
        if (speakerEvents.length >= SPEAKER_EVENTS_MAX) speakerEvents.shift();
        speakerEvents.push({ tick: vdh.now, frequencyHz: hz });
      };

      const changed = (ch: Channel): void => {
        if (ch === ch0) sync0();
        else if (ch === ch2) syncSpeaker();
      };

      // ---- counters

      const controlWord = (value: number): void => {
        const sc = value >> 6;
        if (sc === 3) {
          readBack(value);
          return;
        }
        const ch = channels[sc];
        const p = pitNow();
        advance(ch, p);
        const rw = (value >> 4) & 3;
        if (rw === 0) {
          // Counter latch: a second latch before the first is read is ignored.
          if (!ch.countLatched) latchCount(ch, p);
          return;
        }
        ch.hold = countAt(ch, p);
        ch.programmed = true;
        ch.access = rw;
        ch.modeBits = (value >> 1) & 7;
        ch.mode = ch.modeBits > 5 ? ch.modeBits - 4 : ch.modeBits;
        ch.bcd = (value & 1) !== 0;
        ch.writeHigh = false;
        ch.readHigh = false;
        ch.countLatched = false;
        ch.statusLatched = false;
        ch.loaded = false;
        ch.running = false;
        ch.frozen = 0;
        ch.pendingAt = Infinity;
        ch.nullUntil = Infinity;
        // A control word sets the output low in mode 0 and high in every other mode.
        ch.idleOut = ch.mode !== 0;
        changed(ch);
      };

      const latchCount = (ch: Channel, p: number): void => {
        const c = countAt(ch, p);
        ch.latchValue = ch.bcd ? toBcd(c) : c;
        ch.countLatched = true;
      };

      /** Read-back: bits 3-1 select counters 2..0; bit 5 clear latches their counts, bit 4 clear their status. */
      const readBack = (value: number): void => {
        const p = pitNow();
        for (let i = 0; i < 3; i++) {
          if (!(value & (2 << i))) continue;
          const ch = channels[i];
          advance(ch, p);
          if (!(value & 0x20) && !ch.countLatched) latchCount(ch, p);
          if (!(value & 0x10) && !ch.statusLatched) {
            ch.statusValue =
              (outAt(ch, p) ? 0x80 : 0) | (p < ch.nullUntil ? 0x40 : 0) | (ch.access << 4) | (ch.modeBits << 1) | (ch.bcd ? 1 : 0);
            ch.statusLatched = true;
          }
        }
      };

      const writeCount = (ch: Channel, value: number): void => {
        if (!ch.programmed) return; // no access mode yet: the byte goes nowhere
        if (ch.access === 1) ch.cr = value;
        else if (ch.access === 2) ch.cr = value << 8;
        else if (!ch.writeHigh) {
          ch.cr = (ch.cr & 0xff00) | value;
          ch.writeHigh = true;
          return; // the count is complete with its MSB
        } else {
          ch.cr = (ch.cr & 0xff) | (value << 8);
          ch.writeHigh = false;
        }
        loadCount(ch, periodOf(ch, ch.cr));
        changed(ch);
      };

      /** A complete count was written: when it reaches the counting element depends on the mode. */
      const loadCount = (ch: Channel, n: number): void => {
        const p = pitNow();
        advance(ch, p);
        switch (ch.mode) {
          case 0:
          case 4:
            // Loaded on the next clock, counting while the gate is high (a new count restarts the one-shot).
            ch.hold = countAt(ch, p);
            ch.n = n;
            ch.loaded = true;
            ch.start = p + 1;
            ch.frozen = 0;
            ch.running = ch.gate;
            ch.nullUntil = p + 1;
            break;
          case 1:
          case 5:
            // Waits for a gate trigger; a one-shot under way finishes with its old count.
            // (the trigger takes the count register, `cr`).
            if (!ch.loaded) ch.hold = countAt(ch, p);
            if (!ch.running) ch.n = n;
            ch.loaded = true;
            ch.nullUntil = Infinity;
            break;
          default:
            if (ch.loaded && ch.running && p >= ch.start) {
              // Counting: the new period starts when this one ends.
              ch.pendingN = n;
              ch.pendingAt = ch.start + (Math.floor((p - ch.start) / ch.n) + 1) * ch.n;
              ch.nullUntil = ch.pendingAt;
            } else {
              ch.hold = countAt(ch, p);
              ch.n = n;
              ch.loaded = true;
              ch.start = p + 1;
              ch.running = ch.gate;
              ch.nullUntil = ch.gate ? p + 1 : Infinity;
            }
        }
      };

      const readCount = (ch: Channel): number => {
        if (ch.statusLatched) {
          ch.statusLatched = false;
          return ch.statusValue;
        }
        let v: number;
        if (ch.countLatched) v = ch.latchValue;
        else {
          const p = pitNow();
          advance(ch, p);
          const c = countAt(ch, p);
          v = ch.bcd ? toBcd(c) : c;
        }
        let byte: number;
        let done = true;
        if (ch.access === 2) byte = v >> 8;
        else if (ch.access === 3) {
          byte = ch.readHigh ? v >> 8 : v & 0xff;
          done = ch.readHigh;
          ch.readHigh = !ch.readHigh;
        } else byte = v & 0xff;
        if (done) ch.countLatched = false;
        return byte & 0xff;
      };

      /** Channel 2's gate from port 61h bit 0: stops/starts modes 0/4, restarts 2/3, triggers 1/5 on a rising edge. */
      const setGate = (ch: Channel, high: boolean): void => {
        if (ch.gate === high) return;
        const p = pitNow();
        advance(ch, p);
        ch.gate = high;
        if (!ch.loaded) return;
        switch (ch.mode) {
          case 0:
          case 4:
            if (high) {
              ch.start = p - ch.frozen;
              ch.running = true;
            } else {
              ch.frozen = Math.max(0, p - ch.start);
              ch.running = false;
            }
            break;
          case 1:
          case 5:
            if (high) {
              // Trigger: the count register is loaded on the next clock, the one-shot (re)starts.
              ch.hold = countAt(ch, p);
              ch.n = periodOf(ch, ch.cr);
              ch.start = p + 1;
              ch.running = true;
              ch.nullUntil = p + 1;
            }
            break;
          default:
            ch.hold = countAt(ch, p);
            if (high) {
              // Rising gate reloads the count on the next clock.
              if (ch.pendingAt !== Infinity) ch.n = ch.pendingN;
              ch.pendingAt = Infinity;
              ch.start = p + 1;
              ch.running = true;
              ch.nullUntil = p + 1;
            } else ch.running = false; // output forced high, counting stops
        }
        changed(ch);
      };

      vdh.installIoHook(0x40, 4, {
        byteIn(port) {
          if (port === 0x43) return 0xff; // the control register is write-only
          return readCount(channels[port - 0x40]);
        },
        byteOut(port, value) {
          if (port === 0x43) controlWord(value & 0xff);
          else writeCount(channels[port - 0x40], value & 0xff);
        },
      });

      vdh.installIoHook(0x61, 1, {
        byteIn() {
          const p = pitNow();
          advance(ch2, p);
          const refresh = Math.floor(p / REFRESH_PIT_TICKS) & 1;
          return (portB & 0x0f) | (refresh << 4) | (outAt(ch2, p) ? 0x20 : 0);
        },
        byteOut(_port, value) {
          portB = value & 0x0f;
          setGate(ch2, (value & 1) !== 0);
          syncSpeaker();
        },
      });

      const info = (ch: Channel): ChannelInfo => {
        const p = pitNow();
        advance(ch, p);
        return {
          channel: ch.index,
          programmed: ch.programmed,
          mode: ch.mode,
          count: countAt(ch, p),
          reload: ch.loaded ? ch.n : 0,
          output: outAt(ch, p),
          gate: ch.gate,
          bcd: ch.bcd,
          access: ch.access,
        };
      };

      vdh.registerName('VTIMER', (command, input) => {
        switch (command) {
          case Command.Query: {
            const which = typeof input === 'number' ? input : (input as { channel?: unknown } | undefined)?.channel;
            if (typeof which === 'number') {
              const ch = channels[which];
              if (!ch) throw new Error(`VTIMER: there is no channel ${which}`);
              return info(ch);
            }
            return channels.map(info);
          }
          case Command.SpeakerEvents:
            return speakerEvents.splice(0);
          default:
            return PASS;
        }
      });
    },
  };
}

export default createVtimer();
