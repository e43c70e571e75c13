/**
 * <mvm-menu>: a pop-up (context) menu, as Workplace Shell objects have: opened by the right mouse button,
 * Shift+F10 or the context-menu key; arrows move, Enter chooses, Escape or a click elsewhere closes it.
 * A popover in the top layer, placed at (x, y) and kept inside the viewport.
 *
 * Events: 'choose' (detail {id}) and then 'dismiss'; 'dismiss' alone when closed without a choice.
 */
import { css, html, LitElement } from 'lit';
import { shellTheme } from './theme.js';

export interface MenuItem {
  id: string;
  label: string;
  testId: string;
  disabled?: boolean;
  /** Why it is disabled, for its tooltip and screen readers. */
  note?: string;
  /** Draw a separator line above it. */
  separator?: boolean;
}

export class MvmMenu extends LitElement {
  static override properties = {
    items: { attribute: false },
    x: { type: Number },
    y: { type: Number },
    label: {},
  };

  declare items: MenuItem[];
  declare x: number;
  declare y: number;
  declare label: string;
  private done = false;

  constructor() {
    super();
    this.items = [];
    this.x = 0;
    this.y = 0;
    this.label = 'Menu';
  }

  static override styles = [
    shellTheme,
    css`
      .menu {
        position: fixed;
        inset: auto;
        margin: 0;
        min-width: 160px;
        padding: 2px;
        display: flex;
        flex-direction: column;
        font: 13px system-ui, sans-serif;
      }
      .menu:popover-open {
        display: flex;
      }
      [role='menuitem'] {
        all: unset;
        display: block;
        padding: 4px 24px 4px 20px;
        cursor: pointer;
        white-space: nowrap;
      }
      [role='menuitem']:hover:not([aria-disabled='true']),
      [role='menuitem']:focus {
        background: var(--select);
        color: #fff;
      }
      [role='menuitem'][aria-disabled='true'] {
        color: var(--shadow);
        cursor: default;
      }
      [role='menuitem'][aria-disabled='true']:focus {
        color: #c0c0c0;
      }
      hr {
        border: none;
        border-top: 1px solid var(--shadow);
        border-bottom: 1px solid var(--light);
        margin: 2px 0;
      }
    `,
  ];

  private get menu(): HTMLElement | null {
    return this.renderRoot.querySelector('.menu');
  }

  private get buttons(): HTMLElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLElement>('[role="menuitem"]')];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('pointerdown', this.outside, true);
    window.addEventListener('blur', this.blurred);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerdown', this.outside, true);
    window.removeEventListener('blur', this.blurred);
  }

  /** A press anywhere but on the menu closes it (light dismiss, done by hand to be sure of the timing). */
  private readonly outside = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this)) this.finish(undefined);
  };

  private readonly blurred = (): void => this.finish(undefined);

  protected override firstUpdated(): void {
    const menu = this.menu;
    if (!menu) return;
    try {
      menu.showPopover();
    } catch {
      // no popover support: it is a fixed box all the same
    }
    this.place(menu);
    this.buttons.find((b) => b.getAttribute('aria-disabled') !== 'true')?.focus();
  }

  protected override updated(): void {
    const menu = this.menu;
    if (menu) this.place(menu);
  }

  /** At (x, y), moved left/up where it would leave the viewport. */
  private place(menu: HTMLElement): void {
    const w = menu.offsetWidth;
    const h = menu.offsetHeight;
    const x = Math.max(0, Math.min(this.x, window.innerWidth - w - 2));
    const y = Math.max(0, Math.min(this.y, window.innerHeight - h - 2));
    menu.style.setProperty('left', `${x}px`);
    menu.style.setProperty('top', `${y}px`);
  }

  private finish(id: string | undefined): void {
    if (this.done) return;
    this.done = true;
    if (id !== undefined) this.dispatchEvent(new CustomEvent('choose', { detail: { id } }));
    this.dispatchEvent(new Event('dismiss'));
  }

  private keyDown(e: KeyboardEvent): void {
    const buttons = this.buttons;
    const at = buttons.indexOf(this.renderRoot.querySelector<HTMLElement>(':focus') ?? buttons[0]);
    const move = (to: number): void => {
      e.preventDefault();
      buttons[(to + buttons.length) % buttons.length]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return move(at + 1);
      case 'ArrowUp':
        return move(at - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(buttons.length - 1);
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        return this.finish(undefined);
      case 'Tab':
        e.preventDefault();
        return this.finish(undefined);
    }
  }

  private choose(item: MenuItem): void {
    if (item.disabled) return;
    this.finish(item.id);
  }

  override render() {
    return html`<div
      class="menu frame"
      popover="manual"
      role="menu"
      aria-label=${this.label}
      @keydown=${(e: KeyboardEvent) => this.keyDown(e)}
    >
      ${this.items.map(
        (item) => html`${item.separator ? html`<hr />` : ''}<button
            role="menuitem"
            data-testid=${item.testId}
            aria-disabled=${item.disabled ? 'true' : 'false'}
            title=${item.note ?? ''}
            tabindex="-1"
            @click=${() => this.choose(item)}
          >
            ${item.label}
          </button>`,
      )}
    </div>`;
  }
}

if (!customElements.get('mvm-menu')) customElements.define('mvm-menu', MvmMenu);

declare global {
  interface HTMLElementTagNameMap {
    'mvm-menu': MvmMenu;
  }
}
