/**
 * <mvm-window-list>: OS/2's Window List (Ctrl+Esc) — every DOS session with its state (running, idle,
 * stopped with its exit code, crashed with the reason) and what can be done with it: Switch to (raise and
 * focus its window, shown again if hidden), Hide, Restart (an ended session's program object, again) and
 * Close (stop the session, remove its window). Escape closes the list.
 *
 * Events: 'action' (detail {action, id}) and 'closed'.
 */
import { css, html, LitElement, nothing } from 'lit';
import { icon } from './icons.js';
import { isEnded, type SessionState } from './library.js';
import { shellTheme, openModal } from './theme.js';

export interface WindowListRow {
  id: number;
  title: string;
  state: SessionState;
  /** The state in words ("stopped — exit code 42"). */
  stateText: string;
  /**
   * Where it is seen: a window on this desktop, hidden there, not on this page (another page or an earlier
   * load started it: Switch to shows it here), or a window of its own (Electron).
   */
  place: 'shown' | 'hidden' | 'elsewhere' | 'own-window';
  canRestart: boolean;
  fullScreen: boolean;
}

const PLACE_NOTES: Record<WindowListRow['place'], string> = { shown: '', hidden: '(hidden)', elsewhere: '(other page)', 'own-window': '(own window)' };

export type WindowListAction = 'switch' | 'hide' | 'close' | 'restart' | 'own-window';

export class MvmWindowList extends LitElement {
  static override properties = {
    rows: { attribute: false },
    loading: { type: Boolean },
    ownWindows: { type: Boolean },
  };

  declare rows: WindowListRow[];
  declare loading: boolean;
  /** The application can give a session a window of its own (Electron): offer "Own window". */
  declare ownWindows: boolean;

  constructor() {
    super();
    this.rows = [];
    this.loading = false;
    this.ownWindows = false;
  }

  static override styles = [
    shellTheme,
    css`
      .list {
        width: min(760px, calc(100vw - 24px));
        max-height: calc(100vh - 40px);
        display: flex;
        flex-direction: column;
      }
      .rows {
        background: #fff;
        border: 1px solid;
        border-color: var(--shadow) var(--light) var(--light) var(--shadow);
        margin: 6px 3px;
        overflow: auto;
        min-height: 120px;
      }
      table {
        border-collapse: collapse;
        width: 100%;
      }
      th {
        text-align: left;
        background: var(--face);
        border-bottom: 1px solid var(--shadow);
        padding: 3px 6px;
        position: sticky;
        top: 0;
      }
      td {
        padding: 4px 6px;
        vertical-align: middle;
        border-bottom: 1px dotted #c0c0c0;
      }
      td.name,
      td.state {
        white-space: nowrap;
      }
      td.name > span {
        display: flex;
        align-items: center;
        gap: 6px;
        font-weight: bold;
      }
      tr:focus-within {
        background: #dde4ff;
      }
      .actions {
        white-space: nowrap;
        text-align: right;
      }
      .actions button {
        min-height: 22px;
        padding: 1px 8px;
      }
      .state::before {
        content: '';
        display: inline-block;
        width: 9px;
        height: 9px;
        border: 1px solid #000;
        border-radius: 50%;
        margin-right: 6px;
        vertical-align: -1px;
      }
      .state.running::before {
        background: #00b000;
      }
      .state.starting::before,
      .state.paused::before {
        background: #e0c000;
      }
      .state.idle::before {
        background: #80a0ff;
      }
      .state.stopped::before {
        background: #909090;
      }
      .state.crashed::before {
        background: #d00000;
      }
      .state.crashed {
        color: #a00000;
        font-weight: bold;
      }
      .hidden-note {
        color: #606060;
        font-weight: normal;
        font-size: 12px;
      }
      .empty {
        padding: 24px;
        text-align: center;
        color: #404040;
      }
      .buttons {
        display: flex;
        justify-content: space-between;
        align-items: center;
        padding: 2px 3px 3px;
      }
    `,
  ];

  protected override firstUpdated(): void {
    openModal(this.renderRoot);
    this.renderRoot.querySelector<HTMLElement>('tbody button, [data-testid="wl-dismiss"]')?.focus();
  }

  private act(action: WindowListAction, id: number): void {
    this.dispatchEvent(new CustomEvent('action', { detail: { action, id } }));
  }

  close(): void {
    this.renderRoot.querySelector('dialog')?.close();
    this.dispatchEvent(new Event('closed'));
  }

  /** Up and down move between the rows' first buttons. */
  private keyDown(e: KeyboardEvent): void {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const rows = [...this.renderRoot.querySelectorAll<HTMLElement>('tbody tr')];
    const at = rows.findIndex((r) => r.matches(':focus-within'));
    const to = rows[(at + (e.key === 'ArrowDown' ? 1 : -1) + rows.length) % rows.length];
    const target = to?.querySelector<HTMLElement>('button');
    if (target) {
      e.preventDefault();
      target.focus();
    }
  }

  override render() {
    return html`<dialog
      data-testid="window-list"
      aria-labelledby="wl-title"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.close();
      }}
      @keydown=${(e: KeyboardEvent) => this.keyDown(e)}
    >
      <div class="frame list">
        <div class="titlebar active">
          ${icon('window-list', 16)}
          <span class="title" id="wl-title">Window List</span>
          <button aria-label="Close the Window List" title="Close (Esc)" @click=${() => this.close()}>✕</button>
        </div>
        <div class="rows">
          ${this.rows.length === 0
            ? html`<p class="empty">${this.loading ? 'Looking for sessions…' : 'No sessions are open. Open a program object or the DOS Window in Command Prompts.'}</p>`
            : html`<table>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">State</th>
                    <th scope="col"><span class="sr">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${this.rows.map(
                    (r) => html`<tr data-testid="wl-row-${r.id}" aria-label="${r.title}: ${r.stateText}">
                      <td class="name">
                        <span
                          >${icon(r.fullScreen ? 'dos-fullscreen' : 'dos-window', 16)}<span
                            >${r.title}${PLACE_NOTES[r.place] ? html` <span class="hidden-note">${PLACE_NOTES[r.place]}</span>` : nothing}</span
                          ></span
                        >
                      </td>
                      <td class="state ${r.state}" data-testid="wl-state-${r.id}">${r.stateText}</td>
                      <td class="actions">
                        ${r.place === 'own-window' ? nothing : html`<button data-testid="wl-switch-${r.id}" @click=${() => this.act('switch', r.id)}>Switch to</button>`}
                        ${this.ownWindows && r.place === 'shown' && !isEnded(r.state)
                          ? html`<button data-testid="wl-own-window-${r.id}" title="Show it in a window of its own" @click=${() => this.act('own-window', r.id)}>Own window</button>`
                          : nothing}
                        ${r.place === 'shown' && !isEnded(r.state) ? html`<button data-testid="wl-hide-${r.id}" @click=${() => this.act('hide', r.id)}>Hide</button>` : nothing}
                        ${r.canRestart && isEnded(r.state)
                          ? html`<button data-testid="wl-restart-${r.id}" @click=${() => this.act('restart', r.id)}>Restart</button>`
                          : nothing}
                        <button data-testid="wl-close-${r.id}" title=${isEnded(r.state) ? 'Remove it from the desktop' : 'Stop the session'} @click=${() => this.act('close', r.id)}>
                          Close
                        </button>
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>`}
        </div>
        <div class="buttons">
          <span class="hint">Ctrl+Esc opens this list; Esc closes it.</span>
          <button data-testid="wl-dismiss" @click=${() => this.close()}>Close list</button>
        </div>
      </div>
    </dialog>`;
  }
}

if (!customElements.get('mvm-window-list')) customElements.define('mvm-window-list', MvmWindowList);

declare global {
  interface HTMLElementTagNameMap {
    'mvm-window-list': MvmWindowList;
  }
}
