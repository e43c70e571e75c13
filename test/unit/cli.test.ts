// The `mvm` command's behaviour, called in-process through main/cli/cli.ts (bin/mvm.js only launches it).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/cli.js';
import { tempDir, writeImage } from '../support/pc.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

function capture() {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  return {
    out: () => out.mock.calls.map((c) => c.join(' ')).join('\n'),
    err: () => err.mock.calls.map((c) => c.join(' ')).join('\n'),
  };
}

afterEach(() => vi.restoreAllMocks());

describe('mvm', () => {
  it('--version prints the package version', async () => {
    const io = capture();
    expect(await main(['--version'])).toBe(0);
    expect(io.out()).toBe(pkg.version);
  });

  it('help lists the commands and the CPU models', async () => {
    const io = capture();
    expect(await main(['help'])).toBe(0);
    expect(io.out()).toContain('mvm --version');
    expect(io.out()).toContain('8086, 80186, 80286, 80386');
  });

  it('gives the usage of run when the program is missing, with a non-zero exit', async () => {
    const io = capture();
    expect(await main(['run'])).toBe(2);
    expect(io.err()).toContain('usage: mvm run');
  });

  it('rejects an unknown command', async () => {
    const io = capture();
    expect(await main(['frobnicate'])).toBe(2);
    expect(io.err()).toContain('unknown command "frobnicate"');
  });

  it('serve rejects a bad port before starting anything', async () => {
    const io = capture();
    expect(await main(['serve', '--port', 'http'])).toBe(2);
    expect(io.err()).toContain('expected --port N');
  });
});

describe('mvm boot and mvm request (real VM processes)', { timeout: 60_000 }, () => {
  const BIOSTEST = readFileSync(new URL('../guests/boot/biostest.bin', import.meta.url));

  it('boots a floppy headless, types keys when the guest waits, and prints the screen', async () => {
    const t = tempDir();
    try {
      const img = writeImage(t.dir, 'a.img', 1474560, { 0: BIOSTEST });
      const io = capture();
      expect(await main(['boot', '--floppy', img, '--keys', 'abc\\r', '--until', 'DONE', '--timeout', '30', '--screen'])).toBe(0);
      expect(io.out()).toContain('KEYS abc');
      expect(io.out()).toContain('DONE');
    } finally {
      t.remove();
    }
  });

  it('exits 1 and prints the screen when the text never appears', async () => {
    const io = capture();
    expect(await main(['boot', '--until', 'NEVER', '--timeout', '1'])).toBe(1);
    expect(io.out()).toContain('No bootable disk');
    expect(io.err()).toContain('"NEVER" did not appear within 1 s');
  });

  it('refuses bad options with a clear message', async () => {
    const io = capture();
    expect(await main(['boot', '--timeout', 'soon'])).toBe(2);
    expect(await main(['boot', '--model', '68000'])).toBe(2);
    expect(await main(['boot', '--floppy', '/nonexistent.img'])).toBe(2);
    expect(io.err()).toContain('--timeout wants seconds');
    expect(io.err()).toContain('--model is one of');
    expect(io.err()).toContain('nonexistent.img');
  });

  it('refuses a foreign BIOS image that cannot run before a VM starts, naming the file', async () => {
    const t = tempDir();
    try {
      const bios = writeImage(t.dir, 'bios.bin', 0x10000, {});
      const io = capture();
      expect(await main(['boot', '--bios', '/nonexistent-bios.bin'])).toBe(2);
      expect(await main(['boot', '--vga-bios', bios])).toBe(2);
      expect(await main(['boot', '--bios', bios])).toBe(2);
      expect(await main(['request', '--bios', t.dir, 'VCMOS', '3'])).toBe(2);
      expect(io.err()).toContain('BIOS image /nonexistent-bios.bin: cannot read it (no such file)');
      expect(io.err()).toContain('--vga-bios needs --bios');
      expect(io.err()).toContain(`BIOS image ${bios} has no jump at its reset vector`);
      expect(io.err()).toContain('cannot read it (it is a folder)');
    } finally {
      t.remove();
    }
  });

  it('request sends one DosRequestVDD to a VDD in a fresh VM and prints the answer', async () => {
    const io = capture();
    expect(await main(['request', 'VCMOS', '3'])).toBe(0);
    const clock = JSON.parse(io.out()) as { year: number; month: number; hour: number };
    expect(clock.month).toBeGreaterThanOrEqual(1);
    expect(await main(['request', 'VDSK', '1'])).toBe(0);
    expect(io.out()).toContain('"floppies": 0');
    expect(await main(['request', 'NOPE', '1'])).toBe(2);
    expect(io.err()).toContain('has no VDD named NOPE');
  });
});
