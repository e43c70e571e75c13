/**
 * A session's own window (Electron opens `index.html?session=ID` for it, openSessionWindow): the page is
 * that one session's shield filling the window, connected to the VM by its own port, titled after it.
 * Closing the session (its close button, or the VM ending and the user closing) closes the window.
 */
import { css, html, LitElement } from 'lit';
import type { MvmApi, SessionInfo } from '../../preload/api.js';
import './mvm-session.js';
import { connectSession, type SessionPort } from './port.js';

export class MvmSessionWindow extends LitElement {
  static override properties = {
    sessionId: { type: Number, attribute: 'session-id' },
    port: { state: true },
    info: { state: true },
    error: { state: true },
  };

  declare sessionId: number;
  /** The contract, given by the page (renderer/main.ts). */
  api: Pick<MvmApi, 'listSessions' | 'openShieldPort' | 'stopSession'> | undefined;
  declare private port: SessionPort | undefined;
  declare private info: SessionInfo | undefined;
  declare private error: string | undefined;

  static override styles = css`
    :host {
      display: block;
      position: fixed;
      inset: 0;
      background: #000;
    }
    mvm-session {
      position: absolute;
      inset: 0;
    }
    p {
      color: #fff;
      font: 14px system-ui, sans-serif;
      padding: 1em;
    }
  `;

  override async connectedCallback(): Promise<void> {
    super.connectedCallback();
    try {
      if (!this.api) throw new Error('no application API');
      const info = (await this.api.listSessions()).find((s) => s.id === this.sessionId);
      if (!info) throw new Error(`session ${this.sessionId} is not running`);
      this.info = info;
      document.title = info.title;
      this.port = await connectSession(this.api, info);
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private close(): void {
    this.port?.close();
    if (this.api && this.info) void this.api.stopSession(this.info.id).catch(() => undefined);
    window.close();
  }

  override render() {
    if (this.error) return html`<p role="alert">${this.error}</p>`;
    if (!this.port || !this.info) return html`<p>Connecting…</p>`;
    return html`<mvm-session .port=${this.port} .sessionTitle=${this.info.title} ?fullscreen=${this.info.fullScreen === true} @close=${() => this.close()}></mvm-session>`;
  }
}

if (!customElements.get('mvm-session-window')) customElements.define('mvm-session-window', MvmSessionWindow);
