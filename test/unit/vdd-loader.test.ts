/** Loading VDD plugins from folders: good ones load, broken ones are reported and skipped. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVddFolders } from '../../main/vmm/vdd-loader.js';

function plugin(dir: string, name: string, source: string): void {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, `${name}.js`), source);
}

describe('VDD plugin folders', () => {
  it('loads good plugins and reports, without throwing, those that are broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mvm-vdd-'));
    plugin(dir, 'vgood', "export default { name: 'VGOOD', init(vdh) { vdh.log('hello'); } };");
    plugin(dir, 'vthrows', "throw new Error('boom at load');");
    plugin(dir, 'vshape', "export default { name: 'lowercase', init: 5 };");
    plugin(dir, 'vsyntax', 'export default {');
    mkdirSync(join(dir, 'vsourceonly'));
    const { modules, errors } = await loadVddFolders([dir, join(dir, 'does-not-exist')]);
    expect(modules.map((m) => m.name)).toEqual(['VGOOD']);
    expect(errors).toHaveLength(3);
    expect(errors.find((e) => e.includes('vthrows'))).toMatch(/boom at load/);
    expect(errors.find((e) => e.includes('vshape'))).toMatch(/default export is not/);
    expect(errors.find((e) => e.includes('vsyntax'))).toBeDefined();
  });
});
