/**
 * <mvm-notebook>: a program object's settings notebook, as OS/2 showed an object's Settings — pages with
 * tabs down the right edge: Program (name, kind, program, parameters, working directory), Drives (host
 * folders as DOS drives), DOS settings (every setting the VDDs register, with the control its type needs and
 * its help text) and History (the object's runs). Save creates or updates the object; a refusal is shown in
 * the notebook and the form stays as typed.
 *
 * Events: 'saved' (detail {program, created}) and 'closed' (Cancel, Escape, the close button, after Save).
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import type { FolderInfo, MvmApi, ProgramInfo, ProgramKind, RunInfo, SettingDef } from '../../preload/api.js';
import { icon } from './icons.js';
import { describeRun, draftOf, draftToInput, DRIVE_LETTERS, errorText, folderPath, nextDriveLetter, type ProgramDraft } from './library.js';
import { checkDosPath } from './dos-path.js';
import { filterSettings, groupSettings, isChanged, parseSetting, type DraftValue } from './settings.js';
import { shellTheme, openModal } from './theme.js';

type Tab = 'program' | 'drives' | 'settings' | 'history';
const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'program', label: 'Program' },
  { id: 'drives', label: 'Drives' },
  { id: 'settings', label: 'DOS settings' },
  { id: 'history', label: 'History' },
];

const KIND_LABELS: Record<ProgramKind, string> = {
  'dos-window': 'DOS window',
  'dos-fullscreen': 'DOS full screen',
  win16: 'Win16 program',
  'boot-image': 'Boot image',
};

export class MvmNotebook extends LitElement {
  static override properties = {
    api: { attribute: false },
    program: { attribute: false },
    folderId: { attribute: false },
    defs: { attribute: false },
    folders: { attribute: false },
    draft: { state: true },
    tab: { state: true },
    errors: { state: true },
    saving: { state: true },
    runs: { state: true },
    runsError: { state: true },
    filter: { state: true },
  };

  declare api: Pick<MvmApi, 'createProgram' | 'updateProgram' | 'listRuns'> | undefined;
  /** The object edited; undefined for a new one. */
  declare program: ProgramInfo | undefined;
  /** Where a new object goes. */
  declare folderId: number;
  declare defs: SettingDef[];
  declare folders: FolderInfo[];

  declare private draft: ProgramDraft | undefined;
  declare private tab: Tab;
  declare private errors: string[];
  declare private saving: boolean;
  declare private runs: RunInfo[] | undefined;
  declare private runsError: string | undefined;
  declare private filter: string;

  constructor() {
    super();
    this.program = undefined;
    this.folderId = 0;
    this.defs = [];
    this.folders = [];
    this.tab = 'program';
    this.errors = [];
    this.saving = false;
    this.filter = '';
  }

  static override styles = [
    shellTheme,
    css`
      .notebook {
        width: min(720px, calc(100vw - 24px));
        height: min(620px, calc(100vh - 24px));
        display: flex;
        flex-direction: column;
      }
      .body {
        flex: 1;
        min-height: 0;
        display: flex;
        padding: 8px 0 4px 8px;
      }
      /* The page: white paper with a bound left edge, as the Warp notebook draws it. */
      .page {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
        background: #f4f4ec;
        border: 1px solid #000;
        border-left: 6px double #606060;
        box-shadow: 2px 2px 0 #808080, 4px 4px 0 #a8a8a8;
        padding: 10px 14px;
        overflow: hidden;
      }
      .page h2 {
        margin: 0 0 10px;
        font-size: 15px;
        border-bottom: 1px solid #808080;
        padding-bottom: 4px;
      }
      .scroll {
        flex: 1;
        min-height: 0;
        overflow: auto;
        padding: 2px;
      }
      .pageno {
        text-align: right;
        color: #404040;
        font-size: 12px;
        padding-top: 4px;
      }
      .tabs {
        display: flex;
        flex-direction: column;
        gap: 2px;
        padding-top: 14px;
      }
      [role='tab'] {
        text-align: left;
        min-width: 108px;
        border-left: none;
        border-radius: 0 6px 6px 0;
        background: #d8d8c8;
        margin-left: -1px;
        padding: 6px 10px;
      }
      [role='tab'][aria-selected='true'] {
        background: #f4f4ec;
        font-weight: bold;
        margin-left: -7px;
        padding-left: 16px;
        box-shadow: inset -1px -1px 0 var(--shadow);
      }
      .fields {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 8px 12px;
        align-items: center;
      }
      .fields .hint {
        grid-column: 2;
        margin-top: -4px;
      }
      .fields input,
      .fields select {
        width: 100%;
      }
      [aria-invalid='true'] {
        border-color: #c00000 !important;
        box-shadow: inset 0 0 0 1px #c00000 !important;
      }
      .bad {
        color: #a00000;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th {
        text-align: left;
        font-weight: bold;
        border-bottom: 1px solid #808080;
        padding: 3px 6px;
      }
      td {
        padding: 3px 6px;
        vertical-align: middle;
      }
      tbody tr:nth-child(even) {
        background: #e8e8dc;
      }
      td input[type='text'] {
        width: 100%;
      }
      .toolbar {
        display: flex;
        gap: 6px;
        align-items: center;
        margin: 8px 0;
      }
      .toolbar .grow {
        flex: 1;
      }
      fieldset {
        border: 1px solid #a0a0a0;
        margin: 0 0 10px;
        padding: 4px 8px 8px;
      }
      legend {
        font-weight: bold;
        padding: 0 4px;
      }
      .setting {
        display: grid;
        grid-template-columns: 210px 1fr 24px;
        gap: 2px 10px;
        align-items: center;
        padding: 5px 0;
        border-bottom: 1px dotted #c0c0b0;
      }
      .setting:last-child {
        border-bottom: none;
      }
      .setting label {
        font-family: monospace;
        font-size: 13px;
        overflow-wrap: anywhere;
      }
      .setting .changed label {
        font-weight: bold;
      }
      .setting .help {
        grid-column: 1 / 4;
        color: #303030;
        font-size: 12px;
      }
      .setting textarea {
        width: 100%;
        min-height: 56px;
        resize: vertical;
        font-family: monospace;
      }
      .setting input[type='number'] {
        width: 110px;
      }
      .setting .reset {
        padding: 0;
        min-height: 20px;
        min-width: 22px;
      }
      .range {
        color: #404040;
        font-size: 12px;
        margin-left: 6px;
      }
      .buttons {
        display: flex;
        gap: 8px;
        padding: 8px;
        align-items: center;
      }
      .buttons .grow {
        flex: 1;
      }
      [role='alert'].error {
        margin: 0 8px;
      }
      .empty {
        color: #404040;
        font-style: italic;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.draft ??= draftOf(this.program, this.defs, this.folderId);
  }

  protected override willUpdate(changed: PropertyValues): void {
    // The defs may arrive after the notebook opened: fill in the settings it had no definition for yet.
    if (changed.has('defs') && this.draft) {
      const fresh = draftOf(this.program, this.defs, this.folderId).settings;
      this.draft = { ...this.draft, settings: { ...fresh, ...this.draft.settings } };
    }
  }

  protected override firstUpdated(): void {
    openModal(this.renderRoot);
    this.renderRoot.querySelector<HTMLElement>('[data-testid="nb-name"]')?.focus();
  }

  private get heading(): string {
    const name = this.draft?.name.trim() || this.program?.name || 'New program';
    return `${name} — Settings`;
  }

  private set<K extends keyof ProgramDraft>(key: K, value: ProgramDraft[K]): void {
    if (this.draft) this.draft = { ...this.draft, [key]: value };
  }

  private setSetting(name: string, value: DraftValue): void {
    if (this.draft) this.draft = { ...this.draft, settings: { ...this.draft.settings, [name]: value } };
  }

  private setDrive(i: number, change: Partial<ProgramDraft['drives'][number]>): void {
    if (!this.draft) return;
    this.set(
      'drives',
      this.draft.drives.map((d, j) => (j === i ? { ...d, ...change } : d)),
    );
  }

  private selectTab(tab: Tab, focus = false): void {
    this.tab = tab;
    if (tab === 'history' && this.program && this.runs === undefined) void this.loadRuns();
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-testid="nb-tab-${tab}"]`)?.focus());
  }

  private tabKey(e: KeyboardEvent): void {
    const at = TABS.findIndex((t) => t.id === this.tab);
    const to = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? at + 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? at - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? TABS.length - 1 : undefined;
    if (to === undefined) return;
    e.preventDefault();
    this.selectTab(TABS[(to + TABS.length) % TABS.length].id, true);
  }

  async loadRuns(): Promise<void> {
    if (!this.program || !this.api) return;
    try {
      this.runs = await this.api.listRuns(this.program.id);
      this.runsError = undefined;
    } catch (e) {
      this.runsError = errorText(e);
    }
  }

  private async save(): Promise<void> {
    if (!this.draft || !this.api || this.saving) return;
    const result = draftToInput(this.draft, this.defs, this.program?.settings ?? {});
    if ('errors' in result) {
      this.errors = result.errors;
      return;
    }
    this.saving = true;
    this.errors = [];
    try {
      const saved = this.program ? await this.api.updateProgram(this.program.id, result.input) : await this.api.createProgram(result.input);
      this.dispatchEvent(new CustomEvent('saved', { detail: { program: saved, created: !this.program } }));
      this.close();
    } catch (e) {
      this.errors = [errorText(e)];
    } finally {
      this.saving = false;
    }
  }

  private close(): void {
    this.renderRoot.querySelector('dialog')?.close();
    this.dispatchEvent(new Event('closed'));
  }

  // ---- pages

  private programPage(d: ProgramDraft) {
    const programProblem = d.program.trim() ? checkDosPath(d.program.trim(), 'program') : undefined;
    const dirProblem = d.workingDir.trim() ? checkDosPath(d.workingDir.trim(), 'directory') : undefined;
    const kinds: ProgramKind[] = ['dos-window', 'dos-fullscreen'];
    if (!kinds.includes(d.kind)) kinds.push(d.kind);
    return html`<div class="fields">
      <label for="nb-name">Name</label>
      <input id="nb-name" type="text" data-testid="nb-name" required aria-required="true" .value=${d.name} @input=${(e: Event) => this.set('name', (e.target as HTMLInputElement).value)} />
      <label for="nb-kind">Session type</label>
      <select id="nb-kind" data-testid="nb-kind" @change=${(e: Event) => this.set('kind', (e.target as HTMLSelectElement).value as ProgramKind)}>
        ${kinds.map((k) => html`<option value=${k} ?selected=${d.kind === k}>${KIND_LABELS[k]}</option>`)}
      </select>
      <label for="nb-folder">Folder</label>
      <select id="nb-folder" data-testid="nb-folder" @change=${(e: Event) => this.set('folderId', Number((e.target as HTMLSelectElement).value))}>
        ${[...this.folders]
          .map((f) => ({ id: f.id, path: folderPath(this.folders, f.id) }))
          .sort((a, b) => a.path.localeCompare(b.path))
          .map((f) => html`<option value=${String(f.id)} ?selected=${d.folderId === f.id}>${f.path}</option>`)}
      </select>
      <label for="nb-program">Path and file name</label>
      <input
        id="nb-program"
        type="text"
        data-testid="nb-program"
        placeholder="C:\\GAMES\\KEEN.EXE"
        spellcheck="false"
        aria-describedby="nb-program-hint"
        aria-invalid=${programProblem ? 'true' : 'false'}
        .value=${d.program}
        @input=${(e: Event) => this.set('program', (e.target as HTMLInputElement).value)}
      />
      <span id="nb-program-hint" class="hint ${programProblem ? 'bad' : ''}">${programProblem ?? 'The DOS program with its drive. Empty: the DOS command prompt.'}</span>
      <label for="nb-parameters">Parameters</label>
      <input id="nb-parameters" type="text" data-testid="nb-parameters" spellcheck="false" maxlength="126" .value=${d.parameters} @input=${(e: Event) => this.set('parameters', (e.target as HTMLInputElement).value)} />
      <label for="nb-workdir">Working directory</label>
      <input
        id="nb-workdir"
        type="text"
        data-testid="nb-workdir"
        placeholder="C:\\GAMES"
        spellcheck="false"
        aria-describedby="nb-workdir-hint"
        aria-invalid=${dirProblem ? 'true' : 'false'}
        .value=${d.workingDir}
        @input=${(e: Event) => this.set('workingDir', (e.target as HTMLInputElement).value)}
      />
      <span id="nb-workdir-hint" class="hint ${dirProblem ? 'bad' : ''}">${dirProblem ?? "Empty: the program's own folder."}</span>
    </div>`;
  }

  private drivesPage(d: ProgramDraft) {
    const letterFree = nextDriveLetter(d.drives);
    return html`<p class="hint" id="nb-drives-hint">Host folders this program sees as DOS drives. Drive C: should hold the program.</p>
      <table aria-describedby="nb-drives-hint">
        <thead>
          <tr>
            <th scope="col">Drive</th>
            <th scope="col">Host folder</th>
            <th scope="col">Read-only</th>
            <th scope="col"><span class="sr">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          ${d.drives.length === 0 ? html`<tr><td colspan="4" class="empty">No drives mapped.</td></tr>` : nothing}
          ${d.drives.map(
            (drive, i) => html`<tr>
              <td>
                <select data-testid="nb-drive-letter-${i}" aria-label="Drive letter of mapping ${i + 1}" @change=${(e: Event) => this.setDrive(i, { letter: (e.target as HTMLSelectElement).value })}>
                  ${DRIVE_LETTERS.map((l) => html`<option value=${l} ?selected=${drive.letter.toUpperCase() === l}>${l}:</option>`)}
                </select>
              </td>
              <td>
                <input
                  type="text"
                  data-testid="nb-drive-path-${i}"
                  aria-label="Host folder for drive ${drive.letter}:"
                  placeholder="/home/me/dos/games"
                  spellcheck="false"
                  .value=${drive.hostPath}
                  @input=${(e: Event) => this.setDrive(i, { hostPath: (e.target as HTMLInputElement).value })}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  data-testid="nb-drive-ro-${i}"
                  aria-label="Drive ${drive.letter}: read-only"
                  .checked=${drive.readOnly}
                  @change=${(e: Event) => this.setDrive(i, { readOnly: (e.target as HTMLInputElement).checked })}
                />
              </td>
              <td>
                <button
                  type="button"
                  data-testid="nb-drive-remove-${i}"
                  aria-label="Remove drive ${drive.letter}:"
                  @click=${() =>
                    this.set(
                      'drives',
                      d.drives.filter((_, j) => j !== i),
                    )}
                >
                  Remove
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="toolbar">
        <button
          type="button"
          data-testid="nb-add-drive"
          ?disabled=${!letterFree}
          @click=${() => {
            this.set('drives', [...d.drives, { letter: letterFree ?? 'C', hostPath: '', readOnly: false }]);
            void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-testid="nb-drive-path-${d.drives.length}"]`)?.focus());
          }}
        >
          Add drive
        </button>
      </div>`;
  }

  private settingControl(def: SettingDef, value: DraftValue, id: string) {
    const testId = `nb-setting-${def.name}`;
    const described = `${id}-help`;
    switch (def.type) {
      case 'bool':
        return html`<span
          ><input
            id=${id}
            type="checkbox"
            data-testid=${testId}
            aria-describedby=${described}
            .checked=${value === true}
            @change=${(e: Event) => this.setSetting(def.name, (e.target as HTMLInputElement).checked)}
          />
          <label class="onoff" for=${id}>${value === true ? 'On' : 'Off'}</label></span
        >`;
      case 'int': {
        const bad = 'error' in parseSetting(def, value);
        return html`<span
          ><input
            id=${id}
            type="number"
            data-testid=${testId}
            aria-describedby=${described}
            aria-invalid=${bad ? 'true' : 'false'}
            min=${def.min}
            max=${def.max}
            step=${def.step ?? 1}
            .value=${String(value)}
            @input=${(e: Event) => this.setSetting(def.name, (e.target as HTMLInputElement).value)}
          /><span class="range">${def.min}–${def.max}${def.step ? `, steps of ${def.step}` : ''}</span></span
        >`;
      }
      case 'enum':
        return html`<select id=${id} data-testid=${testId} aria-describedby=${described} @change=${(e: Event) => this.setSetting(def.name, (e.target as HTMLSelectElement).value)}>
          ${def.values.map((v) => html`<option value=${v} ?selected=${value === v}>${v}</option>`)}
        </select>`;
      case 'string':
        return html`<input
          id=${id}
          type="text"
          data-testid=${testId}
          aria-describedby=${described}
          spellcheck="false"
          .value=${String(value)}
          @input=${(e: Event) => this.setSetting(def.name, (e.target as HTMLInputElement).value)}
        />`;
      case 'mlstr':
        return html`<textarea
          id=${id}
          data-testid=${testId}
          aria-describedby=${described}
          spellcheck="false"
          rows="3"
          .value=${String(value)}
          @input=${(e: Event) => this.setSetting(def.name, (e.target as HTMLTextAreaElement).value)}
        ></textarea>`;
    }
  }

  private settingsPage(d: ProgramDraft) {
    const groups = groupSettings(filterSettings(this.defs, this.filter));
    const changed = this.defs.filter((def) => isChanged(def, d.settings[def.name])).length;
    return html`<div class="toolbar">
        <label for="nb-settings-filter">Find</label>
        <input
          id="nb-settings-filter"
          type="text"
          data-testid="nb-settings-filter"
          placeholder="name or words"
          .value=${this.filter}
          @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)}
        />
        <span class="grow hint" role="status">${changed === 0 ? 'All settings at their defaults.' : `${changed} changed from the default.`}</span>
        <button
          type="button"
          data-testid="nb-settings-default"
          title="Set every DOS setting back to its default"
          @click=${() => {
            const defaults: Record<string, DraftValue> = {};
            for (const def of this.defs) defaults[def.name] = def.default;
            this.set('settings', { ...d.settings, ...defaults });
          }}
        >
          Default
        </button>
      </div>
      <div class="scroll">
        ${this.defs.length === 0 ? html`<p class="empty">No DOS settings are known yet.</p>` : nothing}
        ${groups.map(
          (g) => html`<fieldset>
            <legend>${g.label}</legend>
            ${g.defs.map((def) => {
              const id = `nb-s-${def.name}`;
              const value = d.settings[def.name] ?? def.default;
              const isNew = isChanged(def, value);
              return html`<div class="setting ${isNew ? 'changed' : ''}" data-testid="nb-row-${def.name}">
                <label for=${id}>${def.name}</label>
                ${this.settingControl(def, value, id)}
                ${isNew
                  ? html`<button type="button" class="reset" data-testid="nb-reset-${def.name}" title="Back to the default (${String(def.default)})" aria-label="Set ${def.name} back to its default" @click=${() => this.setSetting(def.name, def.default)}>↺</button>`
                  : html`<span></span>`}
                <span class="help" id="${id}-help">${def.help}${def.changeableWhileRunning ? '' : ' (takes effect when the session starts)'}</span>
              </div>`;
            })}
          </fieldset>`,
        )}
      </div>`;
  }

  private historyPage() {
    if (!this.program) return html`<p class="empty" data-testid="nb-history">Not started yet: save the object, then open it.</p>`;
    return html`<div class="toolbar">
        <span class="grow hint">Every start of this object, newest first.</span>
        <button type="button" data-testid="nb-history-refresh" @click=${() => void this.loadRuns()}>Refresh</button>
      </div>
      ${this.runsError ? html`<p class="error" role="alert">${this.runsError}</p>` : nothing}
      <div class="scroll">
        <table data-testid="nb-history">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Ended</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            ${this.runs === undefined
              ? html`<tr><td colspan="3" class="empty">Loading…</td></tr>`
              : this.runs.length === 0
                ? html`<tr><td colspan="3" class="empty">Never started.</td></tr>`
                : this.runs.map(
                    (r) => html`<tr data-testid="nb-run-${r.id}">
                      <td>${new Date(r.startedAt).toLocaleString()}</td>
                      <td>${r.endedAt ? new Date(r.endedAt).toLocaleString() : '—'}</td>
                      <td>${describeRun(r)}</td>
                    </tr>`,
                  )}
          </tbody>
        </table>
      </div>`;
  }

  override render() {
    const d = this.draft;
    if (!d) return nothing;
    const at = TABS.findIndex((t) => t.id === this.tab);
    const page =
      this.tab === 'program' ? this.programPage(d) : this.tab === 'drives' ? this.drivesPage(d) : this.tab === 'settings' ? this.settingsPage(d) : this.historyPage();
    return html`<dialog
      data-testid="settings-notebook"
      aria-labelledby="nb-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.close();
      }}
    >
      <form
        class="frame notebook"
        @submit=${(e: Event) => {
          e.preventDefault();
          void this.save();
        }}
      >
        <div class="titlebar active">
          ${icon(this.draft?.kind ?? 'dos-window', 16)}
          <span class="title" id="nb-title">${this.heading}</span>
          <button type="button" aria-label="Close the notebook" title="Close" @click=${() => this.close()}>✕</button>
        </div>
        <div class="body">
          <section class="page" role="tabpanel" id="nb-page" aria-labelledby="nb-tab-${this.tab}">
            <h2>${TABS[at].label}</h2>
            ${this.tab === 'program' || this.tab === 'drives' ? html`<div class="scroll">${page}</div>` : page}
            <div class="pageno">Page ${at + 1} of ${TABS.length}</div>
          </section>
          <div class="tabs" role="tablist" aria-orientation="vertical" aria-label="Notebook pages" @keydown=${(e: KeyboardEvent) => this.tabKey(e)}>
            ${TABS.map(
              (t) => html`<button
                type="button"
                role="tab"
                id="nb-tab-${t.id}"
                data-testid="nb-tab-${t.id}"
                aria-selected=${this.tab === t.id ? 'true' : 'false'}
                aria-controls="nb-page"
                tabindex=${this.tab === t.id ? 0 : -1}
                @click=${() => this.selectTab(t.id)}
              >
                ${t.label}
              </button>`,
            )}
          </div>
        </div>
        ${this.errors.length
          ? html`<div class="error" role="alert" data-testid="nb-error">
              ${this.errors.length === 1 ? this.errors[0] : html`Cannot save yet:<ul>${this.errors.map((e) => html`<li>${e}</li>`)}</ul>`}
            </div>`
          : nothing}
        <div class="buttons">
          <button type="submit" class="default" data-testid="nb-save" ?disabled=${this.saving}>${this.saving ? 'Saving…' : 'Save'}</button>
          <button type="button" data-testid="nb-cancel" @click=${() => this.close()}>Cancel</button>
          <span class="grow"></span>
          <span class="hint">${this.program ? `Object ${this.program.id}${this.program.importedFrom ? `, imported from ${this.program.importedFrom}` : ''}` : 'A new program object'}</span>
        </div>
      </form>
    </dialog>`;
  }
}

if (!customElements.get('mvm-notebook')) customElements.define('mvm-notebook', MvmNotebook);

declare global {
  interface HTMLElementTagNameMap {
    'mvm-notebook': MvmNotebook;
  }
}
