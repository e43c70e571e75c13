/**
 * <mvm-prompt>: the shell's own small modal questions — "Delete Hello?", "New folder name" — inside the
 * page, never window.confirm/prompt. With `input` set it asks for a line of text.
 *
 * Events: 'answer' (detail {ok, value}); the dialog is closed either way.
 */
import { css, html, LitElement, nothing } from 'lit';
import { shellTheme, openModal } from './theme.js';

export class MvmPrompt extends LitElement {
  static override properties = {
    heading: {},
    message: {},
    /** When a string: the text field's starting value (the dialog asks for text). */
    input: { attribute: false },
    inputLabel: {},
    okLabel: {},
    okTestId: {},
    error: {},
    value: { state: true },
  };

  declare heading: string;
  declare message: string;
  declare input: string | undefined;
  declare inputLabel: string;
  declare okLabel: string;
  declare okTestId: string;
  /** A refusal to show (set by the owner after a failed answer). */
  declare error: string;
  declare private value: string;
  private answered = false;

  constructor() {
    super();
    this.heading = '';
    this.message = '';
    this.input = undefined;
    this.inputLabel = 'Name';
    this.okLabel = 'OK';
    this.okTestId = 'prompt-ok';
    this.error = '';
    this.value = '';
  }

  static override styles = [
    shellTheme,
    css`
      .box {
        width: min(420px, calc(100vw - 24px));
      }
      .content {
        display: flex;
        gap: 12px;
        padding: 14px 12px 8px;
        align-items: flex-start;
      }
      .mark {
        flex: none;
        width: 32px;
        height: 32px;
        border-radius: 50%;
        background: #0000a8;
        color: #fff;
        font: bold 20px serif;
        display: grid;
        place-items: center;
        border: 1px solid #000;
      }
      .text {
        flex: 1;
        display: flex;
        flex-direction: column;
        gap: 8px;
      }
      .text p {
        margin: 0;
      }
      input {
        width: 100%;
      }
      .buttons {
        display: flex;
        gap: 8px;
        justify-content: center;
        padding: 6px 8px 8px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.value = this.input ?? '';
  }

  protected override firstUpdated(): void {
    openModal(this.renderRoot);
    const field = this.renderRoot.querySelector<HTMLInputElement>('input');
    if (field) {
      field.focus();
      field.select();
    } else this.renderRoot.querySelector<HTMLElement>('[data-cancel]')?.focus();
  }

  private answer(ok: boolean): void {
    if (this.answered && !ok) return;
    if (!ok) this.answered = true;
    this.dispatchEvent(new CustomEvent('answer', { detail: { ok, value: this.value } }));
  }

  override render() {
    return html`<dialog
      role="alertdialog"
      aria-labelledby="p-title"
      aria-describedby="p-message"
      data-testid="prompt"
      @cancel=${(e: Event) => {
        e.preventDefault();
        this.answer(false);
      }}
    >
      <form
        class="frame box"
        @submit=${(e: Event) => {
          e.preventDefault();
          this.answer(true);
        }}
      >
        <div class="titlebar active"><span class="title" id="p-title">${this.heading}</span></div>
        <div class="content">
          <span class="mark" aria-hidden="true">${this.input === undefined ? '?' : 'i'}</span>
          <div class="text">
            <p id="p-message">${this.message}</p>
            ${this.input !== undefined
              ? html`<label class="sr" for="p-input">${this.inputLabel}</label
                  ><input id="p-input" type="text" data-testid="prompt-input" .value=${this.value} @input=${(e: Event) => (this.value = (e.target as HTMLInputElement).value)} />`
              : nothing}
            ${this.error ? html`<p class="error" role="alert" data-testid="prompt-error">${this.error}</p>` : nothing}
          </div>
        </div>
        <div class="buttons">
          <button type="submit" class="default" data-testid=${this.okTestId}>${this.okLabel}</button>
          <button type="button" data-cancel data-testid="prompt-cancel" @click=${() => this.answer(false)}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }
}

if (!customElements.get('mvm-prompt')) customElements.define('mvm-prompt', MvmPrompt);

declare global {
  interface HTMLElementTagNameMap {
    'mvm-prompt': MvmPrompt;
  }
}
