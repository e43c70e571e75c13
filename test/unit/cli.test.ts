// The `mvm` command's behaviour, called in-process through main/cli/cli.ts (bin/mvm.js only launches it).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/cli.js';

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

  it('says a planned command is not available yet, with a non-zero exit', async () => {
    const io = capture();
    expect(await main(['run', 'HELLO.EXE'])).toBe(2);
    expect(io.err()).toContain('mvm run: not available yet');
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
