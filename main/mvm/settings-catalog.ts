/**
 * The DOS settings catalogue: every setting the standard VDDs and the DOS kernel register (OS/2's DOS
 * settings), for the settings notebook and for checking a program object's settings before it is saved.
 *
 * The definitions live in the VDDs' code, so the catalogue loads them the way a VM does — the VDD folders
 * and the DOS kernel — into a PC built here once (no process, nothing run), and keeps their definitions
 * with their validators. A value is checked by the definition's own rules, as the VM will check it.
 */
import { tmpdir } from 'node:os';
import type { SettingDef, SettingValue } from '../../preload/api.js';
import { createDosKernel } from '../doskrnl/kernel.js';
import { CpuModel } from '../ist/ist.js';
import { createPc } from '../vmm/pc.js';
import { checkProperty } from '../vmm/vdd-host.js';
import type { PropertyDef } from '../vmm/vdh.js';
import { loadVddFolders, STANDARD_VDD_DIR } from '../vmm/vdd-loader.js';


export class SettingsCatalog {
  private defs: Promise<Map<string, { def: PropertyDef; owner: string }>> | undefined;

  private load(): Promise<Map<string, { def: PropertyDef; owner: string }>> {
    return (this.defs ??= (async () => {
      const loaded = await loadVddFolders([STANDARD_VDD_DIR]);
      const pc = createPc({ model: CpuModel.i80386, ramSize: 0x110000 }, [...loaded.modules, createDosKernel({ drives: [{ letter: 'C', hostPath: tmpdir(), readOnly: true }], program: 'C:\\COMMAND.COM' })]);
      return new Map(pc.host.propertyDefs().map((p) => [p.def.name, p]));
    })());
  }

  /** The definitions, by name, as plain data. */
  async list(): Promise<SettingDef[]> {
    const defs = await this.load();
    return [...defs.values()]
      .map(({ def, owner }): SettingDef => {
        const common = { name: def.name, help: def.help, owner, changeableWhileRunning: def.live === true };
        switch (def.type) {
          case 'bool':
            return { ...common, type: 'bool', default: def.default };
          case 'int':
            return { ...common, type: 'int', default: def.default, min: def.min, max: def.max, ...(def.step ? { step: def.step } : {}) };
          case 'enum':
            return { ...common, type: 'enum', default: def.default, values: [...def.values] };
          case 'string':
            return { ...common, type: 'string', default: def.default };
          case 'mlstr':
            return { ...common, type: 'mlstr', default: def.default };
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Check settings as the VM will: each by its definition. Names no VDD registers are kept as they are
   * (settings of VDDs still to come, an imported DOSBox memory size); returns the first problem as an Error.
   * What is not a settings object at all is left to the library to refuse.
   */
  async check(settings: unknown): Promise<void> {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return;
    const defs = await this.load();
    for (const [name, value] of Object.entries(settings)) {
      const d = defs.get(name);
      if (d) checkProperty(d.def, value as SettingValue);
    }
  }
}
