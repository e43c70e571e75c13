/**
 * The desktop, in the manner of OS/2's Workplace Shell: the session library's folders and program objects
 * as icons on a desktop (the Desktop folder) and in folder windows; double-click or Enter opens an object
 * (a folder its window, a program object its DOS session), the right mouse button or Shift+F10 its pop-up
 * menu (Open, Settings, Copy, Delete; Open, Rename, Delete on a folder). Each object's settings notebook
 * (./shell/notebook.ts) edits it; the Window List (Ctrl+Esc, ./shell/window-list.ts) shows every session with
 * its state. Sessions run in session windows (<mvm-session>, ./session) that float over the desktop and are
 * dragged by their title bars. The LaunchPad along the top starts the Command Prompts built-ins ("DOS
 * Window", "DOS Full Screen") with one click and holds New program and the Window List; it also says what
 * the application is (version, CPU models).
 *
 * Everything shown comes from the application (preload/api.ts): reloading the page reloads it all, and the
 * library lives on in the application's data folder.
 */
import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { FolderInfo, MvmInfo, ProgramInfo, SessionInfo, SettingDef } from '../preload/api.js';
import { connectApi } from './bridge.js';
import './session/mvm-session.js';
import { connectSession } from './session/port.js';
import { MvmSessionWindow } from './session/session-window.js';
import type { MvmFiles } from '../preload/api.js';

declare global {
  interface Window {
    /** Put there by preload/preload.cts under Electron: dropped files' host paths. */
    mvmFiles?: MvmFiles;
  }
}
import type { SessionPort } from './session/port.js';
import type { SessionEvent } from '../main/vman/wire.js';
import './shell/context-menu.js';
import type { MenuItem } from './shell/context-menu.js';
import { droppedProgram } from './shell/dos-path.js';
import { changedSettings } from './shell/settings.js';
import { icon, type IconKind } from './shell/icons.js';
import {
  childFolders,
  commandPromptsFolder,
  copyInput,
  describeSession,
  desktopFolder,
  errorText,
  freeName,
  isEnded,
  mergeSession,
  programsIn,
} from './shell/library.js';
import './shell/notebook.js';
import './shell/prompt-dialog.js';
import { teePort } from './shell/session-tee.js';
import { shellTheme } from './shell/theme.js';
import './shell/window-list.js';
import type { WindowListAction, WindowListRow } from './shell/window-list.js';

const api = connectApi();

/** Where a session came from, so Restart can start it again. */
type Origin = { kind: 'program'; programId: number } | { kind: 'builtin'; fullScreen: boolean };

interface OpenSession {
  info: SessionInfo;
  /** Undefined when the page could not connect to the session's display. */
  port: SessionPort | undefined;
  fullScreen: boolean;
  origin: Origin | undefined;
  /** Why the display connection ended or failed, while the state is not known to be final. */
  portNote?: string;
}

/** A window's place on the desktop (folder windows 'f:<id>', session windows 's:<id>'). */
interface Placement {
  x: number;
  y: number;
  z: number;
  hidden: boolean;
}

/** An object on the desktop or in a folder window, as an icon. */
interface DesktopObject {
  key: string;
  name: string;
  kind: IconKind;
  /** What a screen reader says besides the name ("folder", "DOS program"). */
  role: string;
  open(): void;
  menu(): MenuItem[];
  choose(id: string): void;
}

type Question =
  | { kind: 'delete-program'; program: ProgramInfo }
  | { kind: 'delete-folder'; folder: FolderInfo }
  | { kind: 'rename-folder'; folder: FolderInfo }
  | { kind: 'new-folder'; parentId: number };

interface Notice {
  text: string;
  notes?: string[];
  error?: boolean;
}

interface OpenMenu {
  x: number;
  y: number;
  label: string;
  items: MenuItem[];
  choose(id: string): void;
  /** Where the focus goes back to when the menu closes without opening anything. */
  from: HTMLElement | undefined;
}

const OPEN_FOLDERS_KEY = 'mvm-desktop.open-folders';
const SESSION_POLL_MS = 1000;
/** How many polls the page waits for an ended session's exit code (the VM reports it just before it ends). */
const END_POLLS = 5;
const LAUNCHPAD_PX = 40;

const isFileDrag = (e: DragEvent): boolean => !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');

export class MvmDesktop extends LitElement {
  static override properties = {
    info: { state: true },
    error: { state: true },
    folders: { state: true },
    programs: { state: true },
    defs: { state: true },
    sessions: { state: true },
    serverSessions: { state: true },
    openFolders: { state: true },
    notebook: { state: true },
    menu: { state: true },
    windowList: { state: true },
    question: { state: true },
    questionError: { state: true },
    notice: { state: true },
    dropping: { state: true },
  };

  declare info: MvmInfo | undefined;
  declare error: string | undefined;
  declare folders: FolderInfo[];
  declare programs: ProgramInfo[];
  declare defs: SettingDef[];
  declare sessions: OpenSession[];
  /** What the application lists (sessions other pages opened too). */
  declare serverSessions: SessionInfo[];
  declare openFolders: number[];
  declare notebook: { program: ProgramInfo | undefined; folderId: number; seq: number } | undefined;
  declare menu: OpenMenu | undefined;
  declare windowList: boolean;
  declare question: Question | undefined;
  declare questionError: string;
  declare notice: Notice | undefined;
  declare dropping: boolean;

  private readonly placements = new Map<string, Placement>();
  private topZ = 10;
  private notebookSeq = 0;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /** Where the focus goes when a dialog closes. */
  private focusAfterDialog: string | undefined;
  private drag: { key: string; dx: number; dy: number; el: HTMLElement; pointerId: number } | undefined;
  /**
   * The last action came from the keyboard: a session opened that way gets the focus at once. Opened with the
   * mouse it does not, so the first click in it focuses it rather than capturing the mouse (<mvm-session>).
   */
  private keyboardUsed = false;
  /** Sessions the user closed here: the application may list them a little longer, while they stop. */
  private readonly closedIds = new Set<number>();
  /** Sessions moved to windows of their own (Electron): listed, but not shown in the page. */
  private readonly detachedIds = new Set<number>();
  /** Polls left to wait for the exit code of a session that just ended. */
  private endPolls = 0;

  constructor() {
    super();
    this.folders = [];
    this.programs = [];
    this.defs = [];
    this.sessions = [];
    this.serverSessions = [];
    this.openFolders = [];
    this.windowList = false;
    this.questionError = '';
    this.dropping = false;
  }

  static override styles = [
    shellTheme,
    css`
      :host {
        position: fixed;
        inset: 0;
        display: flex;
        flex-direction: column;
        font: 13px system-ui, sans-serif;
        color: #000;
        background: #008080;
        overflow: hidden;
      }
      /* The LaunchPad: one-click buttons for the built-ins, New program, the Window List; the system's facts. */
      .launchpad {
        flex: none;
        height: ${LAUNCHPAD_PX}px;
        box-sizing: border-box;
        display: flex;
        align-items: center;
        gap: 4px;
        padding: 3px 6px;
        background: var(--face);
        border-bottom: 1px solid #000;
        box-shadow:
          inset 0 1px 0 var(--light),
          inset 0 -1px 0 var(--shadow);
        position: relative;
        z-index: 5000;
      }
      .launchpad button {
        display: inline-flex;
        align-items: center;
        gap: 6px;
        padding: 1px 8px 1px 4px;
        min-height: 30px;
      }
      .launchpad .sep {
        width: 0;
        height: 26px;
        border-left: 1px solid var(--shadow);
        border-right: 1px solid var(--light);
        margin: 0 4px;
      }
      .system {
        margin-left: auto;
        display: flex;
        align-items: center;
        gap: 6px;
        padding: 3px 8px;
        border: 1px solid;
        border-color: var(--shadow) var(--light) var(--light) var(--shadow);
        font-size: 12px;
        white-space: nowrap;
        overflow: hidden;
      }
      .system dl {
        display: flex;
        gap: 4px 6px;
        margin: 0;
      }
      .system dt {
        font-weight: bold;
      }
      .system dd {
        margin: 0 8px 0 0;
      }
      .banner {
        position: absolute;
        left: 50%;
        top: 8px;
        transform: translateX(-50%);
        z-index: 6000;
      }
      /* The desktop: icons in columns from the top left, windows floating over it. */
      .desktop {
        flex: 1;
        position: relative;
        min-height: 0;
        overflow: hidden;
        background:
          radial-gradient(ellipse at 70% 40%, rgb(255 255 255 / 8%), transparent 60%),
          #0f7b7b;
      }
      .desktop.dropping {
        outline: 3px dashed #fff;
        outline-offset: -6px;
      }
      .desktop > .icons {
        display: flex;
        flex-direction: column;
        flex-wrap: wrap;
        align-content: flex-start;
        height: 100%;
        box-sizing: border-box;
        padding: 10px 6px;
        gap: 6px;
      }
      .obj {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 3px;
        width: 92px;
        padding: 4px 2px;
        box-sizing: border-box;
        cursor: default;
        user-select: none;
        outline: none;
        border: 1px solid transparent;
      }
      .obj .label {
        max-width: 88px;
        padding: 0 3px;
        text-align: center;
        overflow-wrap: anywhere;
        line-height: 1.25;
      }
      .desktop > .icons .obj .label {
        color: #fff;
        text-shadow: 1px 1px 0 #000;
      }
      .obj:focus .label,
      .obj.menu-open .label {
        background: var(--select);
        color: #fff;
        text-shadow: none;
      }
      .obj:focus-visible {
        border: 1px dotted #fff;
      }
      .folder-window .obj:focus-visible {
        border-color: #000;
      }
      .obj.running .glyph {
        filter: drop-shadow(0 0 3px #ffff80);
      }
      .obj .glyph {
        flex: none;
      }
      /* Floating windows: placed through the CSSOM (left, top, z-index), dragged by their title bars. */
      .window {
        position: absolute;
        left: 0;
        top: 0;
      }
      .window:has(> mvm-session[fullscreen]) {
        z-index: 100000 !important;
      }
      .folder-window {
        width: 380px;
        height: 250px;
        min-width: 220px;
        min-height: 140px;
        display: flex;
        flex-direction: column;
        resize: both;
        overflow: hidden;
      }
      .folder-window .titlebar {
        cursor: move;
      }
      .folder-window .icons {
        flex: 1;
        min-height: 0;
        overflow: auto;
        display: flex;
        flex-wrap: wrap;
        align-content: flex-start;
        gap: 4px;
        padding: 8px;
        background: #fff;
        border: 1px solid;
        border-color: var(--shadow) var(--light) var(--light) var(--shadow);
        margin-top: 3px;
      }
      .folder-window .status {
        padding: 3px 4px 0;
        font-size: 12px;
        color: #303030;
      }
      .session-window {
        width: min(760px, calc(100vw - 130px));
      }
      .session-window mvm-session {
        width: 100%;
      }
      /* The session shows its focus in its title bar. */
      mvm-session:focus-visible {
        outline: none;
      }
      .session-state {
        display: flex;
        align-items: center;
        gap: 8px;
        background: var(--face);
        border: 1px solid #000;
        border-top: none;
        padding: 2px 6px;
        font-size: 12px;
        min-height: 24px;
      }
      .session-state .grow {
        flex: 1;
      }
      .session-state::before {
        content: '';
        width: 9px;
        height: 9px;
        border-radius: 50%;
        border: 1px solid #000;
        background: #00b000;
      }
      .session-state.idle::before {
        background: #80a0ff;
      }
      .session-state.starting::before,
      .session-state.paused::before {
        background: #e0c000;
      }
      .session-state.stopped::before {
        background: #909090;
      }
      .session-state.crashed {
        color: #a00000;
        font-weight: bold;
      }
      .session-state.crashed::before {
        background: #d00000;
      }
      .session-state button {
        min-height: 20px;
        padding: 0 8px;
        font-size: 12px;
      }
      .no-display {
        width: 100%;
      }
      .no-display .message {
        background: #000;
        color: #c0c0c0;
        font-family: monospace;
        padding: 24px 16px;
        margin-top: 3px;
      }
      .notice {
        position: absolute;
        right: 16px;
        bottom: 16px;
        width: min(440px, calc(100vw - 32px));
        z-index: 90000;
      }
      .notice .content {
        display: flex;
        gap: 10px;
        padding: 10px;
        align-items: flex-start;
      }
      .notice .content > div {
        flex: 1;
      }
      .notice p {
        margin: 0;
      }
      .notice ul {
        margin: 6px 0 0;
        padding-left: 18px;
      }
      .notice.error .titlebar {
        background: linear-gradient(#a80000, #800000);
      }
    `,
  ];

  // ---- loading

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.globalKey, true);
    window.addEventListener('pointerdown', this.pointerUsed, true);
    api.info().then(
      (info) => (this.info = info),
      (e: unknown) => (this.error = errorText(e)),
    );
    void this.reload().then(() => this.restoreFolders());
    void this.loadDefs();
    void this.pollSessions();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.globalKey, true);
    window.removeEventListener('pointerdown', this.pointerUsed, true);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** The reload under way (focusing an object waits for it: the object may be new). */
  private loading: Promise<void> = Promise.resolve();

  /** The folders and program objects, fresh from the library. */
  reload(): Promise<void> {
    this.loading = this.load();
    return this.loading;
  }

  private async load(): Promise<void> {
    try {
      const [folders, programs] = await Promise.all([api.listFolders(), api.listPrograms()]);
      this.folders = folders;
      this.programs = programs;
      this.openFolders = this.openFolders.filter((id) => folders.some((f) => f.id === id));
    } catch (e) {
      this.showNotice({ text: `Cannot read the session library: ${errorText(e)}`, error: true });
    }
  }

  private async loadDefs(): Promise<void> {
    try {
      this.defs = await api.settingDefs();
    } catch (e) {
      this.showNotice({ text: `Cannot read the DOS settings: ${errorText(e)}`, error: true });
    }
  }

  private get desktop(): FolderInfo | undefined {
    return desktopFolder(this.folders);
  }

  // ---- notices

  private showNotice(n: Notice): void {
    this.notice = n;
  }

  // ---- windows: placement, raising, dragging

  private place(key: string, x: number, y: number): Placement {
    let p = this.placements.get(key);
    if (!p) {
      p = { x, y, z: ++this.topZ, hidden: false };
      this.placements.set(key, p);
    }
    return p;
  }

  private raise(key: string): void {
    const p = this.placements.get(key);
    if (!p) return;
    p.hidden = false;
    if (p.z !== this.topZ) p.z = ++this.topZ;
    this.applyPlacement(key);
  }

  private applyPlacement(key: string): void {
    const p = this.placements.get(key);
    const el = this.renderRoot.querySelector<HTMLElement>(`[data-win="${key}"]`);
    if (!p || !el) return;
    el.style.setProperty('left', `${Math.round(p.x)}px`);
    el.style.setProperty('top', `${Math.round(p.y)}px`);
    el.style.setProperty('z-index', String(p.z));
  }

  protected override updated(): void {
    for (const key of this.placements.keys()) this.applyPlacement(key);
  }

  private get desktopBox(): { width: number; height: number } {
    const el = this.renderRoot.querySelector<HTMLElement>('.desktop');
    return { width: el?.clientWidth || window.innerWidth, height: el?.clientHeight || window.innerHeight - LAUNCHPAD_PX };
  }

  /** A press on a window: raise it; on its title bar (not a button there), start dragging it. */
  private windowPointerDown(e: PointerEvent, key: string): void {
    this.raise(key);
    if (e.button !== 0) return;
    const path = e.composedPath();
    const onBar = path.some((n) => n instanceof HTMLElement && n.classList.contains('titlebar'));
    const onControl = path.some((n) => n instanceof HTMLElement && (n.tagName === 'BUTTON' || n.tagName === 'INPUT'));
    if (!onBar || onControl) return;
    const el = e.currentTarget as HTMLElement;
    const p = this.placements.get(key);
    if (!p) return;
    e.preventDefault();
    this.drag = { key, dx: e.clientX - p.x, dy: e.clientY - p.y, el, pointerId: e.pointerId };
    el.setPointerCapture(e.pointerId);
  }

  private windowPointerMove(e: PointerEvent): void {
    const d = this.drag;
    if (!d || d.pointerId !== e.pointerId) return;
    const p = this.placements.get(d.key);
    if (!p) return;
    const box = this.desktopBox;
    p.x = Math.max(60 - d.el.offsetWidth, Math.min(box.width - 60, e.clientX - d.dx));
    p.y = Math.max(0, Math.min(box.height - 24, e.clientY - d.dy));
    this.applyPlacement(d.key);
  }

  private windowPointerUp(e: PointerEvent): void {
    if (this.drag?.pointerId === e.pointerId) this.drag = undefined;
  }

  // ---- folders

  private restoreFolders(): void {
    let ids: number[] = [];
    try {
      const saved: unknown = JSON.parse(localStorage.getItem(OPEN_FOLDERS_KEY) ?? '[]');
      if (Array.isArray(saved)) ids = saved.filter((x): x is number => typeof x === 'number');
    } catch {
      // nothing remembered
    }
    for (const id of ids) if (this.folders.some((f) => f.id === id && f.parentId !== null)) this.openFolder(id, false);
  }

  private rememberFolders(): void {
    try {
      localStorage.setItem(OPEN_FOLDERS_KEY, JSON.stringify(this.openFolders));
    } catch {
      // storage refused: the folders just do not reopen
    }
  }

  /** Open a folder's window (or raise it when it is open) and put the focus on its first object. */
  openFolder(id: number, focus = true): void {
    const key = `f:${id}`;
    if (!this.openFolders.includes(id)) {
      const n = this.openFolders.length % 6;
      const box = this.desktopBox;
      this.place(key, Math.max(120, box.width - 392 - 26 * n), 14 + 26 * n);
      this.openFolders = [...this.openFolders, id];
      this.rememberFolders();
    }
    this.raise(key);
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-win="${key}"] .obj`)?.focus());
  }

  private closeFolder(id: number): void {
    this.openFolders = this.openFolders.filter((f) => f !== id);
    this.placements.delete(`f:${id}`);
    this.rememberFolders();
    this.focusObject(`folder:${id}`);
  }

  private focusObject(key: string): void {
    void this.loading
      .then(() => this.updateComplete)
      .then(() => this.renderRoot.querySelector<HTMLElement>(`.obj[data-key="${key}"]`)?.focus());
  }

  // ---- sessions

  /** Start one of the Command Prompts built-ins: the DOS shell, in a window or full screen. */
  async openBuiltin(fullScreen: boolean, replacing?: OpenSession): Promise<void> {
    try {
      const info = await api.startSession({});
      await this.attach(info, { kind: 'builtin', fullScreen }, fullScreen, replacing);
    } catch (e) {
      this.showNotice({ text: `Cannot start the ${fullScreen ? 'DOS Full Screen' : 'DOS Window'} session: ${errorText(e)}`, error: true });
    }
  }

  /** Start a program object's session. */
  async openProgram(p: ProgramInfo, replacing?: OpenSession): Promise<void> {
    try {
      const info = await api.startProgram(p.id);
      await this.attach(info, { kind: 'program', programId: p.id }, info.fullScreen === true, replacing);
    } catch (e) {
      this.showNotice({ text: `Cannot start ${p.name}: ${errorText(e)}`, error: true });
    }
  }

  /** Give a session its window: connect to its display and watch its events for the Window List. */
  private async attach(info: SessionInfo, origin: Origin | undefined, fullScreen: boolean, replacing?: OpenSession): Promise<void> {
    const id = info.id;
    // Where the application has windows of its own (Electron), each session gets one, as each VDM had its
    // window on OS/2; the Window List still lists it. The web host answers false: the page shows it.
    if (await api.openSessionWindow(id).catch(() => false)) {
      if (replacing) this.dropSession(replacing, false);
      this.detachedIds.add(id);
      void this.pollSessions();
      return;
    }
    let port: SessionPort | undefined;
    let portNote: string | undefined;
    try {
      const raw = await connectSession(api, info);
      port = teePort(raw, { event: (e) => this.sessionEvent(id, e), closed: (reason) => this.sessionPortClosed(id, reason) });
    } catch (e) {
      portNote = `Cannot show the session: ${errorText(e)}`;
      this.startPolling();
    }
    const key = `s:${id}`;
    const old = replacing ? this.placements.get(`s:${replacing.info.id}`) : undefined;
    if (replacing) this.dropSession(replacing, false);
    const n = this.sessions.length % 6;
    this.place(key, old?.x ?? 116 + 28 * n, old?.y ?? 10 + 28 * n);
    this.sessions = [...this.sessions.filter((s) => s.info.id !== id), { info: { ...info }, port, fullScreen, origin, portNote }];
    this.raise(key);
    await this.updateComplete;
    if (this.keyboardUsed) this.renderRoot.querySelector<HTMLElement>(`[data-session="${id}"]`)?.focus({ preventScroll: true });
  }

  private updateSession(id: number, change: (s: OpenSession) => OpenSession): void {
    this.sessions = this.sessions.map((s) => (s.info.id === id ? change(s) : s));
  }

  private sessionEvent(id: number, e: SessionEvent): void {
    if (e.type === 'title') this.updateSession(id, (s) => ({ ...s, info: { ...s.info, title: e.title } }));
    else if (e.type === 'state') {
      this.updateSession(id, (s) => ({
        ...s,
        info: { ...s.info, state: e.state, reason: e.reason ?? s.info.reason, exitCode: e.exitCode ?? s.info.exitCode },
      }));
    }
  }

  /** The display connection ended: the session probably did; the application says for sure. */
  private sessionPortClosed(id: number, reason: string): void {
    this.updateSession(id, (s) => (isEnded(s.info.state) ? s : { ...s, portNote: reason }));
    this.endPolls = END_POLLS;
    this.startPolling();
    void this.pollSessions();
  }

  private startPolling(): void {
    this.pollTimer ??= setInterval(() => void this.pollSessions(), SESSION_POLL_MS);
  }

  /** What the application lists, merged into the page's sessions; polling stops when nothing waits for it. */
  async pollSessions(): Promise<void> {
    let listed: SessionInfo[];
    try {
      listed = await api.listSessions();
    } catch {
      return;
    }
    this.serverSessions = listed;
    const byId = new Map(listed.map((s) => [s.id, s]));
    let changed = false;
    const merged = this.sessions.map((s) => {
      const info = mergeSession(s.info, byId.get(s.info.id));
      if (info.state === s.info.state && info.exitCode === s.info.exitCode && info.reason === s.info.reason) return s;
      changed = true;
      return { ...s, info, portNote: isEnded(info.state) ? undefined : s.portNote };
    });
    if (changed) this.sessions = merged;
    // Waiting: for the end of a session whose display closed, or (a few polls) for an ended one's exit code.
    if (this.endPolls > 0) this.endPolls--;
    const waiting = this.sessions.some(
      (s) => (s.portNote !== undefined && !isEnded(s.info.state)) || (this.endPolls > 0 && s.info.state === 'stopped' && s.info.exitCode === undefined),
    );
    if (!waiting && !this.windowList && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  /** Close a session window: stop the session if it still runs. */
  private closeSession(s: OpenSession): void {
    const current = this.sessions.find((x) => x.info.id === s.info.id) ?? s;
    this.dropSession(current, !isEnded(current.info.state));
  }

  private dropSession(s: OpenSession, stop: boolean): void {
    const id = s.info.id;
    this.closedIds.add(id);
    // Out of the list first: closing the port reports the close, which must not find it any more.
    this.sessions = this.sessions.filter((x) => x.info.id !== id);
    this.placements.delete(`s:${id}`);
    s.port?.close();
    if (stop) void api.stopSession(id).catch(() => undefined);
  }

  private originOf(s: OpenSession): Origin | undefined {
    return s.origin ?? (s.info.programId !== undefined ? { kind: 'program', programId: s.info.programId } : undefined);
  }

  /** Start an ended session's object again, in the same window place. */
  async restart(s: OpenSession): Promise<void> {
    const origin = this.originOf(s);
    if (!origin) return;
    if (origin.kind === 'builtin') return this.openBuiltin(origin.fullScreen, s);
    const p = this.programs.find((x) => x.id === origin.programId);
    if (!p) {
      this.showNotice({ text: 'The program object of this session was deleted.', error: true });
      return;
    }
    return this.openProgram(p, s);
  }

  /**
   * Move a session into a window of its own where the application has them (Electron: openSessionWindow);
   * the page's window closes without stopping it, and the Window List still lists it.
   */
  private async ownWindow(s: OpenSession): Promise<void> {
    try {
      if (!(await api.openSessionWindow(s.info.id))) {
        this.showNotice({ text: 'Here sessions are shown in the page: the web host has no windows of its own.', error: true });
        return;
      }
      this.detachedIds.add(s.info.id);
      this.dropSession(s, false);
      this.closedIds.delete(s.info.id);
      this.closeWindowList();
      void this.pollSessions();
    } catch (e) {
      this.showNotice({ text: `Cannot give ${s.info.title} a window of its own: ${errorText(e)}`, error: true });
    }
  }

  private switchTo(id: number): void {
    const s = this.sessions.find((x) => x.info.id === id);
    if (!s) {
      const listed = this.serverSessions.find((x) => x.id === id);
      if (listed) void this.attach(listed, undefined, listed.fullScreen === true);
      return;
    }
    this.raise(`s:${id}`);
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`mvm-session[data-session="${id}"]`)?.focus({ preventScroll: true }));
  }

  // ---- the Window List

  private readonly pointerUsed = (): void => {
    this.keyboardUsed = false;
  };

  private readonly globalKey = (e: KeyboardEvent): void => {
    this.keyboardUsed = true;
    if (e.key === 'Escape' && e.ctrlKey && !e.altKey && !e.metaKey) {
      e.preventDefault();
      e.stopPropagation();
      if (this.windowList) this.closeWindowList();
      else this.openWindowList();
    }
  };

  openWindowList(): void {
    this.menu = undefined;
    this.windowList = true;
    this.startPolling();
    void this.pollSessions();
  }

  private closeWindowList(): void {
    this.windowList = false;
  }

  private get windowListRows(): WindowListRow[] {
    const rows: WindowListRow[] = this.sessions.map((s) => ({
      id: s.info.id,
      title: s.info.title || `Session ${s.info.id}`,
      state: s.info.state,
      stateText: describeSession(s.info) + (s.portNote && !isEnded(s.info.state) ? ` (${s.portNote})` : ''),
      place: this.placements.get(`s:${s.info.id}`)?.hidden ? 'hidden' : 'shown',
      canRestart: this.originOf(s) !== undefined,
      fullScreen: s.fullScreen,
    }));
    for (const info of this.serverSessions) {
      if (rows.some((r) => r.id === info.id) || isEnded(info.state) || this.closedIds.has(info.id)) continue;
      rows.push({
        id: info.id,
        title: info.title || `Session ${info.id}`,
        state: info.state,
        stateText: describeSession(info),
        place: this.detachedIds.has(info.id) ? 'own-window' : 'elsewhere',
        canRestart: false,
        fullScreen: info.fullScreen === true,
      });
    }
    return rows.sort((a, b) => a.id - b.id);
  }

  private windowListAction(action: WindowListAction, id: number): void {
    const s = this.sessions.find((x) => x.info.id === id);
    switch (action) {
      case 'switch':
        this.closeWindowList();
        this.switchTo(id);
        break;
      case 'hide': {
        const p = this.placements.get(`s:${id}`);
        if (p) p.hidden = true;
        this.requestUpdate();
        break;
      }
      case 'close':
        if (s) this.closeSession(s);
        else {
          this.closedIds.add(id);
          void api.stopSession(id).then(
            () => this.pollSessions(),
            (e: unknown) => this.showNotice({ text: errorText(e), error: true }),
          );
          this.requestUpdate();
        }
        break;
      case 'own-window':
        if (s) void this.ownWindow(s);
        break;
      case 'restart':
        if (s) {
          this.closeWindowList();
          void this.restart(s);
        }
        break;
    }
  }

  // ---- objects, menus and their actions

  private builtinObjects(): DesktopObject[] {
    const builtin = (name: string, fullScreen: boolean): DesktopObject => ({
      key: `builtin:${fullScreen ? 'fullscreen' : 'window'}`,
      name,
      kind: fullScreen ? 'dos-fullscreen' : 'dos-window',
      role: 'built-in DOS session',
      open: () => void this.openBuiltin(fullScreen),
      menu: () => [{ id: 'open', label: 'Open', testId: 'menu-open' }],
      choose: () => void this.openBuiltin(fullScreen),
    });
    return [builtin('DOS Window', false), builtin('DOS Full Screen', true)];
  }

  private folderObject(f: FolderInfo): DesktopObject {
    const isCommandPrompts = commandPromptsFolder(this.folders)?.id === f.id;
    const note = 'The Command Prompts folder holds the built-in DOS sessions';
    return {
      key: `folder:${f.id}`,
      name: f.name,
      kind: isCommandPrompts ? 'command-prompts' : 'folder',
      role: 'folder',
      open: () => this.openFolder(f.id),
      menu: () => [
        { id: 'open', label: 'Open', testId: 'menu-open' },
        { id: 'rename', label: 'Rename…', testId: 'menu-rename', disabled: isCommandPrompts, note: isCommandPrompts ? note : undefined },
        { id: 'delete', label: 'Delete…', testId: 'menu-delete', disabled: isCommandPrompts, note: isCommandPrompts ? note : undefined, separator: true },
      ],
      choose: (id) => {
        if (id === 'open') this.openFolder(f.id);
        else if (id === 'rename') this.ask({ kind: 'rename-folder', folder: f });
        else if (id === 'delete') this.ask({ kind: 'delete-folder', folder: f });
      },
    };
  }

  private programObject(p: ProgramInfo): DesktopObject {
    return {
      key: `program:${p.id}`,
      name: p.name,
      kind: p.kind,
      role: p.kind === 'dos-fullscreen' ? 'DOS full-screen program' : 'DOS program',
      open: () => void this.openProgram(p),
      menu: () => [
        { id: 'open', label: 'Open', testId: 'menu-open' },
        { id: 'settings', label: 'Settings', testId: 'menu-settings' },
        { id: 'copy', label: 'Copy', testId: 'menu-copy', separator: true },
        { id: 'delete', label: 'Delete…', testId: 'menu-delete' },
      ],
      choose: (id) => {
        if (id === 'open') void this.openProgram(p);
        else if (id === 'settings') this.openNotebook(p, p.folderId);
        else if (id === 'copy') void this.copyProgram(p);
        else if (id === 'delete') this.ask({ kind: 'delete-program', program: p });
      },
    };
  }

  private containerMenu(folderId: number): { items: MenuItem[]; choose(id: string): void } {
    return {
      items: [
        { id: 'new-program', label: 'New program…', testId: 'menu-new-program' },
        { id: 'new-folder', label: 'New folder…', testId: 'menu-new-folder' },
        { id: 'window-list', label: 'Window List', testId: 'menu-window-list', separator: true },
        { id: 'refresh', label: 'Refresh', testId: 'menu-refresh' },
      ],
      choose: (id) => {
        if (id === 'new-program') this.openNotebook(undefined, folderId);
        else if (id === 'new-folder') this.ask({ kind: 'new-folder', parentId: folderId });
        else if (id === 'window-list') this.openWindowList();
        else if (id === 'refresh') void this.reload();
      },
    };
  }

  private openMenu(x: number, y: number, label: string, items: MenuItem[], choose: (id: string) => void, from: HTMLElement | undefined): void {
    this.menu = { x, y, label, items, choose, from };
  }

  private menuDismissed(): void {
    const from = this.menu?.from;
    this.menu = undefined;
    if (!this.notebook && !this.question && !this.windowList && from?.isConnected) from.focus();
  }

  private async copyProgram(p: ProgramInfo): Promise<void> {
    try {
      const copy = await api.createProgram(copyInput(p, this.programs.filter((x) => x.folderId === p.folderId).map((x) => x.name)));
      await this.reload();
      this.focusObject(`program:${copy.id}`);
    } catch (e) {
      this.showNotice({ text: `Cannot copy ${p.name}: ${errorText(e)}`, error: true });
    }
  }

  openNotebook(program: ProgramInfo | undefined, folderId: number | undefined): void {
    const target = folderId ?? this.desktop?.id;
    if (target === undefined) {
      this.showNotice({ text: 'The session library is not loaded yet.', error: true });
      return;
    }
    this.menu = undefined;
    if (this.defs.length === 0) void this.loadDefs();
    this.focusAfterDialog = program ? `program:${program.id}` : undefined;
    this.notebook = { program, folderId: target, seq: ++this.notebookSeq };
  }

  private notebookSaved(program: ProgramInfo): void {
    this.focusAfterDialog = `program:${program.id}`;
    const before = this.notebook?.program;
    void this.reload();
    if (before) void this.applyToRunning(before, program);
  }

  /** The object's sessions still running, by its id. */
  private runningSessionsOf(programId: number): OpenSession[] {
    return this.sessions.filter((s) => {
      const o = this.originOf(s);
      return !isEnded(s.info.state) && o?.kind === 'program' && o.programId === programId;
    });
  }

  /** Settings a save changed go to the object's running sessions where the VDD takes them while running. */
  private async applyToRunning(before: ProgramInfo, after: ProgramInfo): Promise<void> {
    const running = this.runningSessionsOf(after.id);
    if (running.length === 0) return;
    const { live, atNextStart } = changedSettings(this.defs, before.settings, after.settings);
    if (live.length === 0 && atNextStart.length === 0) return;
    const failed: string[] = [];
    for (const s of running) {
      for (const { name, value } of live) {
        try {
          await api.changeSessionSetting(s.info.id, name, value);
        } catch (e) {
          failed.push(`${name}: ${errorText(e)}`);
        }
      }
    }
    const parts: string[] = [];
    const applied = live.filter((l) => !failed.some((f) => f.startsWith(`${l.name}:`))).map((l) => l.name);
    if (applied.length) parts.push(`${applied.join(', ')} changed in the running session${running.length === 1 ? '' : 's'} of “${after.name}”.`);
    if (atNextStart.length) parts.push(`${atNextStart.join(', ')} take${atNextStart.length === 1 ? 's' : ''} effect when it starts again.`);
    if (failed.length) parts.push(`Not changed: ${failed.join('; ')}`);
    this.showNotice({ text: parts.join(' '), error: failed.length > 0 });
  }

  private notebookClosed(): void {
    this.notebook = undefined;
    const key = this.focusAfterDialog;
    this.focusAfterDialog = undefined;
    if (key) this.focusObject(key);
  }

  private ask(q: Question): void {
    this.menu = undefined;
    this.questionError = '';
    this.question = q;
  }

  private async answer(ok: boolean, value: string): Promise<void> {
    const q = this.question;
    if (!q) return;
    if (!ok) {
      this.question = undefined;
      this.refocus(q);
      return;
    }
    try {
      switch (q.kind) {
        case 'delete-program':
          await api.deleteProgram(q.program.id);
          break;
        case 'delete-folder':
          await api.deleteFolder(q.folder.id);
          this.openFolders = this.openFolders.filter((id) => id !== q.folder.id);
          this.rememberFolders();
          break;
        case 'rename-folder':
          await api.renameFolder(q.folder.id, value.trim());
          break;
        case 'new-folder': {
          const f = await api.createFolder(q.parentId, value.trim());
          this.focusAfterDialog = `folder:${f.id}`;
          break;
        }
      }
      this.question = undefined;
      await this.reload();
      this.refocus(q);
    } catch (e) {
      this.questionError = errorText(e);
    }
  }

  private refocus(q: Question): void {
    const key = this.focusAfterDialog ?? (q.kind === 'rename-folder' ? `folder:${q.folder.id}` : undefined);
    this.focusAfterDialog = undefined;
    if (key) this.focusObject(key);
  }

  // ---- dropping host files

  private dragOver(e: DragEvent): void {
    if (!isFileDrag(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    this.dropping = true;
  }

  private async drop(e: DragEvent): Promise<void> {
    this.dropping = false;
    if (!isFileDrag(e) || !e.dataTransfer) return;
    e.preventDefault();
    const target = e.composedPath().find((n): n is HTMLElement => n instanceof HTMLElement && n.dataset.folder !== undefined);
    const folderId = target ? Number(target.dataset.folder) : this.desktop?.id;
    const files = [...e.dataTransfer.files];
    await this.dropFiles(files, folderId);
  }

  /** Dropped files as program objects: host programs where the page knows their path, DOSBox .conf files anywhere. */
  async dropFiles(files: File[], folderId: number | undefined): Promise<void> {
    const made: string[] = [];
    const notes: string[] = [];
    const problems: string[] = [];
    let needsApp = false;
    for (const file of files) {
      try {
        if (/\.conf$/i.test(file.name)) {
          const { program, notes: importNotes } = await api.importDosbox(file.name, await file.text());
          made.push(`“${program.name}” in ${this.folders.find((f) => f.id === program.folderId)?.name ?? 'Imported'}`);
          notes.push(...importNotes.map((n) => `${program.name}: ${n}`));
        } else if (/\.(com|exe|bat)$/i.test(file.name)) {
          // Electron's preload tells a dropped file's host path (mvmFiles); a browser never does.
          const path = window.mvmFiles?.pathOf(file) ?? '';
          if (typeof path !== 'string' || path === '') {
            needsApp = true;
            continue;
          }
          const d = droppedProgram(path);
          if ('error' in d) {
            problems.push(d.error);
            continue;
          }
          const names = this.programs.filter((p) => p.folderId === folderId).map((p) => p.name);
          const p = await api.createProgram({ folderId, name: freeName(d.name, names), kind: 'dos-window', program: d.program, drives: d.drives });
          made.push(`“${p.name}”`);
        } else problems.push(`${file.name} is neither a DOS program (.COM, .EXE, .BAT) nor a DOSBox .conf file.`);
      } catch (err) {
        problems.push(`${file.name}: ${errorText(err)}`);
      }
    }
    if (made.length) await this.reload();
    if (needsApp) {
      problems.unshift(
        'Dropping a DOS program needs the MVM Desktop app: a browser does not tell the page where the file is on disk. Use New program and give its folder as drive C:, or drop a DOSBox .conf file.',
      );
    }
    const text = made.length
      ? `Created ${made.join(', ')}.${problems.length ? ' ' + problems.join(' ') : ''}`
      : problems.join(' ') || 'Nothing to do with what was dropped.';
    this.showNotice({ text, notes: notes.length ? notes : undefined, error: made.length === 0 });
  }

  // ---- rendering

  private iconKey(e: KeyboardEvent, o: DesktopObject): void {
    const el = e.currentTarget as HTMLElement;
    if (e.key === 'Enter') {
      e.preventDefault();
      o.open();
    } else if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
      e.preventDefault();
      e.stopPropagation();
      const r = el.getBoundingClientRect();
      this.openMenu(r.left + 16, r.bottom - 8, o.name, o.menu(), o.choose, el);
    } else if (e.key === 'Delete' && o.key.startsWith('program:')) {
      e.preventDefault();
      o.choose('delete');
    } else if (['ArrowRight', 'ArrowLeft', 'ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) {
      const siblings = [...(el.parentElement?.querySelectorAll<HTMLElement>(':scope > .obj') ?? [])];
      const at = siblings.indexOf(el);
      const to = e.key === 'Home' ? 0 : e.key === 'End' ? siblings.length - 1 : e.key === 'ArrowRight' || e.key === 'ArrowDown' ? at + 1 : at - 1;
      const next = siblings[Math.max(0, Math.min(siblings.length - 1, to))];
      if (next) {
        e.preventDefault();
        next.focus();
      }
    }
  }

  private renderObject(o: DesktopObject): TemplateResult {
    const running = o.key.startsWith('program:') && this.sessions.some((s) => !isEnded(s.info.state) && this.originOf(s)?.kind === 'program' && `program:${(this.originOf(s) as { programId: number }).programId}` === o.key);
    const menuOpen = this.menu?.from?.dataset.key === o.key;
    return html`<div
      class="obj ${running ? 'running' : ''} ${menuOpen ? 'menu-open' : ''}"
      role="button"
      tabindex="0"
      data-key=${o.key}
      data-testid="icon-${o.name}"
      aria-label="${o.name}, ${o.role}${running ? ', running' : ''}"
      aria-haspopup="menu"
      title="${o.name} — double-click or Enter opens; right button or Shift+F10 for its menu"
      @dblclick=${(e: MouseEvent) => {
        e.preventDefault();
        o.open();
      }}
      @keydown=${(e: KeyboardEvent) => this.iconKey(e, o)}
      @contextmenu=${(e: MouseEvent) => {
        e.preventDefault();
        e.stopPropagation();
        const el = e.currentTarget as HTMLElement;
        el.focus();
        this.openMenu(e.clientX, e.clientY, o.name, o.menu(), o.choose, el);
      }}
    >
      ${icon(o.kind)}<span class="label">${o.name}</span>
    </div>`;
  }

  private objectsIn(folderId: number): DesktopObject[] {
    const objects: DesktopObject[] = [];
    if (commandPromptsFolder(this.folders)?.id === folderId) objects.push(...this.builtinObjects());
    objects.push(...childFolders(this.folders, folderId).map((f) => this.folderObject(f)));
    objects.push(...programsIn(this.programs, folderId).map((p) => this.programObject(p)));
    return objects;
  }

  private containerContextMenu(e: MouseEvent, folderId: number, label: string): void {
    e.preventDefault();
    e.stopPropagation();
    const m = this.containerMenu(folderId);
    this.openMenu(e.clientX, e.clientY, label, m.items, m.choose, e.currentTarget as HTMLElement);
  }

  private renderFolderWindow(id: number): TemplateResult | typeof nothing {
    const f = this.folders.find((x) => x.id === id);
    if (!f) return nothing;
    const key = `f:${id}`;
    const objects = this.objectsIn(id);
    return html`<section
      class="window folder-window frame"
      data-win=${key}
      data-folder=${String(id)}
      data-testid="folder-window-${f.name}"
      aria-label="${f.name} folder"
      ?hidden=${this.placements.get(key)?.hidden ?? false}
      @pointerdown=${(e: PointerEvent) => this.windowPointerDown(e, key)}
      @pointermove=${(e: PointerEvent) => this.windowPointerMove(e)}
      @pointerup=${(e: PointerEvent) => this.windowPointerUp(e)}
      @pointercancel=${(e: PointerEvent) => this.windowPointerUp(e)}
      @keydown=${(e: KeyboardEvent) => {
        if (e.key === 'Escape' && !e.ctrlKey) {
          e.preventDefault();
          this.closeFolder(id);
        }
      }}
    >
      <div class="titlebar">
        ${icon('folder-open', 16)}
        <span class="title">${f.name}</span>
        <button data-testid="folder-close-${f.name}" aria-label="Close the ${f.name} folder" title="Close" @click=${() => this.closeFolder(id)}>✕</button>
      </div>
      <div class="icons" role="group" tabindex="0" aria-label="Objects in ${f.name} (Shift+F10 for New program, New folder…)" @contextmenu=${(e: MouseEvent) => this.containerContextMenu(e, id, f.name)}>
        ${objects.map((o) => this.renderObject(o))}
      </div>
      <div class="status">${objects.length === 1 ? '1 object' : `${objects.length} objects`}</div>
    </section>`;
  }

  private renderSessionWindow(s: OpenSession): TemplateResult {
    const id = s.info.id;
    const key = `s:${id}`;
    const ended = isEnded(s.info.state);
    const canRestart = ended && this.originOf(s) !== undefined;
    const stateText = describeSession(s.info) + (s.portNote && !ended ? ` — ${s.portNote}` : '');
    return html`<div
      class="window session-window"
      data-win=${key}
      data-testid="session-window-${id}"
      ?hidden=${this.placements.get(key)?.hidden ?? false}
      @pointerdown=${(e: PointerEvent) => this.windowPointerDown(e, key)}
      @pointermove=${(e: PointerEvent) => this.windowPointerMove(e)}
      @pointerup=${(e: PointerEvent) => this.windowPointerUp(e)}
      @pointercancel=${(e: PointerEvent) => this.windowPointerUp(e)}
      @focusin=${() => this.raise(key)}
    >
      ${s.port
        ? html`<mvm-session
            data-session=${id}
            .port=${s.port}
            .sessionTitle=${s.info.title}
            ?fullscreen=${s.fullScreen}
            @close=${() => this.closeSession(s)}
          ></mvm-session>`
        : html`<div class="frame no-display" tabindex="0" data-session=${id}>
            <div class="titlebar active">
              ${icon('dos-window', 16)}<span class="title">${s.info.title}</span>
              <button aria-label="Close the session" title="Close" @click=${() => this.closeSession(s)}>✕</button>
            </div>
            <p class="message">${s.portNote ?? 'No display.'}</p>
          </div>`}
      <div class="session-state ${s.info.state}" data-testid="session-state-${id}" role="status" aria-label="${s.info.title}: ${stateText}">
        <span class="grow">${stateText}</span>
        ${canRestart
          ? html`<button data-testid="session-restart-${id}" title="Start ${s.info.title} again" @click=${() => void this.restart(s)}>Restart</button>`
          : nothing}
        ${ended ? html`<button data-testid="session-dismiss-${id}" @click=${() => this.closeSession(s)}>Close</button>` : nothing}
      </div>
    </div>`;
  }

  private renderLaunchPad(): TemplateResult {
    return html`<header class="launchpad" role="toolbar" aria-label="LaunchPad">
      <button data-testid="open-dos-window" title="Start a DOS Window (Command Prompts)" @click=${() => void this.openBuiltin(false)}>
        ${icon('dos-window', 24)}DOS Window
      </button>
      <button data-testid="open-dos-fullscreen" title="Start DOS Full Screen (Command Prompts)" @click=${() => void this.openBuiltin(true)}>
        ${icon('dos-fullscreen', 24)}DOS Full Screen
      </button>
      <span class="sep" aria-hidden="true"></span>
      <button data-testid="new-program" title="Create a program object with its settings notebook" @click=${() => this.openNotebook(undefined, this.desktop?.id)}>
        ${icon('dos-window', 24)}New program
      </button>
      <button data-testid="window-list-button" title="Window List (Ctrl+Esc)" aria-keyshortcuts="Control+Escape" @click=${() => this.openWindowList()}>
        ${icon('window-list', 24)}Window List
      </button>
      <div class="system" aria-label="System">
        ${icon('system', 20)}
        ${this.info
          ? html`<dl>
              <dt>MVM Desktop</dt>
              <dd data-testid="version">${this.info.version}</dd>
              <dt>CPU models</dt>
              <dd data-testid="cpu-models">${this.info.cpuModels.join(', ')}</dd>
            </dl>`
          : html`<span>${this.error ? 'Not connected' : 'Connecting…'}</span>`}
      </div>
    </header>`;
  }

  private renderQuestion(): TemplateResult | typeof nothing {
    const q = this.question;
    if (!q) return nothing;
    const common = { error: this.questionError };
    let view: { heading: string; message: string; input?: string; okLabel: string; okTestId: string };
    switch (q.kind) {
      case 'delete-program':
        view = { heading: 'Delete', message: `Delete the program object “${q.program.name}”? Its run history stays.`, okLabel: 'Delete', okTestId: 'confirm-delete' };
        break;
      case 'delete-folder': {
        const inside = this.programs.filter((p) => p.folderId === q.folder.id).length + childFolders(this.folders, q.folder.id).length;
        view = {
          heading: 'Delete',
          message: `Delete the folder “${q.folder.name}”${inside ? ` and the ${inside} object${inside === 1 ? '' : 's'} in it` : ''}?`,
          okLabel: 'Delete',
          okTestId: 'confirm-delete',
        };
        break;
      }
      case 'rename-folder':
        view = { heading: 'Rename', message: `New name for the folder “${q.folder.name}”:`, input: q.folder.name, okLabel: 'Rename', okTestId: 'confirm-rename' };
        break;
      case 'new-folder':
        view = { heading: 'New folder', message: 'Name of the new folder:', input: freeName('New folder', childFolders(this.folders, q.parentId).map((f) => f.name)), okLabel: 'Create', okTestId: 'confirm-new-folder' };
        break;
    }
    return html`<mvm-prompt
      .heading=${view.heading}
      .message=${view.message}
      .input=${view.input}
      .okLabel=${view.okLabel}
      .okTestId=${view.okTestId}
      .error=${common.error}
      @answer=${(e: CustomEvent<{ ok: boolean; value: string }>) => void this.answer(e.detail.ok, e.detail.value)}
    ></mvm-prompt>`;
  }

  override render() {
    const desktop = this.desktop;
    const objects = desktop ? this.objectsIn(desktop.id) : [];
    return html`
      ${this.renderLaunchPad()}
      ${this.error ? html`<p class="error banner" role="alert">Cannot reach the application: ${this.error}</p>` : nothing}
      <main
        class="desktop ${this.dropping ? 'dropping' : ''}"
        aria-label="Desktop"
        data-folder=${desktop ? String(desktop.id) : nothing}
        @dragover=${(e: DragEvent) => this.dragOver(e)}
        @dragleave=${(e: DragEvent) => {
          if (e.target === e.currentTarget) this.dropping = false;
        }}
        @drop=${(e: DragEvent) => void this.drop(e)}
      >
        <div class="icons" role="group" tabindex="0" aria-label="Desktop objects (Shift+F10 for New program, New folder…)" @contextmenu=${(e: MouseEvent) => desktop && this.containerContextMenu(e, desktop.id, 'Desktop')}>
          ${objects.map((o) => this.renderObject(o))}
        </div>
        ${this.openFolders.map((id) => this.renderFolderWindow(id))}
        ${this.sessions.map((s) => this.renderSessionWindow(s))}
        ${this.notice
          ? html`<div class="notice frame ${this.notice.error ? 'error' : ''}" role=${this.notice.error ? 'alert' : 'status'} data-testid="notice">
              <div class="titlebar active"><span class="title">${this.notice.error ? 'Cannot do that' : 'Done'}</span></div>
              <div class="content">
                <div>
                  <p data-testid="notice-text">${this.notice.text}</p>
                  ${this.notice.notes ? html`<ul data-testid="notice-notes">${this.notice.notes.map((n) => html`<li>${n}</li>`)}</ul>` : nothing}
                </div>
                <button data-testid="notice-dismiss" @click=${() => (this.notice = undefined)}>OK</button>
              </div>
            </div>`
          : nothing}
      </main>
      ${this.menu
        ? html`<mvm-menu
            .x=${this.menu.x}
            .y=${this.menu.y}
            .label=${this.menu.label}
            .items=${this.menu.items}
            @choose=${(e: CustomEvent<{ id: string }>) => {
              const m = this.menu;
              this.menu = undefined;
              m?.choose(e.detail.id);
            }}
            @dismiss=${() => this.menuDismissed()}
          ></mvm-menu>`
        : nothing}
      ${this.notebook
        ? keyed(
            this.notebook.seq,
            html`<mvm-notebook
              .api=${api}
              .program=${this.notebook.program}
              .folderId=${this.notebook.folderId}
              .defs=${this.defs}
              .folders=${this.folders}
              @saved=${(e: CustomEvent<{ program: ProgramInfo }>) => this.notebookSaved(e.detail.program)}
              @closed=${() => this.notebookClosed()}
            ></mvm-notebook>`,
          )
        : nothing}
      ${this.windowList
        ? html`<mvm-window-list
            .rows=${this.windowListRows}
            .ownWindows=${window.mvm !== undefined}
            @action=${(e: CustomEvent<{ action: WindowListAction; id: number }>) => this.windowListAction(e.detail.action, e.detail.id)}
            @closed=${() => this.closeWindowList()}
          ></mvm-window-list>`
        : nothing}
      ${this.renderQuestion()}
    `;
  }
}

// index.html?session=ID is one session's own window (Electron's openSessionWindow): that session alone.
const sessionId = new URLSearchParams(location.search).get('session');
if (sessionId !== null && /^\d{1,15}$/.test(sessionId)) {
  const view = new MvmSessionWindow();
  view.sessionId = Number(sessionId);
  view.api = api;
  document.body.replaceChildren(view);
} else {
  customElements.define('mvm-desktop', MvmDesktop);
}
