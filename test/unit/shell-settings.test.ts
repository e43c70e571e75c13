/**
 * DOS settings in the settings notebook: grouped by name prefix, a program object's values over the
 * defaults, typed input checked against its definition, and only what differs from a default saved.
 */
import { describe, expect, it } from 'vitest';
import type { SettingDef } from '../../preload/api.js';
import { changedSettings, filterSettings, groupSettings, initialSettings, isChanged, parseSetting, settingsToSave } from '../../renderer/shell/settings.js';

const common = { owner: 'TEST', changeableWhileRunning: false };
const DEFS: SettingDef[] = [
  { ...common, name: 'HW_NOSOUND', type: 'bool', default: false, help: 'Silence the PC speaker.' },
  { ...common, name: 'DOS_RMSIZE', type: 'int', default: 640, min: 128, max: 640, step: 16, help: 'Conventional memory in KB.' },
  { ...common, name: 'DOS_VERSION', type: 'mlstr', default: '', help: 'Programs told another DOS version.' },
  { ...common, name: 'IDLE_SENSITIVITY', type: 'int', default: 75, min: 1, max: 100, help: 'How readily a program is idle.' },
  { ...common, name: 'VIDEO_MODE_RESTRICTION', type: 'enum', default: 'NONE', values: ['NONE', 'CGA', 'MONO'], help: 'Restrict video modes.' },
  { ...common, name: 'DOS_SHELL', type: 'string', default: 'COMMAND.COM', help: 'The command shell.' },
];

describe('grouping', () => {
  it('groups by prefix, groups and settings in name order, with readable titles', () => {
    const groups = groupSettings(DEFS);
    expect(groups.map((g) => [g.prefix, g.label])).toEqual([
      ['DOS', 'DOS'],
      ['HW', 'Hardware'],
      ['IDLE', 'Idle detection'],
      ['VIDEO', 'Video'],
    ]);
    expect(groups[0].defs.map((d) => d.name)).toEqual(['DOS_RMSIZE', 'DOS_SHELL', 'DOS_VERSION']);
  });

  it('finds settings by name, spaced name or help words', () => {
    expect(filterSettings(DEFS, 'sound').map((d) => d.name)).toEqual(['HW_NOSOUND']);
    expect(filterSettings(DEFS, 'dos version').map((d) => d.name)).toEqual(['DOS_VERSION']);
    expect(filterSettings(DEFS, 'memory').map((d) => d.name)).toEqual(['DOS_RMSIZE']);
    expect(filterSettings(DEFS, '  ')).toHaveLength(DEFS.length);
  });
});

describe('values', () => {
  it('start from the defaults, with the object own values of the right type over them', () => {
    const v = initialSettings(DEFS, { HW_NOSOUND: true, DOS_RMSIZE: 'lots', VIDEO_MODE_RESTRICTION: 'CGA', UNKNOWN_ONE: 5 });
    expect(v).toEqual({
      HW_NOSOUND: true,
      DOS_RMSIZE: 640,
      DOS_VERSION: '',
      IDLE_SENSITIVITY: 75,
      VIDEO_MODE_RESTRICTION: 'CGA',
      DOS_SHELL: 'COMMAND.COM',
    });
  });

  it('parses typed numbers within range and step, and says what is wrong otherwise', () => {
    const rm = DEFS[1];
    expect(parseSetting(rm, '512')).toEqual({ value: 512 });
    expect(parseSetting(rm, 256)).toEqual({ value: 256 });
    expect(parseSetting(rm, '700')).toEqual({ error: expect.stringMatching(/from 128 to 640/) });
    expect(parseSetting(rm, '500')).toEqual({ error: expect.stringMatching(/steps of 16/) });
    expect(parseSetting(rm, '5x')).toEqual({ error: expect.stringMatching(/whole number/) });
    expect(parseSetting(rm, '')).toEqual({ error: expect.stringMatching(/whole number/) });
    expect(parseSetting(DEFS[4], 'EGA')).toEqual({ error: expect.stringMatching(/NONE, CGA, MONO/) });
  });

  it('saves only what differs from the default, and keeps settings it has no definition for', () => {
    const values = { ...initialSettings(DEFS, {}), HW_NOSOUND: true, DOS_RMSIZE: '512', DOS_VERSION: 'KEEN.EXE,5,0\n' };
    expect(settingsToSave(DEFS, values, { NEWER_VDD_SETTING: 3 })).toEqual({
      settings: { NEWER_VDD_SETTING: 3, HW_NOSOUND: true, DOS_RMSIZE: 512, DOS_VERSION: 'KEEN.EXE,5,0\n' },
      errors: [],
    });
    expect(settingsToSave(DEFS, initialSettings(DEFS, {}))).toEqual({ settings: {}, errors: [] });
  });

  it('drops a setting set back to its default and reports bad input', () => {
    const values = { ...initialSettings(DEFS, { HW_NOSOUND: true }), HW_NOSOUND: false, IDLE_SENSITIVITY: '0' };
    const r = settingsToSave(DEFS, values, { HW_NOSOUND: true });
    expect(r.settings).toEqual({});
    expect(r.errors).toEqual([expect.stringMatching(/IDLE_SENSITIVITY must be from 1 to 100/)]);
  });

  it('marks changed settings, bad input counting as changed', () => {
    expect(isChanged(DEFS[0], true)).toBe(true);
    expect(isChanged(DEFS[0], false)).toBe(false);
    expect(isChanged(DEFS[1], '640')).toBe(false);
    expect(isChanged(DEFS[1], 'abc')).toBe(true);
    expect(isChanged(DEFS[2], '\r\n')).toBe(true);
    expect(isChanged(DEFS[2], undefined)).toBe(false);
  });
});

describe('changes to a running session', () => {
  it('splits what a save changed into settings taken at once and those for the next start', () => {
    const defs: SettingDef[] = [
      { ...DEFS[0], changeableWhileRunning: true },
      DEFS[1],
      { ...DEFS[3], changeableWhileRunning: true },
      DEFS[2],
    ];
    expect(changedSettings(defs, { HW_NOSOUND: true, DOS_VERSION: 'A.EXE,5,0\n' }, { DOS_RMSIZE: 512, IDLE_SENSITIVITY: 75, DOS_VERSION: 'A.EXE,5,0\r\n' })).toEqual({
      live: [{ name: 'HW_NOSOUND', value: false }],
      atNextStart: ['DOS_RMSIZE'],
    });
    expect(changedSettings(defs, {}, {})).toEqual({ live: [], atNextStart: [] });
  });
});
