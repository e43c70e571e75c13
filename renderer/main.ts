/**
 * The desktop shell page. For now it shows what the application reports about itself; the WPS-like desktop,
 * window list and session shields grow from here.
 */
import { css, html, LitElement } from 'lit';
import type { MvmInfo } from '../preload/api.js';
import { connectApi } from './bridge.js';

const api = connectApi();

/** Lit without decorators: `static properties` declares reactive state, `declare` keeps class fields off it. */
export class MvmDesktop extends LitElement {
  static override properties = {
    info: { state: true },
    error: { state: true },
  };

  declare info: MvmInfo | undefined;
  declare error: string | undefined;

  static override styles = css`
    :host {
      display: block;
      font: 14px system-ui, sans-serif;
      color: #000;
    }
    header {
      background: #000080;
      color: #fff;
      padding: 4px 8px;
      font-weight: bold;
    }
    dl {
      display: grid;
      grid-template-columns: max-content 1fr;
      gap: 4px 12px;
      padding: 8px;
    }
    dt {
      font-weight: bold;
    }
    .error {
      color: #a00000;
      padding: 8px;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    api.info().then(
      (info) => (this.info = info),
      (e: unknown) => (this.error = e instanceof Error ? e.message : String(e)),
    );
  }

  override render() {
    return html`
      <header>MVM Desktop</header>
      ${this.error
        ? html`<p class="error" role="alert">Cannot reach the application: ${this.error}</p>`
        : this.info
          ? html`<dl>
              <dt>Version</dt>
              <dd data-testid="version">${this.info.version}</dd>
              <dt>CPU models</dt>
              <dd data-testid="cpu-models">${this.info.cpuModels.join(', ')}</dd>
            </dl>`
          : html`<p>Connecting…</p>`}
    `;
  }
}

customElements.define('mvm-desktop', MvmDesktop);
