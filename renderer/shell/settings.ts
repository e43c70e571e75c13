/**
 * DOS settings in the settings notebook: grouping the VDDs' setting definitions for display, the values a
 * program object shows (its own over the defaults), and what it saves (only what differs from a default).
 * Pure data work, no DOM.
 */
import type { SettingDef, SettingValue } from '../../preload/api.js';

export interface SettingGroup {
  /** The name prefix the settings share (DOS, HW, VIDEO, ...). */
  prefix: string;
  /** How the notebook titles the group. */
  label: string;
  defs: SettingDef[];
}

/** Titles for the prefixes OS/2's DOS settings use; others show the prefix itself. */
const GROUP_LABELS: Record<string, string> = {
  DOS: 'DOS',
  DPMI: 'DPMI memory',
  EMS: 'Expanded memory (EMS)',
  XMS: 'Extended memory (XMS)',
  MEM: 'Memory',
  HW: 'Hardware',
  IDLE: 'Idle detection',
  KBD: 'Keyboard',
  MOUSE: 'Mouse',
  VIDEO: 'Video',
  DISK: 'Disk',
  COM: 'Serial ports',
  PRINT: 'Printer',
  INT: 'Interrupts',
};

export function settingPrefix(name: string): string {
  const i = name.indexOf('_');
  return i > 0 ? name.slice(0, i) : name;
}

/** The definitions grouped by name prefix, groups and settings in name order. */
export function groupSettings(defs: readonly SettingDef[]): SettingGroup[] {
  const groups = new Map<string, SettingDef[]>();
  for (const def of defs) {
    const prefix = settingPrefix(def.name);
    const list = groups.get(prefix) ?? [];
    list.push(def);
    groups.set(prefix, list);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([prefix, list]) => ({
      prefix,
      label: GROUP_LABELS[prefix] ?? prefix,
      defs: [...list].sort((a, b) => a.name.localeCompare(b.name)),
    }));
}

/** Settings whose name or help text contains `filter` (case-insensitive); all for an empty filter. */
export function filterSettings(defs: readonly SettingDef[], filter: string): SettingDef[] {
  const f = filter.trim().toLowerCase();
  if (!f) return [...defs];
  return defs.filter((d) => d.name.toLowerCase().includes(f) || d.help.toLowerCase().includes(f) || d.name.toLowerCase().replace(/_/g, ' ').includes(f));
}

/** A setting's value in the notebook: an int being typed stays text until it is saved. */
export type DraftValue = SettingValue;

/** Whether `value` has the def's type (a number for int, one of the values for enum, ...). */
function fitsType(def: SettingDef, value: unknown): value is SettingValue {
  switch (def.type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return typeof value === 'number' && Number.isFinite(value);
    case 'enum':
      return typeof value === 'string' && def.values.includes(value);
    case 'string':
    case 'mlstr':
      return typeof value === 'string';
  }
}

/** The values the notebook starts from: each def's default, replaced by the program object's own value. */
export function initialSettings(defs: readonly SettingDef[], saved: Readonly<Record<string, SettingValue>>): Record<string, DraftValue> {
  const out: Record<string, DraftValue> = {};
  for (const def of defs) out[def.name] = Object.hasOwn(saved, def.name) && fitsType(def, saved[def.name]) ? saved[def.name] : def.default;
  return out;
}

/** What the user typed for a setting, as its value, or why it is not one. */
export function parseSetting(def: SettingDef, raw: DraftValue): { value: SettingValue } | { error: string } {
  switch (def.type) {
    case 'bool':
      return typeof raw === 'boolean' ? { value: raw } : { error: `${def.name} must be on or off` };
    case 'int': {
      const text = String(raw).trim();
      const n = typeof raw === 'number' ? raw : /^[+-]?\d+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) return { error: `${def.name} must be a whole number from ${def.min} to ${def.max}` };
      if (n < def.min || n > def.max) return { error: `${def.name} must be from ${def.min} to ${def.max} (not ${n})` };
      if (def.step && (n - def.min) % def.step !== 0) return { error: `${def.name} goes in steps of ${def.step} from ${def.min}` };
      return { value: n };
    }
    case 'enum':
      return typeof raw === 'string' && def.values.includes(raw) ? { value: raw } : { error: `${def.name} must be one of ${def.values.join(', ')}` };
    case 'string':
    case 'mlstr':
      return { value: String(raw) };
  }
}

/** Two setting values are the same (an mlstr's line ends do not count). */
function sameValue(def: SettingDef, a: SettingValue, b: SettingValue): boolean {
  if (def.type === 'mlstr' && typeof a === 'string' && typeof b === 'string') return a.replace(/\r\n/g, '\n') === b.replace(/\r\n/g, '\n');
  return a === b;
}

/**
 * The settings a program object saves: every known setting that differs from its default, plus the ones the
 * notebook has no definition for (kept as they were, so nothing a newer VDD wrote is lost).
 */
export function settingsToSave(
  defs: readonly SettingDef[],
  values: Readonly<Record<string, DraftValue>>,
  saved: Readonly<Record<string, SettingValue>> = {},
): { settings: Record<string, SettingValue>; errors: string[] } {
  const settings: Record<string, SettingValue> = {};
  const errors: string[] = [];
  const known = new Set(defs.map((d) => d.name));
  for (const [name, value] of Object.entries(saved)) if (!known.has(name)) settings[name] = value;
  for (const def of defs) {
    if (!Object.hasOwn(values, def.name)) {
      if (Object.hasOwn(saved, def.name)) settings[def.name] = saved[def.name];
      continue;
    }
    const parsed = parseSetting(def, values[def.name]);
    if ('error' in parsed) errors.push(parsed.error);
    else if (!sameValue(def, parsed.value, def.default)) settings[def.name] = parsed.value;
  }
  return { settings, errors };
}

/** Whether a draft value differs from the def's default (the notebook marks such settings). */
export function isChanged(def: SettingDef, value: DraftValue | undefined): boolean {
  if (value === undefined) return false;
  const parsed = parseSetting(def, value);
  return 'error' in parsed || !sameValue(def, parsed.value, def.default);
}

/**
 * The settings a save changed (stored values, a missing one meaning the default), split into those a running
 * session takes at once (the def says changeableWhileRunning) and those that wait for the next start.
 */
export function changedSettings(
  defs: readonly SettingDef[],
  before: Readonly<Record<string, SettingValue>>,
  after: Readonly<Record<string, SettingValue>>,
): { live: { name: string; value: SettingValue }[]; atNextStart: string[] } {
  const live: { name: string; value: SettingValue }[] = [];
  const atNextStart: string[] = [];
  for (const def of defs) {
    const old = Object.hasOwn(before, def.name) ? before[def.name] : def.default;
    const now = Object.hasOwn(after, def.name) ? after[def.name] : def.default;
    if (sameValue(def, old, now)) continue;
    if (def.changeableWhileRunning) live.push({ name: def.name, value: now });
    else atNextStart.push(def.name);
  }
  return { live, atNextStart };
}
