/**
 * The contract's session-library methods as a page calls them (main/web/api.ts over a real MVM server and a
 * real library file): the settings catalogue comes from the VDDs themselves, settings are checked by the
 * VDD that owns them, a program object starts a real VM whose run — exit code and all — lands in its
 * history, and a dropped DOSBox .conf becomes an object without inventing host paths.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MvmServer } from '../../main/mvm/server.js';
import { dispatch } from '../../main/web/rpc.js';
import { createApi, type AppApi } from '../../main/web/api.js';

const HELLO = fileURLToPath(new URL('../guests/dos/hello.com', import.meta.url));
let dir: string;
let server: MvmServer;
let api: AppApi;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mvm-api-library-'));
  copyFileSync(HELLO, join(dir, 'HELLO.COM'));
  server = new MvmServer();
  api = createApi(server, { libraryFile: join(dir, 'library.sqlite') });
});

afterAll(async () => {
  await server.shutdown();
  api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the library over the contract', () => {
  it('lists the DOS settings the VDDs and the DOS kernel register, with their owners and bounds', async () => {
    const defs = await api.settingDefs();
    const byName = new Map(defs.map((d) => [d.name, d]));
    expect(byName.get('HW_NOSOUND')).toMatchObject({ type: 'bool', default: false, owner: 'VSPKR' });
    expect(byName.get('IDLE_SENSITIVITY')).toMatchObject({ type: 'int', min: 1, max: 100, owner: 'VKBD' });
    expect(byName.get('VIDEO_RETRACE_EMULATION')).toMatchObject({ type: 'bool', default: true, owner: 'VVGA' });
    expect(byName.get('DOS_VERSION')).toMatchObject({ type: 'mlstr', owner: 'DOSKRNL' });
    expect(defs.map((d) => d.name)).toEqual([...defs.map((d) => d.name)].sort());
  });

  it('refuses a setting its VDD would refuse, an unknown field, or a wrong id, and stores nothing', async () => {
    const before = (await api.listPrograms()).length;
    await expect(api.createProgram({ name: 'x', settings: { IDLE_SENSITIVITY: 500 } })).rejects.toThrow(/IDLE_SENSITIVITY.*outside 1\.\.100/);
    await expect(api.createProgram({ name: 'x', settings: { DOS_VERSION: 'not,a,version' } })).rejects.toThrow(/DOS_VERSION/);
    await expect(api.createProgram({ name: 'x', evil: 1 } as never)).rejects.toThrow(/unknown program object field/);
    await expect(api.updateProgram('1' as never, {})).rejects.toThrow(/integer/);
    expect(await api.listPrograms()).toHaveLength(before);
  });

  it('starts a program object as a session and records its run with the exit code', async () => {
    const p = await api.createProgram({ name: 'Hello', program: 'C:\\HELLO.COM', drives: [{ letter: 'C', hostPath: dir, readOnly: true }], settings: { HW_NOSOUND: true } });
    const session = await api.startProgram(p.id);
    expect(session).toMatchObject({ title: 'Hello', programId: p.id, fullScreen: false });
    expect(session.shield).toMatch(/^ws:\/\/127\.0\.0\.1:/);
    const deadline = Date.now() + 20_000;
    let runs = await api.listRuns(p.id);
    while ((runs.length === 0 || runs[0].endedAt === null) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      runs = await api.listRuns(p.id);
    }
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ programName: 'Hello', exitCode: 42, crashReason: null });
    expect((await api.listSessions()).find((s) => s.id === session.id)).toMatchObject({ state: 'stopped', exitCode: 42 });
  }, 30_000);

  it('refuses to start an object whose drive is not a folder or whose program is not on a mapped drive', async () => {
    const gone = await api.createProgram({ name: 'Gone', program: 'C:\\X.EXE', drives: [{ letter: 'C', hostPath: join(dir, 'missing'), readOnly: false }] });
    await expect(api.startProgram(gone.id)).rejects.toThrow(/drive C: .* is not a folder/);
    const elsewhere = await api.createProgram({ name: 'Elsewhere', program: 'D:\\X.EXE', drives: [{ letter: 'C', hostPath: dir, readOnly: false }] });
    await expect(api.startProgram(elsewhere.id)).rejects.toThrow(/drive D: is not mapped/);
  });

  it('imports a dropped .conf into "Imported", leaving out mounts relative to a folder it cannot know', async () => {
    const { program, notes } = await api.importDosbox('keen.conf', '[autoexec]\nmount c games\nmount d /media/cd -t cdrom\nc:\nkeen.exe\n');
    expect(program.drives).toEqual([{ letter: 'D', hostPath: '/media/cd', readOnly: true }]);
    expect(program.program).toBe('C:\\KEEN.EXE');
    expect(notes.join('\n')).toMatch(/mount C: a path relative to the \.conf/);
    const folders = await api.listFolders();
    expect(folders.find((f) => f.id === program.folderId)?.name).toBe('Imported');
    await expect(api.importDosbox('../evil.conf', '')).rejects.toThrow(/file name/);
  });

  it('answers the same methods over the WebSocket bridge', async () => {
    const answer = await dispatch(api, JSON.stringify({ id: 1, method: 'listFolders', args: [] }));
    expect('result' in answer && Array.isArray(answer.result)).toBe(true);
    const wrong = await dispatch(api, JSON.stringify({ id: 2, method: 'createFolder', args: [1] }));
    expect(wrong).toMatchObject({ error: { code: 'bad-request' } });
  });
});

describe('settings of a running session', () => {
  it('changes one its VDD reads while running, refuses the others and bad values', async () => {
    const session = await api.startSession({ driveC: dir });
    await api.changeSessionSetting(session.id, 'HW_NOSOUND', true);
    await expect(api.changeSessionSetting(session.id, 'IDLE_SENSITIVITY', 500)).rejects.toThrow(/outside 1\.\.100/);
    await expect(api.changeSessionSetting(session.id, 'DOS_VERSION', '')).rejects.toThrow(/when the session starts again/);
    await expect(api.changeSessionSetting(session.id, 'NO_SUCH_SETTING', 1)).rejects.toThrow(/no DOS setting/);
    await expect(api.changeSessionSetting(9999, 'HW_NOSOUND', true)).rejects.toThrow(/no session/);
    await api.stopSession(session.id);
  }, 30_000);
});
