/**
 * Finds and loads VDD plugins: the standard ones under vdd/ and a user's plugin folder, each a folder
 * `<name>/` holding `<name>.js` whose default export is a `VddModule`. A plugin that is missing, throws
 * while loading or has the wrong shape is reported with its path and skipped; it never takes the VM down.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { VddModule } from './vdh.js';

/**
 * The built standard VDD folder: vdd/ beside the compiled main/ (out/vdd), or out/vdd when this module runs
 * from the sources (tests), since VDDs load as .js.
 */
export const STANDARD_VDD_DIR =
  [new URL('../../vdd/', import.meta.url), new URL('../../out/vdd/', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((d) => existsSync(join(d, 'vvga', 'vvga.js'))) ?? fileURLToPath(new URL('../../vdd/', import.meta.url));

export interface LoadedVdds {
  modules: VddModule[];
  /** One line per plugin that could not be loaded. */
  errors: string[];
}

/** A VDD module's shape, checked before anything calls it. */
export function isVddModule(m: unknown): m is VddModule {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as VddModule).name === 'string' &&
    /^[A-Z][A-Z0-9_$]{0,15}$/.test((m as VddModule).name) &&
    typeof (m as VddModule).init === 'function'
  );
}

/** Load every plugin folder under each directory, in directory order, folders sorted by name. */
export async function loadVddFolders(dirs: readonly string[]): Promise<LoadedVdds> {
  const modules: VddModule[] = [];
  const errors: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      const folder = join(dir, name);
      if (!statSync(folder).isDirectory()) continue;
      const file = resolve(folder, `${name}.js`);
      if (!existsSync(file)) continue; // a folder without a built module (sources only, docs)
      try {
        const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
        if (!isVddModule(mod.default)) throw new Error('its default export is not { name: "UPPERCASE", init(vdh) }');
        modules.push(mod.default);
      } catch (e) {
        errors.push(`${file}: ${(e as Error).message}`);
      }
    }
  }
  return { modules, errors };
}
