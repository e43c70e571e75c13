#!/usr/bin/env node
// Enforces "layers never import upward" (docs: ARCHITECTURE.md, STYLE.md). Every import, export-from,
// dynamic import() and require() in the project's source folders is resolved and checked against RULES;
// each violation is reported as file:line and the exit code is 1 if there was any.
//
// Usage: node scripts/check-layers.mjs [root]   (root defaults to the project folder)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// THE RULE TABLE — the one place the layering is written down.
//   from:     the folder a rule governs (the most specific matching rule wins). A trailing "/*" makes each
//             subfolder its own layer, so "vdd/*" gives vdd/vpic and vdd/vkbd separate layers.
//   may:      what files there may import, as project paths: a folder or file ("main/ist" = that folder),
//             or a prefix ending in "*" ("main/vmm/vdh*" = vdh.ts, vdh-types.ts, vdh/...).
//             "$self" is the importing file's own layer.
//   packages: if present, the only npm packages / node builtins allowed (a name, or a prefix ending in "*").
// Folders with no rule (main/mvm, main/app, main/web, main/cli, test, ...) are not restricted yet.
export const RULES = [
  // The CPU knows nothing above it and runs in any host (Node, a worker, a browser): no packages either.
  { from: 'main/ist', may: ['$self'], packages: [] },
  // The monitor knows the CPU, its own VDH API and the firmware images it loads into a VM.
  { from: 'main/vmm', may: ['$self', 'main/ist', 'main/vman', 'firmware'] },
  // The DOS kernel's host half: the VDH API, its guest stubs, node builtins (host folders are its drives).
  { from: 'main/doskrnl', may: ['$self', 'main/vmm/vdh*', 'firmware'] },
  // A VM process is the composition root of one VM: the monitor, the VDDs it loads, the DOS kernel.
  { from: 'main/vmm/vm-display.ts', may: ['main/vmm', 'main/vman', 'main/web/websocket.ts'] },
  { from: 'main/vmm/vm-process.ts', may: ['main/vmm', 'main/ist', 'main/vman', 'firmware', 'main/doskrnl', 'main/web/websocket.ts'] },
  // The video manager: plain data structures engines and shields share; nothing above it, no packages.
  { from: 'main/vman', may: ['$self'], packages: [] },
  // Firmware builds guest-side code (the BIOS ROM, DOSKRNL stubs) from its own sources: a leaf.
  { from: 'firmware', may: ['$self'], packages: [] },
  // A VDD knows only the VDH API; VDDs talk to each other through named requests, never imports.
  { from: 'vdd/*', may: ['$self', 'main/vmm/vdh*'], packages: [] },
  // Browser code: only the renderer itself and the preload contract (types); no Node, no Electron.
  { from: 'renderer', may: ['$self', 'preload/api.ts', 'main/vman'], packages: ['lit', 'lit/*', '@lit/*'] },
  // Preload runs in Electron's sandbox, where require() knows only a few modules.
  { from: 'preload', may: ['$self'], packages: ['electron'] },
];

const SOURCE_DIRS = ['main', 'preload', 'renderer', 'vdd', 'firmware'];
const SOURCE_EXT = /\.(ts|cts|mts|tsx|js|cjs|mjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist']);

function walk(dir, files = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return files;
  }
  for (const name of names) {
    if (SKIP_DIRS.has(name) || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, files);
    else if (SOURCE_EXT.test(name) && !name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/**
 * Blanks out comments and the insides of string/template literals (keeping every newline, so offsets keep
 * their line numbers), except the literal right after an import-ish keyword, which is what we look for.
 * Not a full parser — regex literals containing quotes can confuse it — but imports sit at statement start
 * in this codebase, and a false alarm shows up as a clear file:line to look at.
 */
function stripNoise(text) {
  let out = '';
  let i = 0;
  const blank = (s) => s.replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += blank(text.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j++;
        else if (c !== '`' && text[j] === '\n') break; // unterminated: stop at the line end
        j++;
      }
      const literal = text.slice(i, j + 1);
      // Keep literals that can be module specifiers (after from / import / require / import( ).
      const before = out.slice(-40);
      const keep = c !== '`' && /(\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*$/.test(before);
      out += keep ? literal : c + blank(literal.slice(1, -1)) + (literal.length > 1 ? c : '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT_RE =
  /(?:\bfrom\s*|\bimport\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;

/** Every module specifier in a file, with its 1-based line. */
export function findImports(text) {
  const clean = stripNoise(text);
  const found = [];
  for (const m of clean.matchAll(IMPORT_RE)) {
    const line = clean.slice(0, m.index).split('\n').length;
    found.push({ specifier: m[2], line });
  }
  return found;
}

const toPosix = (p) => p.split(sep).join('/');

function ruleFor(file) {
  let best;
  for (const rule of RULES) {
    const base = rule.from.endsWith('/*') ? rule.from.slice(0, -2) : rule.from;
    if (!(file === base || file.startsWith(base + '/'))) continue;
    if (rule.from.endsWith('/*') && file.slice(base.length + 1).indexOf('/') === -1) continue; // vdd/x.ts itself
    if (!best || base.length > best.base.length) best = { rule, base };
  }
  if (!best) return undefined;
  const { rule, base } = best;
  // The importing file's own layer: the rule's folder, or for "x/*" rules its subfolder.
  const self = rule.from.endsWith('/*') ? base + '/' + file.slice(base.length + 1).split('/')[0] : base;
  return { rule, self };
}

function matches(path, pattern) {
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return path === pattern || path.startsWith(pattern + '/');
}

/**
 * The project path a relative specifier points at. TypeScript spells an import of x.ts as "x.js" (and .cts /
 * .mts as .cjs / .mjs), so a .js path names its TypeScript twin unless a real .js file is there. Queries
 * (vite's "?raw") are not part of the path.
 */
function resolveSpecifier(root, fromFile, specifier) {
  const abs = resolve(dirname(join(root, fromFile)), specifier.split('?')[0]);
  const twin = abs.replace(/\.(c|m)?js$/, (ext) => ({ '.js': '.ts', '.cjs': '.cts', '.mjs': '.mts' })[ext]);
  return toPosix(relative(root, existsSync(abs) ? abs : twin));
}

/** Checks a project tree; returns the violations as { file, line, message }. */
export function checkLayers(root) {
  const violations = [];
  const files = SOURCE_DIRS.flatMap((d) => walk(join(root, d))).map((f) => toPosix(relative(root, f)));
  for (const file of files) {
    const governed = ruleFor(file);
    if (!governed) continue;
    const { rule, self } = governed;
    for (const { specifier, line } of findImports(readFileSync(join(root, file), 'utf8'))) {
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolveSpecifier(root, file, specifier);
        const allowed = rule.may.some((p) => matches(target, p === '$self' ? self : p));
        if (!allowed) {
          const what = target.startsWith('..') ? 'outside the project' : target;
          const may = rule.may.map((p) => (p === '$self' ? self : p)).join(', ');
          violations.push({ file, line, message: `${self} may not import ${what} ("${specifier}"); it may import only ${may}` });
        }
      } else if (rule.packages) {
        if (!rule.packages.some((p) => matches(specifier, p) || specifier === p)) {
          const list = rule.packages.length ? rule.packages.join(', ') : 'none';
          violations.push({ file, line, message: `${self} may not import the package "${specifier}"; allowed packages: ${list}` });
        }
      }
    }
  }
  return violations;
}

// Run as a script (not when imported by the tests).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkLayers(root);
  for (const v of violations) console.error(`${v.file}:${v.line}: ${v.message}`);
  if (violations.length > 0) {
    console.error(`check-layers: ${violations.length} import(s) break the layering (rules: scripts/check-layers.mjs)`);
    process.exit(1);
  }
  console.log('check-layers: no upward imports');
}
