/**
 * The shell's look, shared by the desktop, its folder windows, the settings notebook, the Window List and the
 * menus: Warp's grey 3-D frames, blue title bars, bevelled buttons and clear focus rings. Lit `css` (adopted
 * style sheets), which the page's CSP allows where inline style attributes are refused.
 */
import { css } from 'lit';

export const shellTheme = css`
  :host {
    font: 13px system-ui, sans-serif;
    --face: #c6c6c6;
    --face-dark: #b4b4b4;
    --shadow: #808080;
    --light: #fff;
    --ink: #000;
    --title-active: linear-gradient(#0000a8, #000080);
    --title-inactive: linear-gradient(#5a6b8c, #404d66);
    --focus: #ffff00;
    --select: #000080;
  }
  [hidden] {
    display: none !important;
  }
  /* Read by screen readers, not shown. */
  .sr {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .frame {
    box-sizing: border-box;
    background: var(--face);
    color: var(--ink);
    border: 1px solid #000;
    box-shadow:
      inset 1px 1px 0 var(--light),
      inset -1px -1px 0 var(--shadow),
      3px 3px 0 rgb(0 0 0 / 35%);
    padding: 3px;
  }
  .titlebar {
    display: flex;
    align-items: center;
    gap: 6px;
    min-height: 22px;
    padding: 1px 2px 1px 3px;
    background: var(--title-inactive);
    color: #fff;
    font-weight: bold;
    user-select: none;
  }
  .frame:focus-within > .titlebar,
  .titlebar.active {
    background: var(--title-active);
  }
  .titlebar .title {
    flex: 1;
    overflow: hidden;
    white-space: nowrap;
    text-overflow: ellipsis;
  }
  .titlebar svg {
    flex: none;
  }
  button,
  .button {
    font: inherit;
    color: var(--ink);
    background: var(--face);
    border: 1px solid #000;
    box-shadow:
      inset 1px 1px 0 var(--light),
      inset -1px -1px 0 var(--shadow);
    padding: 2px 10px;
    min-height: 24px;
    cursor: pointer;
  }
  button:active,
  button[aria-pressed='true'] {
    box-shadow:
      inset 1px 1px 0 var(--shadow),
      inset -1px -1px 0 var(--light);
    background: var(--face-dark);
  }
  button:disabled {
    color: var(--shadow);
    cursor: default;
  }
  button.default {
    outline: 1px solid #000;
    outline-offset: 0;
  }
  .titlebar button {
    min-height: 18px;
    min-width: 20px;
    padding: 0 4px;
    line-height: 1;
    font-weight: normal;
  }
  :focus-visible {
    outline: 2px dotted var(--ink);
    outline-offset: 1px;
  }
  button:focus-visible {
    outline: 1px dotted #000;
    outline-offset: -5px;
  }
  input[type='text'],
  input[type='number'],
  input:not([type]),
  select,
  textarea {
    font: inherit;
    color: var(--ink);
    background: #fff;
    border: 1px solid;
    border-color: var(--shadow) var(--light) var(--light) var(--shadow);
    box-shadow: inset 1px 1px 0 #000;
    padding: 3px 4px;
    min-height: 18px;
    box-sizing: border-box;
  }
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--select);
    outline-offset: 0;
  }
  input:disabled,
  select:disabled {
    background: var(--face);
  }
  .error {
    color: #fff;
    background: #a00000;
    border: 1px solid #000;
    padding: 6px 8px;
    margin: 0;
  }
  .error ul {
    margin: 4px 0 0;
    padding-left: 20px;
  }
  .hint {
    color: #303030;
    font-size: 12px;
  }
  dialog {
    padding: 0;
    border: none;
    background: transparent;
    color: var(--ink);
    overflow: visible;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 25%);
  }
`;

/** Open a component's <dialog> as a modal (or plainly where showModal is refused, as in a detached tree). */
export function openModal(root: ParentNode): void {
  const dialog = root.querySelector('dialog');
  if (!dialog || dialog.open) return;
  try {
    dialog.showModal();
  } catch {
    dialog.setAttribute('open', '');
  }
}
