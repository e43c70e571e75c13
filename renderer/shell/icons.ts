/**
 * The shell's icons as inline SVG (presentation attributes, no style attributes: the CSP allows them), 40×40
 * on the desktop and in folders, 16×16 in title bars. Drawn in the flat, bevelled manner of Warp's icons.
 */
import { html, svg, type TemplateResult } from 'lit';
import type { ProgramKind } from '../../preload/api.js';

export type IconKind = ProgramKind | 'folder' | 'folder-open' | 'command-prompts' | 'system' | 'window-list';

function shape(kind: IconKind) {
  switch (kind) {
    case 'folder':
    case 'command-prompts':
      return svg`
        <path d="M3 9h12l3 4h19v22H3z" fill="#c89a28" stroke="#000" stroke-width="1"/>
        <path d="M3 15h34v20H3z" fill="#f0c850" stroke="#000" stroke-width="1"/>
        <path d="M4 16h32" stroke="#fff4c0" stroke-width="1"/>
        ${kind === 'command-prompts'
          ? svg`<rect x="17" y="20" width="18" height="12" fill="#000" stroke="#404040"/><text x="26" y="29" font-family="monospace" font-size="7" font-weight="bold" fill="#c0c0c0" text-anchor="middle">C:\\&gt;</text>`
          : ''}`;
    case 'folder-open':
      return svg`
        <path d="M3 9h12l3 4h19v22H3z" fill="#c89a28" stroke="#000"/>
        <path d="M8 18h31l-5 17H3z" fill="#f8d868" stroke="#000"/>`;
    case 'dos-fullscreen':
      return svg`
        <rect x="3" y="5" width="34" height="25" rx="2" fill="#d0d0d0" stroke="#000"/>
        <rect x="6" y="8" width="28" height="19" fill="#000"/>
        <text x="20" y="21" font-family="monospace" font-size="9" font-weight="bold" fill="#c0c0c0" text-anchor="middle">DOS</text>
        <path d="M15 30h10l2 5H13z" fill="#a0a0a0" stroke="#000"/>`;
    case 'win16':
      return svg`
        <rect x="3" y="6" width="34" height="28" fill="#fff" stroke="#000"/>
        <rect x="3" y="6" width="34" height="6" fill="#000080"/>
        <rect x="8" y="16" width="11" height="7" fill="#c00000"/><rect x="21" y="16" width="11" height="7" fill="#008000"/>
        <rect x="8" y="25" width="11" height="6" fill="#0000c0"/><rect x="21" y="25" width="11" height="6" fill="#e0c000"/>`;
    case 'boot-image':
      return svg`
        <path d="M5 4h26l5 5v27H5z" fill="#303060" stroke="#000"/>
        <rect x="11" y="4" width="17" height="11" fill="#c0c0c0" stroke="#000"/>
        <rect x="22" y="6" width="4" height="7" fill="#303060"/>
        <rect x="9" y="21" width="23" height="15" fill="#f4f4f4" stroke="#000"/>`;
    case 'system':
      return svg`
        <rect x="4" y="4" width="32" height="22" fill="#d0d0d0" stroke="#000"/>
        <rect x="7" y="7" width="26" height="16" fill="#008080"/>
        <rect x="2" y="29" width="36" height="7" fill="#d0d0d0" stroke="#000"/>
        <rect x="27" y="31" width="7" height="2" fill="#00a000"/>`;
    case 'window-list':
      return svg`
        <rect x="3" y="4" width="26" height="20" fill="#fff" stroke="#000"/><rect x="3" y="4" width="26" height="5" fill="#000080"/>
        <rect x="11" y="15" width="26" height="21" fill="#fff" stroke="#000"/><rect x="11" y="15" width="26" height="5" fill="#000080"/>
        <path d="M15 25h18M15 29h18M15 33h12" stroke="#000"/>`;
    case 'dos-window':
    default:
      return svg`
        <rect x="2" y="5" width="36" height="30" fill="#c6c6c6" stroke="#000"/>
        <rect x="3" y="6" width="34" height="5" fill="#000080"/>
        <rect x="5" y="13" width="30" height="19" fill="#000"/>
        <text x="7" y="24" font-family="monospace" font-size="8" font-weight="bold" fill="#c0c0c0">C:\\&gt;_</text>`;
  }
}

/** An icon at `size` pixels (40 on the desktop, 16 in a title bar). Decorative: its label says what it is. */
export function icon(kind: IconKind, size = 40): TemplateResult {
  return html`<svg class="glyph" width=${size} height=${size} viewBox="0 0 40 40" aria-hidden="true" focusable="false">${shape(kind)}</svg>`;
}
