/**
 * The implementation of the preload contract (preload/api.ts) that both transports serve: main/web over
 * WebSocket and main/app over Electron IPC. It is plain Node — no Electron, no HTTP — so either can call it.
 * When the MVM server (main/mvm) exists, the methods move to it and this file shrinks to re-exports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MvmApi, MvmInfo } from '../../preload/api.js';

/** The CPU models a VM can be given. One constant for now; it will come from main/ist. */
export const CPU_MODELS: readonly string[] = Object.freeze(['8086', '80186', '80286', '80386']);

const PACKAGE_NAME = 'mvm-desktop';

let root: string | undefined;

/**
 * The project (or packaged app) folder: the nearest ancestor holding our package.json. Searched rather than
 * fixed because this module runs from main/web (vitest), out/main/web (node) and app.asar/out/main/web
 * (a packaged Electron app).
 */
export function packageRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && readPackage(candidate).name === PACKAGE_NAME) return (root = dir);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

function readPackage(file: string): { name?: unknown; version?: unknown } {
  return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
}

/** The application version, from package.json. */
export function version(): string {
  const v = readPackage(join(packageRoot(), 'package.json')).version;
  if (typeof v !== 'string') throw new Error('package.json has no version');
  return v;
}

/** What the application reports about itself (the `info` method of the contract). */
export const api: Pick<MvmApi, 'info'> = {
  async info(): Promise<MvmInfo> {
    return { version: version(), cpuModels: [...CPU_MODELS] };
  },
};
