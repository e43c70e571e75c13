/**
 * The desktop page: what the application reports about itself, the Command Prompts folder (DOS Window, DOS
 * Full Screen) and the open DOS sessions, each in its session shield (renderer/session). The Workplace-Shell
 * desktop, the Window List and the session library grow from here (issue 6).
 */
import { css, html, LitElement } from 'lit';
import type { MvmInfo, SessionInfo } from '../preload/api.js';
import { connectApi } from './bridge.js';
import './session/mvm-session.js';
import { connectSession } from './session/port.js';
import type { SessionPort } from './session/port.js';

const api = connectApi();

interface OpenSession {
  info: SessionInfo;
  port: SessionPort;
  fullScreen: boolean;
}

/** Lit without decorators: `static properties` declares reactive state, `declare` keeps class fields off it. */
export class MvmDesktop extends LitElement {
  static override properties = {
    info: { state: true },
    error: { state: true },
    sessions: { state: true },
  };

  declare info: MvmInfo | undefined;
  declare error: string | undefined;
  declare sessions: OpenSession[];

  constructor() {
    super();
    this.sessions = [];
  }

  static override styles = css`
    :host {
      display: block;
      font: 14px system-ui, sans-serif;
      color: #000;
      min-height: 100vh;
      background: #008080;
    }
    header {
      background: linear-gradient(#0000a8, #000080);
      color: #fff;
      padding: 4px 8px;
      font-weight: bold;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
      padding: 8px;
      margin: 0;
      color: #fff;
    }
    dt {
      font-weight: bold;
    }
    .error {
      color: #fff;
      background: #a00000;
      padding: 8px;
    }
    .folder {
      display: flex;
      gap: 16px;
      padding: 12px;
    }
    .folder button {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 4px;
      width: 96px;
      background: none;
      border: 1px dotted transparent;
      color: #fff;
      font: inherit;
      cursor: pointer;
    }
    .folder button:focus-visible {
      border-color: #fff;
    }
    .icon {
      width: 40px;
      height: 32px;
      background: #000;
      border: 2px solid #c0c0c0;
      color: #c0c0c0;
      font: bold 11px monospace;
      display: grid;
      place-items: center;
    }
    .sessions {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      padding: 12px;
      align-items: flex-start;
    }
    mvm-session {
      width: min(760px, 100%);
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    api.info().then(
      (info) => (this.info = info),
      (e: unknown) => (this.error = e instanceof Error ? e.message : String(e)),
    );
  }

  /** Open a DOS session (the shell) in a shield; `fullScreen` starts it full screen, as "DOS Full Screen". */
  async openSession(fullScreen = false): Promise<void> {
    try {
      const info = await api.startSession({});
      this.sessions = [...this.sessions, { info, port: await connectSession(api, info), fullScreen }];
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private closeSession(s: OpenSession): void {
    s.port.close();
    void api.stopSession(s.info.id).catch(() => undefined);
    this.sessions = this.sessions.filter((x) => x !== s);
  }

  override render() {
    return html`
      <header>MVM Desktop</header>
      ${this.error ? html`<p class="error" role="alert">Cannot reach the application: ${this.error}</p>` : ''}
      ${this.info
        ? html`<dl>
            <dt>Version</dt>
            <dd data-testid="version">${this.info.version}</dd>
            <dt>CPU models</dt>
            <dd data-testid="cpu-models">${this.info.cpuModels.join(', ')}</dd>
          </dl>`
        : this.error
          ? ''
          : html`<p>Connecting…</p>`}
      <section class="folder" aria-label="Command Prompts">
        <button data-testid="open-dos-window" @click=${() => void this.openSession(false)}>
          <span class="icon" aria-hidden="true">C:\\&gt;</span>DOS Window
        </button>
        <button data-testid="open-dos-fullscreen" @click=${() => void this.openSession(true)}>
          <span class="icon" aria-hidden="true">DOS</span>DOS Full Screen
        </button>
      </section>
      <section class="sessions" aria-label="DOS sessions">
        ${this.sessions.map(
          (s) =>
            html`<mvm-session
              data-session=${s.info.id}
              .port=${s.port}
              .sessionTitle=${s.info.title}
              ?fullscreen=${s.fullScreen}
              @close=${() => this.closeSession(s)}
            ></mvm-session>`,
        )}
      </section>
    `;
  }
}

customElements.define('mvm-desktop', MvmDesktop);
