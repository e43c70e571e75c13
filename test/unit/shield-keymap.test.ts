/**
 * The session shield's keyboard: host keys (KeyboardEvent.code) become the set-1 scan codes a PC/XT
 * keyboard sends — make on press and auto-repeat, make|80h on release, E0 before the 101-key extras, and the
 * odd ones out (Pause, PrintScreen) as the real keyboard sends them.
 */
import { describe, expect, it } from 'vitest';
import { scanCodes } from '../../renderer/session/keymap.js';

describe('shield keymap', () => {
  it('sends letters by position, make on press and make|80h on release', () => {
    expect(scanCodes('KeyA', true)).toEqual([0x1e]);
    expect(scanCodes('KeyA', false)).toEqual([0x9e]);
    expect(scanCodes('KeyQ', true)).toEqual([0x10]);
    expect(scanCodes('KeyZ', true)).toEqual([0x2c]);
    expect(scanCodes('KeyM', false)).toEqual([0xb2]);
  });

  it('covers every letter and digit with distinct codes', () => {
    const codes = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((l) => scanCodes(`Key${l}`, true));
    const digits = [...'0123456789'].map((d) => scanCodes(`Digit${d}`, true));
    for (const c of [...codes, ...digits]) expect(c).toHaveLength(1);
    expect(new Set([...codes, ...digits].map((c) => c[0])).size).toBe(36);
    expect(scanCodes('Digit1', true)).toEqual([0x02]);
    expect(scanCodes('Digit0', true)).toEqual([0x0b]);
  });

  it('sends the main block, punctuation and locks', () => {
    expect(scanCodes('Escape', true)).toEqual([0x01]);
    expect(scanCodes('Enter', true)).toEqual([0x1c]);
    expect(scanCodes('Backspace', true)).toEqual([0x0e]);
    expect(scanCodes('Tab', true)).toEqual([0x0f]);
    expect(scanCodes('Space', false)).toEqual([0xb9]);
    expect(scanCodes('Backquote', true)).toEqual([0x29]);
    expect(scanCodes('Backslash', true)).toEqual([0x2b]);
    expect(scanCodes('Slash', true)).toEqual([0x35]);
    expect(scanCodes('ShiftLeft', true)).toEqual([0x2a]);
    expect(scanCodes('ShiftRight', true)).toEqual([0x36]);
    expect(scanCodes('ControlLeft', true)).toEqual([0x1d]);
    expect(scanCodes('AltLeft', true)).toEqual([0x38]);
    expect(scanCodes('CapsLock', true)).toEqual([0x3a]);
    expect(scanCodes('NumLock', true)).toEqual([0x45]);
    expect(scanCodes('ScrollLock', true)).toEqual([0x46]);
    expect(scanCodes('IntlBackslash', true)).toEqual([0x56]);
  });

  it('sends F1-F10 as 3Bh-44h and F11, F12 as 57h, 58h', () => {
    for (let n = 1; n <= 10; n++) expect(scanCodes(`F${n}`, true)).toEqual([0x3a + n]);
    expect(scanCodes('F11', true)).toEqual([0x57]);
    expect(scanCodes('F12', false)).toEqual([0xd8]);
  });

  it('sends the numeric keypad without a prefix, except Enter and Divide', () => {
    expect(scanCodes('Numpad7', true)).toEqual([0x47]);
    expect(scanCodes('Numpad0', true)).toEqual([0x52]);
    expect(scanCodes('NumpadDecimal', true)).toEqual([0x53]);
    expect(scanCodes('NumpadMultiply', true)).toEqual([0x37]);
    expect(scanCodes('NumpadSubtract', true)).toEqual([0x4a]);
    expect(scanCodes('NumpadAdd', true)).toEqual([0x4e]);
    expect(scanCodes('NumpadEnter', true)).toEqual([0xe0, 0x1c]);
    expect(scanCodes('NumpadDivide', false)).toEqual([0xe0, 0xb5]);
  });

  it('prefixes the extended keys with E0 on make and break', () => {
    expect(scanCodes('ArrowUp', true)).toEqual([0xe0, 0x48]);
    expect(scanCodes('ArrowUp', false)).toEqual([0xe0, 0xc8]);
    expect(scanCodes('ArrowLeft', true)).toEqual([0xe0, 0x4b]);
    expect(scanCodes('ArrowRight', true)).toEqual([0xe0, 0x4d]);
    expect(scanCodes('ArrowDown', true)).toEqual([0xe0, 0x50]);
    expect(scanCodes('Insert', true)).toEqual([0xe0, 0x52]);
    expect(scanCodes('Delete', false)).toEqual([0xe0, 0xd3]);
    expect(scanCodes('Home', true)).toEqual([0xe0, 0x47]);
    expect(scanCodes('End', true)).toEqual([0xe0, 0x4f]);
    expect(scanCodes('PageUp', true)).toEqual([0xe0, 0x49]);
    expect(scanCodes('PageDown', true)).toEqual([0xe0, 0x51]);
    expect(scanCodes('ControlRight', true)).toEqual([0xe0, 0x1d]);
    expect(scanCodes('AltRight', false)).toEqual([0xe0, 0xb8]);
    expect(scanCodes('MetaLeft', true)).toEqual([0xe0, 0x5b]);
    expect(scanCodes('MetaRight', true)).toEqual([0xe0, 0x5c]);
    expect(scanCodes('ContextMenu', true)).toEqual([0xe0, 0x5d]);
  });

  it('sends Pause as E1 1D 45 E1 9D C5 on press and nothing on release', () => {
    expect(scanCodes('Pause', true)).toEqual([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
    expect(scanCodes('Pause', false)).toEqual([]);
  });

  it('sends Ctrl+Pause as Break (E0 46 E0 C6)', () => {
    expect(scanCodes('Pause', true, { ctrl: true })).toEqual([0xe0, 0x46, 0xe0, 0xc6]);
    expect(scanCodes('Pause', false, { ctrl: true })).toEqual([]);
  });

  it('sends PrintScreen as E0 2A E0 37 and releases it with E0 B7 E0 AA', () => {
    expect(scanCodes('PrintScreen', true)).toEqual([0xe0, 0x2a, 0xe0, 0x37]);
    expect(scanCodes('PrintScreen', false)).toEqual([0xe0, 0xb7, 0xe0, 0xaa]);
  });

  it('sends Alt+PrintScreen as SysRq (54h)', () => {
    expect(scanCodes('PrintScreen', true, { alt: true })).toEqual([0x54]);
    expect(scanCodes('PrintScreen', false, { alt: true })).toEqual([0xd4]);
  });

  it('sends nothing for keys a PC keyboard does not have', () => {
    expect(scanCodes('', true)).toEqual([]);
    expect(scanCodes('F13', true)).toEqual([]);
    expect(scanCodes('MediaPlayPause', true)).toEqual([]);
    expect(scanCodes('Unidentified', false)).toEqual([]);
    expect(scanCodes('toString', true)).toEqual([]);
    expect(scanCodes('__proto__', true)).toEqual([]);
  });
});
