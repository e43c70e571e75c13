// scripts/check-layers.mjs run as `npm run lint` runs it, on fixture trees written to a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));
const roots: string[] = [];

/** Writes a fixture tree ({ 'main/ist/cpu.ts': '...' }) and runs the checker on it. */
function check(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'mvm-layers-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, errors: r.stderr.split('\n').filter((l) => /^\S+:\d+: /.test(l)) };
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-layers', () => {
  it('passes a tree where every layer imports only itself and what is below it', () => {
    const r = check({
      'main/ist/cpu.ts': "import { add } from './alu.js';\nimport type { CpuBus } from './ist.js';\n",
      'main/ist/alu.ts': 'export const add = 1;\n',
      'main/ist/ist.ts': 'export interface CpuBus {}\n',
      'main/vmm/machine.ts': "import type { CpuBus } from '../ist/ist.js';\nimport { vdh } from './vdh.js';\n",
      'main/vmm/vdh.ts': 'export const vdh = 1;\n',
      'vdd/vpic/pic.ts': "import type { Vdh } from '../../main/vmm/vdh.js';\nimport { state } from './state.js';\n",
      'renderer/main.ts': "import { LitElement } from 'lit';\nimport type { MvmApi } from '../preload/api.js';\n",
      'preload/preload.cts': "import electron = require('electron');\nimport type { MvmApi } from './api.js';\n",
      'main/app/main.ts': "import { app } from 'electron';\nimport { api } from '../web/info.js';\n",
    });
    expect(r.errors).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('no upward imports');
  });

  it('reports each upward import as file:line and exits 1', () => {
    const r = check({
      'main/ist/cpu.ts': "// import '../vmm/x.js' in a comment is fine\nconst s = \"from '../app/y.js'\";\nimport { Machine } from '../vmm/machine.js';\n",
      'main/vmm/machine.ts': "import { info } from '../web/info.js';\n",
      'vdd/vpic/pic.ts': "import {\n  Machine,\n} from '../../main/vmm/machine.js';\nimport { kbd } from '../vkbd/kbd.js';\n",
      'renderer/main.ts': "const m = await import('../main/web/info.js');\nimport { ipcRenderer } from 'electron';\n",
      'preload/preload.cts': "import fs = require('node:fs');\n",
    });
    expect(r.status).toBe(1);
    expect(r.errors).toEqual([
      expect.stringMatching(/^main\/ist\/cpu\.ts:3: main\/ist may not import main\/vmm\/machine/),
      expect.stringMatching(/^main\/vmm\/machine\.ts:1: main\/vmm may not import main\/web\/info/),
      expect.stringMatching(/^preload\/preload\.cts:1: preload may not import the package "node:fs"/),
      expect.stringMatching(/^renderer\/main\.ts:1: renderer may not import main\/web\/info/),
      expect.stringMatching(/^renderer\/main\.ts:2: renderer may not import the package "electron"/),
      expect.stringMatching(/^vdd\/vpic\/pic\.ts:3: vdd\/vpic may not import main\/vmm\/machine/),
      expect.stringMatching(/^vdd\/vpic\/pic\.ts:4: vdd\/vpic may not import vdd\/vkbd\/kbd/),
    ]);
  });

  it('keeps the CPU free of packages and VDDs off node builtins', () => {
    const r = check({
      'main/ist/cpu.ts': "import { readFileSync } from 'node:fs';\n",
      'vdd/vdsk/disk.ts': "export { open } from 'node:fs/promises';\n",
    });
    expect(r.status).toBe(1);
    expect(r.errors).toHaveLength(2);
  });
});
