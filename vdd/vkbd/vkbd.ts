/**
 * VKBD: the PC/AT keyboard — the Intel 8042 keyboard controller at ports 60h (data) and 64h (status and
 * commands), the keyboard behind it, port 92h's fast A20 gate, and the BIOS keyboard services (the host
 * half of INT 09h and INT 16h, docs/firmware.md) with the BIOS data area fields they own.
 *
 * Data path: the host hands over scan code set 1 (XT) make/break codes, or text that VKBD turns into them
 * (named request 'VKBD'). Bytes wait in a bounded queue and reach the 8042's output buffer one at a time:
 * when the buffer is empty a byte is loaded, OBF set and IRQ 1 raised (command byte bit 0). IRQ 1 follows
 * OBF as on the real controller: reading port 60h empties the buffer and drops the line. The next byte is
 * loaded only NEXT_BYTE_SECONDS later, never at once: a real keyboard needs about a millisecond to clock a
 * byte over its serial line, and guests rely on that — an INT 09h handler reads port 60h first and sends the
 * EOI last (some read port 60h again in between); a byte loaded at once would replace the one the handler
 * is still looking at, and its IRQ edge would land while IRQ 1 is still in service. Half a millisecond of
 * virtual time lets the handler finish and EOI before the next byte and its IRQ arrive.
 *
 * The output is always set 1 (as the guest sees it through the 8042's translation, command byte bit 6):
 * the host already supplies set-1 codes, so there is nothing to translate; F0h (select scan code set) is
 * answered and remembered but changes nothing.
 *
 * INT 09h follows the IBM AT (enhanced keyboard) BIOS: shift flags at 40:17h, 40:18h, 40:96h, 40:97h;
 * make codes become BIOS words (scan << 8 | ascii) from the IBM tables and go into the circular buffer at
 * 40:1Eh..40:3Dh (head 40:1Ah, tail 40:1Ch, bounds 40:80h/40:82h). As on the IBM BIOS, keys that only the
 * enhanced INT 16h functions (10h-12h) may return are stored so that the old functions (00h-02h) can tell:
 * grey keys carry E0h as their ASCII byte, Alt combinations the 84-key BIOS never produced carry F0h, and
 * keys with scan bytes above 84h (F11, F12, most Ctrl and Alt combinations of the cursor keys) are skipped
 * by 00h/01h.
 *
 * Simplifications: Pause sets 40:18h bit 3 and the next key make code clears it and is dropped (the BIOS
 * would loop inside INT 09h, freezing the foreground program); SysReq only tracks its held bit (no INT 15h
 * AH=85h); there is no auxiliary (mouse) device — A7h/A8h are tracked, AUX bytes never arrive; the input
 * buffer is always empty (IBF 0): commands act at once.
 *
 * Named requests under 'VKBD': command 1 queues raw set-1 scan codes (input: number[]), command 2 types a
 * string (US layout, Shift and Ctrl added as needed), command 3 answers { queued, biosBuffered, shift }.
 * Events posted to the host: 'kbd-leds' {scroll, num, caps} when the keyboard's LEDs change, 'kbd-beep'
 * when the BIOS buffer is full and a key is dropped.
 */
import { PASS, type Vdh, type VddModule, type Virq } from '../../main/vmm/vdh.js';

export const Command = {
  /** Queue raw set-1 scan codes: input number[] (0..255 each). */
  ScanCodes: 1,
  /** Type text: input string; each character becomes make+break codes, with Shift or Ctrl around it. */
  Type: 2,
  /** Query: answers VkbdStatus. */
  Query: 3,
} as const;

export interface VkbdStatus {
  /** Bytes waiting for the 8042's output buffer (host input and keyboard replies). */
  queued: number;
  /** The guest's last INT 16h read or poll found no key: it is waiting for the keyboard. */
  waitingForKey: boolean;
  /** Keys in the BIOS buffer (40:1Ah..40:1Ch), not yet read through INT 16h. */
  biosBuffered: number;
  /** The shift flags byte at 40:17h. */
  shift: number;
}

export interface VkbdOptions {
  /** NumLock on after POST, as most BIOSes set it for an enhanced keyboard (default true). */
  numLock?: boolean;
}

/** The most scan code bytes waiting at once: several screens of typed text, bounded for a stuck guest. */
export const QUEUE_MAX = 4096;

/** The delay between two bytes reaching the output buffer (see the file comment): half a millisecond. */
const NEXT_BYTE_SECONDS = 1 / 2000;

const IRQ = 1;

// ---- 8042 status register (port 64h)
/** Ticks (instructions) between two empty INT 16h polls that make them one busy-waiting loop. */
const POLL_GAP = 400;

const ST_OBF = 0x01;
const ST_SYSTEM = 0x04;
const ST_COMMAND = 0x08;
const ST_NOT_INHIBITED = 0x10;

// ---- 8042 command byte
const CB_IRQ1 = 0x01;
const CB_SYSTEM = 0x04;
const CB_KBD_DISABLED = 0x10;
const CB_AUX_DISABLED = 0x20;

// ---- BIOS data area (linear addresses)
const KB_FLAG = 0x417;
const KB_FLAG_1 = 0x418;
const ALT_INPUT = 0x419;
const BUFFER_HEAD = 0x41a;
const BUFFER_TAIL = 0x41c;
const BIOS_BREAK = 0x471;
const RESET_FLAG = 0x472;
const BUFFER_START = 0x480;
const BUFFER_END = 0x482;
const KB_FLAG_3 = 0x496;
const KB_FLAG_2 = 0x497;
/** The default buffer: 16 words at 40:1Eh..40:3Dh (one is always free, so 15 keys). */
const DEFAULT_START = 0x1e;
const DEFAULT_END = 0x3e;

// 40:17h
const RIGHT_SHIFT = 0x01;
const LEFT_SHIFT = 0x02;
const CTRL = 0x04;
const ALT = 0x08;
const SCROLL_STATE = 0x10;
const NUM_STATE = 0x20;
const CAPS_STATE = 0x40;
const INS_STATE = 0x80;
// 40:18h
const L_CTRL = 0x01;
const L_ALT = 0x02;
const SYS_HELD = 0x04;
const HOLD_STATE = 0x08;
const SCROLL_HELD = 0x10;
const NUM_HELD = 0x20;
const CAPS_HELD = 0x40;
const INS_HELD = 0x80;
// 40:96h
const LC_E1 = 0x01;
const LC_E0 = 0x02;
const R_CTRL = 0x04;
const R_ALT = 0x08;
const KBX = 0x10;

// ---- eflags: INT 16h's peek functions report through ZF
const ZF = 0x40;

const N = -1;
/**
 * Set-1 make code -> BIOS words [normal, shift, ctrl, alt] (the IBM enhanced BIOS's tables); N: no key.
 * xxF0h marks an Alt combination only the enhanced functions return (as xx00h).
 */
const KEYS: readonly (readonly [number, number, number, number] | undefined)[] = (() => {
  const t: ([number, number, number, number] | undefined)[] = [];
  const k = (sc: number, normal: number, shift: number, ctrl: number, alt: number): void => {
    t[sc] = [normal, shift, ctrl, alt];
  };
  k(0x01, 0x011b, 0x011b, 0x011b, 0x01f0); // Esc
  // Digit row: 1! 2@ 3# 4$ 5% 6^ 7& 8* 9( 0) -_ =+
  const digits = '1234567890-=';
  const shifted = '!@#$%^&*()_+';
  for (let i = 0; i < digits.length; i++) {
    const sc = 0x02 + i;
    const ctrl = sc === 0x03 ? 0x0300 : sc === 0x07 ? 0x071e : sc === 0x0c ? 0x0c1f : N;
    k(sc, (sc << 8) | digits.charCodeAt(i), (sc << 8) | shifted.charCodeAt(i), ctrl, (0x76 + i) << 8);
  }
  k(0x0e, 0x0e08, 0x0e08, 0x0e7f, 0x0ef0); // Backspace
  k(0x0f, 0x0f09, 0x0f00, 0x9400, 0xa500); // Tab
  const letters = (first: number, row: string): void => {
    for (let i = 0; i < row.length; i++) {
      const sc = first + i;
      const c = row.charCodeAt(i);
      k(sc, (sc << 8) | c, (sc << 8) | (c - 0x20), (sc << 8) | (c - 0x60), sc << 8);
    }
  };
  letters(0x10, 'qwertyuiop');
  letters(0x1e, 'asdfghjkl');
  letters(0x2c, 'zxcvbnm');
  k(0x1a, 0x1a5b, 0x1a7b, 0x1a1b, 0x1af0); // [{
  k(0x1b, 0x1b5d, 0x1b7d, 0x1b1d, 0x1bf0); // ]}
  k(0x1c, 0x1c0d, 0x1c0d, 0x1c0a, 0x1cf0); // Enter
  k(0x27, 0x273b, 0x273a, N, 0x27f0); // ;:
  k(0x28, 0x2827, 0x2822, N, 0x28f0); // '"
  k(0x29, 0x2960, 0x297e, N, 0x29f0); // `~
  k(0x2b, 0x2b5c, 0x2b7c, 0x2b1c, 0x2bf0); // \|
  k(0x33, 0x332c, 0x333c, N, 0x33f0); // ,<
  k(0x34, 0x342e, 0x343e, N, 0x34f0); // .>
  k(0x35, 0x352f, 0x353f, N, 0x35f0); // /?
  k(0x37, 0x372a, 0x372a, 0x9600, 0x37f0); // keypad *
  k(0x39, 0x3920, 0x3920, 0x3920, 0x3920); // Space
  for (let i = 0; i < 10; i++) k(0x3b + i, (0x3b + i) << 8, (0x54 + i) << 8, (0x5e + i) << 8, (0x68 + i) << 8); // F1-F10
  // Keypad: normal (NumLock off) = cursor keys, shift (or NumLock on) = digits.
  k(0x47, 0x4700, 0x4737, 0x7700, N); // 7 Home
  k(0x48, 0x4800, 0x4838, 0x8d00, N); // 8 Up
  k(0x49, 0x4900, 0x4939, 0x8400, N); // 9 PgUp
  k(0x4a, 0x4a2d, 0x4a2d, 0x8e00, 0x4af0); // keypad -
  k(0x4b, 0x4b00, 0x4b34, 0x7300, N); // 4 Left
  k(0x4c, 0x4cf0, 0x4c35, 0x8f00, N); // 5
  k(0x4d, 0x4d00, 0x4d36, 0x7400, N); // 6 Right
  k(0x4e, 0x4e2b, 0x4e2b, 0x9000, 0x4ef0); // keypad +
  k(0x4f, 0x4f00, 0x4f31, 0x7500, N); // 1 End
  k(0x50, 0x5000, 0x5032, 0x9100, N); // 2 Down
  k(0x51, 0x5100, 0x5133, 0x7600, N); // 3 PgDn
  k(0x52, 0x5200, 0x5230, 0x9200, N); // 0 Ins
  k(0x53, 0x5300, 0x532e, 0x9300, N); // . Del
  k(0x56, 0x565c, 0x567c, N, N); // the 102nd key (\| on US keyboards)
  k(0x57, 0x8500, 0x8700, 0x8900, 0x8b00); // F11
  k(0x58, 0x8600, 0x8800, 0x8a00, 0x8c00); // F12
  return t;
})();

/** E0-prefixed (grey) keys -> [normal, shift, ctrl, alt]. */
const GREY: ReadonlyMap<number, readonly [number, number, number, number]> = new Map([
  [0x1c, [0xe00d, 0xe00d, 0xe00a, 0xa600]], // keypad Enter
  [0x35, [0xe02f, 0xe02f, 0x9500, 0xa400]], // keypad /
  [0x47, [0x47e0, 0x47e0, 0x77e0, 0x9700]], // Home
  [0x48, [0x48e0, 0x48e0, 0x8de0, 0x9800]], // Up
  [0x49, [0x49e0, 0x49e0, 0x84e0, 0x9900]], // PgUp
  [0x4b, [0x4be0, 0x4be0, 0x73e0, 0x9b00]], // Left
  [0x4d, [0x4de0, 0x4de0, 0x74e0, 0x9d00]], // Right
  [0x4f, [0x4fe0, 0x4fe0, 0x75e0, 0x9f00]], // End
  [0x50, [0x50e0, 0x50e0, 0x91e0, 0xa000]], // Down
  [0x51, [0x51e0, 0x51e0, 0x76e0, 0xa100]], // PgDn
  [0x52, [0x52e0, 0x52e0, 0x92e0, 0xa200]], // Insert
  [0x53, [0x53e0, 0x53e0, 0x93e0, 0xa300]], // Delete
]);

/** Keypad make codes -> the digit they enter under Alt. */
const KEYPAD_DIGIT: ReadonlyMap<number, number> = new Map([
  [0x52, 0], [0x4f, 1], [0x50, 2], [0x51, 3], [0x4b, 4], [0x4c, 5], [0x4d, 6], [0x47, 7], [0x48, 8], [0x49, 9],
]);

const isLetter = (sc: number): boolean => (sc >= 0x10 && sc <= 0x19) || (sc >= 0x1e && sc <= 0x26) || (sc >= 0x2c && sc <= 0x32);
const isKeypadNumber = (sc: number): boolean => sc >= 0x47 && sc <= 0x53 && sc !== 0x4a && sc !== 0x4e;

/**
 * The old INT 16h functions (00h-02h) see keys as the 84-key BIOS made them: grey keys lose their E0h, the
 * keypad Enter and / become the main keys, and enhanced-only keys are skipped (undefined).
 */
export function toStandard(key: number): number | undefined {
  const ah = key >> 8;
  const al = key & 0xff;
  if (ah === 0xe0) return al === 0x0d || al === 0x0a ? 0x1c00 | al : 0x3500 | al;
  if (ah > 0x84) return undefined;
  if (al === 0xf0) return ah === 0 ? key : undefined;
  if (al === 0xe0 && ah !== 0) return key & 0xff00;
  return key;
}

/** The enhanced functions (10h-12h) return every key; the F0h marker of Alt combinations becomes 00h. */
export function toExtended(key: number): number {
  return (key & 0xff) === 0xf0 && key >> 8 !== 0 ? key & 0xff00 : key;
}

// ---- text to scan codes (US layout)

const LSHIFT_MAKE = 0x2a;
const LCTRL_MAKE = 0x1d;
/** char -> [scan code, shift needed]. */
const TYPEABLE: ReadonlyMap<string, readonly [number, boolean]> = (() => {
  const m = new Map<string, [number, boolean]>();
  const row = (first: number, plain: string, shifted: string): void => {
    for (let i = 0; i < plain.length; i++) {
      m.set(plain[i], [first + i, false]);
      if (shifted[i] !== ' ') m.set(shifted[i], [first + i, true]);
    }
  };
  row(0x02, '1234567890-=', '!@#$%^&*()_+');
  row(0x10, 'qwertyuiop[]', 'QWERTYUIOP{}');
  row(0x1e, "asdfghjkl;'`", 'ASDFGHJKL:"~');
  row(0x2b, '\\zxcvbnm,./', '|ZXCVBNM<>?');
  m.set(' ', [0x39, false]);
  m.set('\r', [0x1c, false]);
  m.set('\n', [0x1c, false]);
  m.set('\t', [0x0f, false]);
  m.set('\b', [0x0e, false]);
  m.set('\x1b', [0x01, false]);
  return m;
})();

/**
 * Make and break codes that type `text`. "\r\n" is one Enter. Control characters 01h-1Ah that have no key
 * of their own are typed as Ctrl+letter. `capsLock`: letters are typed so they come out as written.
 */
export function scanCodesForText(text: string, capsLock = false): number[] {
  const out: number[] = [];
  const bad = new Set<string>();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\r' && text[i + 1] === '\n') continue;
    const key = TYPEABLE.get(ch);
    if (key) {
      const [sc, shift] = key;
      const needShift = capsLock && /[a-zA-Z]/.test(ch) ? !shift : shift;
      if (needShift) out.push(LSHIFT_MAKE, sc, sc | 0x80, LSHIFT_MAKE | 0x80);
      else out.push(sc, sc | 0x80);
      continue;
    }
    const code = ch.charCodeAt(0);
    if (code >= 1 && code <= 0x1a) {
      const sc = TYPEABLE.get(String.fromCharCode(code + 0x60))![0];
      out.push(LCTRL_MAKE, sc, sc | 0x80, LCTRL_MAKE | 0x80);
      continue;
    }
    bad.add(ch);
  }
  if (bad.size > 0) {
    const names = [...bad].map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e ? `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : JSON.stringify(c)));
    throw new Error(`VKBD: cannot type ${names.join(', ')} on a US keyboard`);
  }
  return out;
}

/** The keyboard controller, the keyboard and the BIOS keyboard services of one VM. */
export class Vkbd {
  // ---- 8042
  commandByte = CB_IRQ1 | CB_SYSTEM | 0x40;
  /** Status bit 2: 0 after power-on, set by the self test or command byte bit 2. */
  systemFlag = false;
  /** Status bit 3: the last write went to port 64h (a command) rather than 60h (data). */
  lastWasCommand = false;
  /** A controller command waiting for its data byte at port 60h (60h, D1h, D2h, D3h, D4h), or 0. */
  pendingController = 0;
  auxDisabled = false;
  obf = false;
  outputBuffer = 0;
  /** Controller replies: ahead of everything else. */
  controllerReplies: number[] = [];
  /** The keyboard's answers to commands (FAh, AAh, ...). */
  keyboardReplies: number[] = [];
  /** Scan codes from the host. */
  keys: number[] = [];
  /** The inter-byte delay is running: the next byte waits for it. */
  delaying = false;
  private disarmDelay: (() => void) | undefined;
  private irqHigh = false;

  // ---- the keyboard
  scanning = true;
  leds = 0;
  /** A keyboard command waiting for its option byte (EDh, F3h, F0h), or 0. */
  pendingKeyboard = 0;
  typematic = 0x2b;
  scanSet = 1;
  lastSent = 0xaa;

  private readonly virq: Virq;

  constructor(
    private readonly vdh: Vdh,
    private readonly options: VkbdOptions = {},
  ) {
    this.virq = vdh.openVirq(IRQ);
  }

  install(): void {
    const vdh = this.vdh;
    vdh.installIoHook(0x60, 1, {
      byteIn: () => this.readData(),
      byteOut: (_port, value) => this.writeData(value & 0xff),
    });
    vdh.installIoHook(0x64, 1, {
      byteIn: () => this.status(),
      byteOut: (_port, value) => this.writeCommand(value & 0xff),
    });
    vdh.installIoHook(0x92, 1, {
      byteIn: () => (vdh.a20 ? 0x02 : 0x00),
      byteOut: (_port, value) => {
        vdh.setA20((value & 0x02) !== 0);
        // Bit 0 pulses the reset line; it reads back 0 afterwards, so the next write of 1 resets again.
        if (value & 0x01) vdh.resetCpu();
      },
    });
    vdh.installBiosService(0x09, () => this.int09());
    vdh.installBiosService(0x16, () => this.int16());
    vdh.onUserHook('post', () => this.post());
    vdh.onUserHook('terminate', () => this.disarmDelay?.());
    // Accepted and stored; the extended (128-key) BIOS buffer it asks for is a later step: the BIOS buffer
    // is the standard one at 40:1Eh (or wherever 40:80h/40:82h point).
    vdh.registerProperty({
      type: 'int',
      name: 'IDLE_SENSITIVITY',
      live: true,
      help: 'How readily a program polling an empty keyboard is taken to be idle and put to sleep (percent).',
      default: 75,
      min: 1,
      max: 100,
    });
    vdh.registerProperty({
      type: 'bool',
      name: 'KBD_BUFFER_EXTEND',
      help: 'Extend the BIOS keyboard buffer to 128 keystrokes.',
      default: true,
    });
    vdh.registerProperty({
      type: 'bool',
      name: 'KBD_RATE_LOCK',
      live: true,
      help: 'Keep DOS programs from changing the keyboard repeat rate.',
      default: false,
    });
    vdh.registerName('VKBD', (command, input) => this.request(command, input));
  }

  // ---- named requests

  request(command: number, input: unknown): unknown {
    switch (command) {
      case Command.ScanCodes: {
        if (!Array.isArray(input) || !input.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xff))
          throw new Error('VKBD: scan codes must be an array of bytes (0..255)');
        this.queueKeys(input as number[]);
        return undefined;
      }
      case Command.Type: {
        if (typeof input !== 'string') throw new Error('VKBD: the text to type must be a string');
        this.queueKeys(scanCodesForText(input, (this.vdh.readByte(KB_FLAG) & CAPS_STATE) !== 0));
        return undefined;
      }
      case Command.Query:
        return {
          queued: this.keys.length + this.keyboardReplies.length + this.controllerReplies.length,
          biosBuffered: this.biosBuffered(),
          waitingForKey: this.waitingForKey,
          shift: this.vdh.readByte(KB_FLAG),
        } satisfies VkbdStatus;
      default:
        return PASS;
    }
  }

  /** Queue host scan codes, all or none. */
  queueKeys(codes: readonly number[]): void {
    if (this.keys.length + codes.length > QUEUE_MAX) throw new Error('VKBD: keyboard queue full');
    for (const c of codes) this.keys.push(c);
    this.pump();
  }

  // ---- the 8042's output buffer and IRQ 1

  /** Load the next byte if the output buffer is empty and no inter-byte delay is running. */
  private pump(): void {
    if (this.obf || this.delaying) return;
    let byte: number | undefined;
    if (this.controllerReplies.length > 0) byte = this.controllerReplies.shift();
    else if (this.keyboardReplies.length > 0) byte = this.keyboardReplies.shift();
    else if (this.keys.length > 0 && this.scanning && !(this.commandByte & CB_KBD_DISABLED)) byte = this.keys.shift();
    if (byte === undefined) return;
    this.outputBuffer = byte;
    this.obf = true;
    this.syncIrq();
  }

  /** IRQ 1 is the output buffer full signal gated by command byte bit 0. */
  private syncIrq(): void {
    const high = this.obf && (this.commandByte & CB_IRQ1) !== 0;
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) this.virq.set();
    else this.virq.clear();
  }

  private readData(): number {
    const value = this.outputBuffer;
    if (this.obf) {
      this.obf = false;
      this.syncIrq();
      this.startDelay();
    }
    return value;
  }

  /** The next byte comes NEXT_BYTE_SECONDS after the guest took this one (see the file comment). */
  private startDelay(): void {
    this.disarmDelay?.();
    this.delaying = true;
    this.disarmDelay = this.vdh.armTimer(Math.max(1, Math.round(this.vdh.ticksPerSecond * NEXT_BYTE_SECONDS)), () => {
      this.disarmDelay = undefined;
      this.delaying = false;
      this.pump();
    });
  }

  private status(): number {
    return (
      (this.obf ? ST_OBF : 0) | (this.systemFlag ? ST_SYSTEM : 0) | (this.lastWasCommand ? ST_COMMAND : 0) | ST_NOT_INHIBITED
    );
  }

  /** A controller reply goes straight to an empty output buffer, else ahead of everything queued. */
  private controllerReply(byte: number): void {
    if (!this.obf) {
      this.outputBuffer = byte;
      this.obf = true;
      this.syncIrq();
    } else this.controllerReplies.push(byte);
  }

  private setCommandByte(value: number): void {
    this.commandByte = value;
    this.systemFlag = (value & CB_SYSTEM) !== 0;
    this.auxDisabled = (value & CB_AUX_DISABLED) !== 0;
    this.syncIrq();
    this.pump();
  }

  /** The output port as D0h reads it: reset line high, A20, OBF (IRQ 1), keyboard clock and data high. */
  private outputPort(): number {
    return 0x01 | (this.vdh.a20 ? 0x02 : 0) | (this.obf ? 0x10 : 0) | 0xc0;
  }

  private writeCommand(cmd: number): void {
    this.lastWasCommand = true;
    this.pendingController = 0;
    if (cmd >= 0x20 && cmd <= 0x3f) {
      // Read controller RAM: byte 0 is the command byte.
      this.controllerReply(cmd === 0x20 ? this.commandByte : 0x00);
      return;
    }
    if (cmd >= 0x60 && cmd <= 0x7f) {
      if (cmd === 0x60) this.pendingController = cmd;
      return;
    }
    if (cmd >= 0xf0) {
      // Pulse output port bits 0-3 low where the command's bits are clear: bit 0 is the CPU's reset line.
      if (!(cmd & 0x01)) this.vdh.resetCpu();
      return;
    }
    switch (cmd) {
      case 0xaa: // self test
        this.systemFlag = true;
        this.controllerReply(0x55);
        break;
      case 0xab: // keyboard interface test
        this.controllerReply(0x00);
        break;
      case 0xad:
        this.commandByte |= CB_KBD_DISABLED;
        break;
      case 0xae:
        this.commandByte &= ~CB_KBD_DISABLED;
        this.pump();
        break;
      case 0xa7:
        this.commandByte |= CB_AUX_DISABLED;
        this.auxDisabled = true;
        break;
      case 0xa8:
        this.commandByte &= ~CB_AUX_DISABLED;
        this.auxDisabled = false;
        break;
      case 0xc0: // input port: keyboard not inhibited, colour display, no manufacturing jumper
        this.controllerReply(0xb0);
        break;
      case 0xd0:
        this.controllerReply(this.outputPort());
        break;
      case 0xe0: // test inputs: keyboard clock and data low
        this.controllerReply(0x00);
        break;
      case 0xd1:
      case 0xd2:
      case 0xd3:
      case 0xd4:
        this.pendingController = cmd;
        break;
      default:
        break; // unknown commands are ignored, as the 8042 does
    }
  }

  private writeData(value: number): void {
    this.lastWasCommand = false;
    const pending = this.pendingController;
    this.pendingController = 0;
    switch (pending) {
      case 0x60:
        this.setCommandByte(value);
        return;
      case 0xd1:
        this.vdh.setA20((value & 0x02) !== 0);
        if (!(value & 0x01)) this.vdh.resetCpu();
        return;
      case 0xd2: // write the keyboard output buffer: as if the keyboard had sent it
        this.controllerReply(value);
        return;
      case 0xd3: // the aux output buffer, and bytes for the aux device: there is none
      case 0xd4:
        return;
      default:
        this.keyboardCommand(value);
    }
  }

  // ---- the keyboard

  private reply(...bytes: number[]): void {
    for (const b of bytes) this.keyboardReplies.push(b);
    this.lastSent = bytes[bytes.length - 1];
    this.pump();
  }

  private setLeds(leds: number): void {
    leds &= 7;
    if (leds === this.leds) return;
    this.leds = leds;
    this.vdh.post('kbd-leds', { scroll: (leds & 1) !== 0, num: (leds & 2) !== 0, caps: (leds & 4) !== 0 });
  }

  private defaults(): void {
    this.typematic = 0x2b;
    this.scanSet = 1;
  }

  private keyboardCommand(value: number): void {
    const pending = this.pendingKeyboard;
    if (pending && value < 0x80) {
      // The option byte of EDh, F3h or F0h (a byte with bit 7 set is a new command instead).
      this.pendingKeyboard = 0;
      if (pending === 0xed) this.setLeds(value);
      else if (pending === 0xf3) {
        if (!this.vdh.property('KBD_RATE_LOCK')) this.typematic = value;
      } else if (value === 0) {
        this.reply(0xfa, this.scanSet);
        return;
      } else if (value <= 3) this.scanSet = value;
      this.reply(0xfa);
      return;
    }
    this.pendingKeyboard = 0;
    switch (value) {
      case 0xff: // reset: acknowledge, then the basic assurance test passes
        this.scanning = true;
        this.defaults();
        this.setLeds(0);
        this.reply(0xfa, 0xaa);
        break;
      case 0xfe: // resend
        this.keyboardReplies.push(this.lastSent);
        this.pump();
        break;
      case 0xf6:
        this.defaults();
        this.reply(0xfa);
        break;
      case 0xf5:
        this.scanning = false;
        this.defaults();
        this.reply(0xfa);
        break;
      case 0xf4:
        this.scanning = true;
        this.reply(0xfa);
        break;
      case 0xf3:
      case 0xed:
      case 0xf0:
        this.pendingKeyboard = value;
        this.reply(0xfa);
        break;
      case 0xf2:
        this.reply(0xfa, 0xab, 0x83);
        break;
      case 0xee:
        this.reply(0xee);
        break;
      case 0xf7:
      case 0xf8:
      case 0xf9:
      case 0xfa:
      case 0xfb:
      case 0xfc:
      case 0xfd: // scan code set 3 key types: accepted, meaningless in set 1
        this.reply(0xfa);
        break;
      default:
        this.reply(0xfe);
    }
  }

  // ---- the BIOS data area: the keyboard buffer

  private bounds(): { start: number; end: number } {
    const start = this.vdh.readWord(BUFFER_START);
    const end = this.vdh.readWord(BUFFER_END);
    // A BDA nobody set up (no POST yet) gets the standard buffer rather than a write at random.
    if (start & 1 || end & 1 || end - start < 4 || end > 0x10000 - 0x400) return { start: DEFAULT_START, end: DEFAULT_END };
    return { start, end };
  }

  /** Append a key word to the BIOS buffer; false (and a beep) when it is full. */
  store(word: number): boolean {
    this.waitingForKey = false;
    const vdh = this.vdh;
    const { start, end } = this.bounds();
    const tail = vdh.readWord(BUFFER_TAIL);
    let next = tail + 2;
    if (next >= end) next = start;
    if (next === vdh.readWord(BUFFER_HEAD)) {
      vdh.post('kbd-beep', {});
      return false;
    }
    vdh.writeWord(0x400 + tail, word);
    vdh.writeWord(BUFFER_TAIL, next);
    return true;
  }

  private peekKey(): number | undefined {
    const head = this.vdh.readWord(BUFFER_HEAD);
    if (head === this.vdh.readWord(BUFFER_TAIL)) return undefined;
    return this.vdh.readWord(0x400 + head);
  }

  private takeKey(): number | undefined {
    const key = this.peekKey();
    if (key === undefined) return undefined;
    const { start, end } = this.bounds();
    let next = this.vdh.readWord(BUFFER_HEAD) + 2;
    if (next >= end) next = start;
    this.vdh.writeWord(BUFFER_HEAD, next);
    return key;
  }

  biosBuffered(): number {
    const { start, end } = this.bounds();
    const head = this.vdh.readWord(BUFFER_HEAD);
    const tail = this.vdh.readWord(BUFFER_TAIL);
    const bytes = tail >= head ? tail - head : end - start - (head - tail);
    return bytes >> 1;
  }

  private post(): void {
    const vdh = this.vdh;
    vdh.writeWord(BUFFER_HEAD, DEFAULT_START);
    vdh.writeWord(BUFFER_TAIL, DEFAULT_START);
    vdh.writeWord(BUFFER_START, DEFAULT_START);
    vdh.writeWord(BUFFER_END, DEFAULT_END);
    const num = this.options.numLock ?? true;
    vdh.writeByte(KB_FLAG, num ? NUM_STATE : 0);
    vdh.writeByte(KB_FLAG_1, 0);
    vdh.writeByte(ALT_INPUT, 0);
    vdh.writeByte(KB_FLAG_3, KBX);
    vdh.writeByte(KB_FLAG_2, num ? 0x02 : 0);
    vdh.writeByte(BIOS_BREAK, 0);
    // The controller forgets what was on its way.
    this.keys = [];
    this.keyboardReplies = [];
    this.controllerReplies = [];
    this.disarmDelay?.();
    this.disarmDelay = undefined;
    this.delaying = false;
    this.obf = false;
    this.pendingController = 0;
    this.pendingKeyboard = 0;
    this.scanning = true;
    this.syncIrq();
    this.setLeds(num ? 0x02 : 0);
  }

  // ---- INT 09h: the host half of the keyboard interrupt

  private int09(): void {
    this.processScanCode(this.vdh.getRegisters().eax & 0xff);
  }

  /** What the IBM AT BIOS's INT 09h does with one byte from the keyboard. */
  processScanCode(code: number): void {
    const vdh = this.vdh;
    const f3 = vdh.readByte(KB_FLAG_3);
    if (code === 0xe0 || code === 0xe1) {
      vdh.writeByte(KB_FLAG_3, (f3 & ~(LC_E0 | LC_E1)) | (code === 0xe0 ? LC_E0 : LC_E1));
      return;
    }
    if (code === 0x00 || code === 0xff) {
      vdh.post('kbd-beep', {}); // keyboard overrun
      return;
    }
    if (code > 0xd8) return; // acknowledgements, resend requests, echo, BAT: not keys
    const e0 = (f3 & LC_E0) !== 0;
    const e1 = (f3 & LC_E1) !== 0;
    const make = (code & 0x80) === 0;
    const key = code & 0x7f;
    if (e1) {
      // Pause is E1 1D 45 E1 9D C5: the 1D/9D keep the E1 state, 45 is the Pause key itself.
      if (key === 0x1d) return;
      vdh.writeByte(KB_FLAG_3, f3 & ~(LC_E0 | LC_E1));
      if (key === 0x45 && make) this.pause();
      return;
    }
    vdh.writeByte(KB_FLAG_3, f3 & ~(LC_E0 | LC_E1));
    this.key(key, make, e0);
  }

  private pause(): void {
    this.vdh.writeByte(KB_FLAG_1, this.vdh.readByte(KB_FLAG_1) | HOLD_STATE);
  }

  private updateLeds(flags: number): void {
    const leds = (flags >> 4) & 7; // scroll, num, caps: the same order as the LED bits
    this.vdh.writeByte(KB_FLAG_2, (this.vdh.readByte(KB_FLAG_2) & ~7) | leds);
    this.setLeds(leds);
  }

  private ctrlBreak(): void {
    const vdh = this.vdh;
    const { start } = this.bounds();
    vdh.writeWord(BUFFER_HEAD, start);
    vdh.writeWord(BUFFER_TAIL, start);
    vdh.writeByte(BIOS_BREAK, 0x80);
    vdh.pushInt(0x1b);
    this.store(0x0000);
  }

  private key(key: number, make: boolean, e0: boolean): void {
    const vdh = this.vdh;
    let f = vdh.readByte(KB_FLAG);
    let f1 = vdh.readByte(KB_FLAG_1);
    let f3 = vdh.readByte(KB_FLAG_3);

    // ---- shift keys
    if (key === 0x2a || key === 0x36) {
      if (e0) return; // the "fake shifts" a 101-key keyboard wraps around grey keys
      const bit = key === 0x2a ? LEFT_SHIFT : RIGHT_SHIFT;
      vdh.writeByte(KB_FLAG, make ? f | bit : f & ~bit);
      return;
    }
    if (key === 0x1d || key === 0x38) {
      const isCtrl = key === 0x1d;
      if (e0) f3 = make ? f3 | (isCtrl ? R_CTRL : R_ALT) : f3 & ~(isCtrl ? R_CTRL : R_ALT);
      else f1 = make ? f1 | (isCtrl ? L_CTRL : L_ALT) : f1 & ~(isCtrl ? L_CTRL : L_ALT);
      const ctrlHeld = (f1 & L_CTRL) !== 0 || (f3 & R_CTRL) !== 0;
      const altHeld = (f1 & L_ALT) !== 0 || (f3 & R_ALT) !== 0;
      f = (f & ~(CTRL | ALT)) | (ctrlHeld ? CTRL : 0) | (altHeld ? ALT : 0);
      vdh.writeByte(KB_FLAG, f);
      vdh.writeByte(KB_FLAG_1, f1);
      vdh.writeByte(KB_FLAG_3, f3);
      if (!isCtrl && !make && !altHeld) {
        // Alt released: a code entered on the keypad becomes a key (ASCII only, scan byte 0).
        const code = vdh.readByte(ALT_INPUT);
        vdh.writeByte(ALT_INPUT, 0);
        if (code !== 0) this.store(code);
      }
      return;
    }

    const ctrl = (f & CTRL) !== 0;
    const alt = (f & ALT) !== 0;
    const shift = (f & (LEFT_SHIFT | RIGHT_SHIFT)) !== 0;

    // ---- Pause holds until the next key: that key ends it and is dropped
    if (f1 & HOLD_STATE && make) {
      vdh.writeByte(KB_FLAG_1, f1 & ~HOLD_STATE);
      return;
    }

    // ---- toggle keys and the other keys that only change state
    const toggle = (held: number, state: number): void => {
      if (!make) {
        vdh.writeByte(KB_FLAG_1, f1 & ~held);
        return;
      }
      if (f1 & held) return; // typematic repeat: toggles once per press
      vdh.writeByte(KB_FLAG_1, f1 | held);
      f ^= state;
      vdh.writeByte(KB_FLAG, f);
      this.updateLeds(f);
    };
    switch (key) {
      case 0x46: // Scroll Lock; Ctrl+Scroll Lock and E0 46 (what a 101-key keyboard sends for Ctrl+Break) break
        if (ctrl) {
          if (make) this.ctrlBreak();
          return;
        }
        if (!e0) toggle(SCROLL_HELD, SCROLL_STATE);
        return;
      case 0x3a:
        toggle(CAPS_HELD, CAPS_STATE);
        return;
      case 0x45: // Num Lock; Ctrl+Num Lock is Pause on an 84-key keyboard
        if (ctrl && make) this.pause();
        else toggle(NUM_HELD, NUM_STATE);
        return;
      case 0x54: // SysReq (Alt+Print Screen): only its held bit
        if (!e0) vdh.writeByte(KB_FLAG_1, make ? f1 | SYS_HELD : f1 & ~SYS_HELD);
        return;
      case 0x52: {
        // Insert: the grey key, or keypad 0 while it is a cursor key (NumLock and Shift agree)
        const insert = e0 || (!alt && ((f & NUM_STATE) !== 0) === shift);
        if (!insert) break;
        if (!make) {
          vdh.writeByte(KB_FLAG_1, f1 & ~INS_HELD);
          return;
        }
        if (!alt) {
          if (f1 & INS_HELD) return;
          vdh.writeByte(KB_FLAG_1, f1 | INS_HELD);
          vdh.writeByte(KB_FLAG, f ^ INS_STATE);
        }
        break; // and the key itself is stored
      }
      default:
        break;
    }
    if (!make) return;

    if (key === 0x53 && ctrl && alt) {
      // Ctrl+Alt+Del: a warm boot
      vdh.writeWord(RESET_FLAG, 0x1234);
      vdh.resetCpu();
      return;
    }
    if (key === 0x37 && e0) {
      // Print Screen (Ctrl+Print Screen is the printer echo key)
      if (ctrl) this.store(0x7200);
      else vdh.pushInt(0x05);
      return;
    }
    if (alt && !e0) {
      const digit = KEYPAD_DIGIT.get(key);
      if (digit !== undefined) {
        vdh.writeByte(ALT_INPUT, (vdh.readByte(ALT_INPUT) * 10 + digit) & 0xff);
        return;
      }
    }

    let word: number;
    if (e0) {
      const entry = GREY.get(key);
      if (!entry) return; // other E0 keys (Windows keys, multimedia) are not the BIOS's
      word = alt ? entry[3] : ctrl ? entry[2] : shift ? entry[1] : entry[0];
    } else {
      const entry = KEYS[key];
      if (!entry) return;
      if (alt) word = entry[3];
      else if (ctrl) word = entry[2];
      else {
        let shifted = shift;
        if (isLetter(key) && f & CAPS_STATE) shifted = !shifted;
        if (isKeypadNumber(key) && f & NUM_STATE) shifted = !shifted;
        word = shifted ? entry[1] : entry[0];
      }
    }
    if (word === N) return;
    this.store(word);
  }

  // ---- INT 16h

  /** The guest's last read or poll found the buffer empty. */
  private waitingForKey = false;
  /** Empty polls (AH=01h/11h) in a row that came close together, and the tick of the last one. */
  private tightPolls = 0;
  private lastPollTick = -Infinity;
  /** This poll already slept once: answer it now. */
  private pollSlept = false;

  /**
   * Idle detection, as OS/2's VKBD and dosemu do it: DOS and most programs wait for a key by polling
   * INT 16h AH=01h in a loop, never by HLT. A poll that finds no key within POLL_GAP ticks of the previous
   * empty poll is part of such a loop; after enough of them in a row (IDLE_SENSITIVITY 75 %: 60) the poll
   * sleeps until the next interrupt — the timer's tick or the key itself — before it answers. A waiting
   * DOS prompt then costs almost no host CPU and still sees a key at once, while a program that checks the
   * keyboard between real work (DOS's Ctrl-C check after each character it prints) never trips it.
   */
  private pollShouldSleep(): boolean {
    if (this.pollSlept) {
      this.pollSlept = false;
      return false;
    }
    const now = this.vdh.now;
    this.tightPolls = now - this.lastPollTick <= POLL_GAP ? this.tightPolls + 1 : 0;
    this.lastPollTick = now;
    const sensitivity = this.vdh.property('IDLE_SENSITIVITY') as number;
    if (this.tightPolls < 10 + (100 - sensitivity) * 2) return false;
    this.tightPolls = 0;
    this.pollSlept = true;
    return true;
  }

  private int16(): void | 'wait' {
    const vdh = this.vdh;
    const r = vdh.getRegisters();
    const ah = (r.eax >> 8) & 0xff;
    const setAx = (ax: number): void => vdh.setRegisters({ eax: (r.eax & ~0xffff) | (ax & 0xffff) });
    switch (ah) {
      case 0x00:
      case 0x10:
        for (;;) {
          const key = this.takeKey();
          if (key === undefined) {
            this.waitingForKey = true;
            return 'wait'; // idle until the next keyboard interrupt
          }
          const k = ah === 0x00 ? toStandard(key) : toExtended(key);
          if (k !== undefined) {
            setAx(k);
            return;
          }
        }
      case 0x01:
      case 0x11:
        for (;;) {
          const key = this.peekKey();
          if (key === undefined) {
            this.waitingForKey = true;
            if (this.pollShouldSleep()) return 'wait';
            vdh.setRegisters({ eflags: r.eflags | ZF });
            return;
          }
          this.pollSlept = false;
          const k = ah === 0x01 ? toStandard(key) : toExtended(key);
          if (k === undefined) {
            this.takeKey(); // a key the old functions never see is dropped, as the IBM BIOS does
            continue;
          }
          vdh.setRegisters({ eax: (r.eax & ~0xffff) | k, eflags: r.eflags & ~ZF });
          return;
        }
      case 0x02:
        setAx((r.eax & 0xff00) | vdh.readByte(KB_FLAG));
        return;
      case 0x12: {
        const f1 = vdh.readByte(KB_FLAG_1);
        const f3 = vdh.readByte(KB_FLAG_3);
        const high =
          (f1 & (L_CTRL | L_ALT)) | (f3 & (R_CTRL | R_ALT)) | (f1 & (SCROLL_HELD | NUM_HELD | CAPS_HELD)) | (f1 & SYS_HELD ? 0x80 : 0);
        setAx((high << 8) | vdh.readByte(KB_FLAG));
        return;
      }
      case 0x03: {
        const al = r.eax & 0xff;
        if (al === 0x06) {
          // Get the typematic rate: BH delay, BL rate.
          vdh.setRegisters({ ebx: (r.ebx & ~0xffff) | (((this.typematic >> 5) & 3) << 8) | (this.typematic & 0x1f) });
        } else if (al === 0x05 && !vdh.property('KBD_RATE_LOCK')) {
          this.typematic = (((r.ebx >> 8) & 3) << 5) | (r.ebx & 0x1f);
        } else if (al === 0x00 && !vdh.property('KBD_RATE_LOCK')) this.typematic = 0x2b;
        return;
      }
      case 0x05: {
        const ok = this.store(r.ecx & 0xffff);
        setAx((r.eax & 0xff00) | (ok ? 0 : 1));
        return;
      }
      case 0x09: // functionality: 0300h, 0304h, 0305h, 0306h, 0Ah, 10h-12h
        setAx((r.eax & 0xff00) | 0x3f);
        return;
      case 0x0a:
        vdh.setRegisters({ ebx: (r.ebx & ~0xffff) | 0xab83 });
        return;
      default:
        return;
    }
  }
}

/** A VKBD module with the given options. */
export function createVkbd(options: VkbdOptions = {}): VddModule {
  return {
    name: 'VKBD',
    init(vdh: Vdh): void {
      new Vkbd(vdh, options).install();
    },
  };
}

export default createVkbd();
