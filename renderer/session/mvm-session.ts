/**
 * <mvm-session>: a DOS session's shield — the window that shows a VM's screen and takes its keyboard and
 * mouse, as a VIO window or a full-screen session did on OS/2. Frame updates from the session port
 * (./port.ts) are applied to a local copy of the VMAN surface and painted onto a canvas; in text modes the
 * shield also draws the blinking cursor, keeps a live text layer for screen readers and tests, and offers
 * Mark/Copy/Paste. Keys go to the VM as set-1 scan codes (./keymap.ts), the mouse as relative mickeys once
 * captured. Alt+Home switches between window and full screen; Ctrl+Alt releases a captured mouse.
 *
 * Events: 'close' (the user closed the window), 'copy-text' (detail {text}, after Copy).
 */
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { applyUpdate, type FrameUpdate, type Rect, type ScreenText } from '../../main/vman/surface.js';
import type { SessionEvent } from '../../main/vman/wire.js';
import { scanCodes, type KeyModifiers } from './keymap.js';
import type { SessionPort } from './port.js';
import {
  cellAt,
  cellRect,
  cursorBox,
  cursorColor,
  fitSize,
  pasteChunks,
  screenshotName,
  selectionText,
  type Cell,
  type CellRect,
  type ScaleMode,
} from './screen-text.js';

/** The shield's copy of the VM's surface, rebuilt from frame updates (applyUpdate's target). */
interface ScreenCopy {
  width: number;
  height: number;
  /** 8: `pixels` are palette indices; 32: R, G, B, A bytes (a VBE direct-colour mode). */
  depth: 8 | 32;
  pixels: Uint8Array;
  palette: Uint32Array;
  text: ScreenText | null;
}

/** Beyond this many damaged rectangles waiting for the next paint, repaint everything instead. */
const MAX_PENDING_RECTS = 32;
/** A notice from the VM (a refused message, say) stays in the status line this long. */
const NOTICE_MS = 6000;
/** Pixels of page above and below a windowed session's picture (title bar, toolbar, status, margins). */
const WINDOW_CHROME_PX = 140;
/** Frame updates closer together than this (ms) are painted together in an animation frame. */
const PAINT_GATHER_MS = 8;
const CAPTURE_HINT = ' — Ctrl+Alt releases the mouse';
/** How every VGA mode is meant to be shown (Surface.aspect); frame updates do not carry it. */
const DISPLAY_ASPECT = 4 / 3;

const isModifierCode = (code: string): boolean => /^(Control|Alt)(Left|Right)$/.test(code);

export class MvmSession extends LitElement {
  static override properties = {
    port: { attribute: false },
    sessionTitle: { attribute: 'session-title' },
    fullscreen: { type: Boolean, reflect: true },
    scaleMode: { state: true },
    captured: { state: true },
    marking: { state: true },
    selection: { state: true },
    screen: { state: true },
    pointer: { state: true },
    endedReason: { state: true },
    notice: { state: true },
  };

  declare port: SessionPort | undefined;
  declare sessionTitle: string;
  declare fullscreen: boolean;
  /** The text the last Copy took (also on the clipboard when the page may write it). */
  lastCopied = '';

  declare private scaleMode: ScaleMode;
  declare private captured: boolean;
  declare private marking: boolean;
  declare private selection: CellRect | undefined;
  declare private screen: ScreenText | null;
  /** The VM's mouse pointer in surface pixels (VMOUSE in graphics modes), drawn over the picture. */
  declare private pointer: { x: number; y: number; visible: boolean } | undefined;
  declare private endedReason: string | undefined;
  declare private notice: string | undefined;

  private readonly copy: ScreenCopy = { width: 640, height: 400, depth: 8, pixels: new Uint8Array(640 * 400), palette: new Uint32Array(256), text: null };
  /** Palette as ImageData words, alpha forced opaque. */
  private readonly colors = new Uint32Array(256);
  private image: ImageData | undefined;
  private imageWords: Uint32Array | undefined;
  private context: CanvasRenderingContext2D | null = null;
  private pendingRects: Rect[] = [];
  private paintAll = true;
  private paintRequest = 0;
  private lastPaint = 0;
  private cursorCss = '';
  private framesSeen = false;

  /** Keys whose make codes went to the guest, with the modifiers that chose them (their break must match). */
  private readonly held = new Map<string, KeyModifiers>();
  /** Keys the shield kept for itself (Alt+Home, Shift+Insert, mark mode): their key-up is not sent either. */
  private readonly swallowed = new Set<string>();

  private mouseDx = 0;
  private mouseDy = 0;
  private mouseButtons = 0;
  private mouseRequest = 0;
  /** Pointer lock held (false when the mouse is captured without it, where the browser refuses it). */
  private pointerLocked = false;
  /** This shield asked for pointer lock (the document's lock events are every element's). */
  private lockRequested = false;

  private dragAnchor: Cell | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private nativeFullscreen = false;
  private audio: AudioContext | undefined;
  private resizeObserver: ResizeObserver | undefined;

  constructor() {
    super();
    this.sessionTitle = '';
    this.fullscreen = false;
    this.scaleMode = 'integer';
    this.captured = false;
    this.marking = false;
    this.selection = undefined;
    this.screen = null;
    this.endedReason = undefined;
    this.notice = undefined;
    this.addEventListener('keydown', (e) => this.keyDown(e));
    this.addEventListener('keyup', (e) => this.keyUp(e));
    this.addEventListener('blur', () => this.releaseKeys());
    this.addEventListener('pointerdown', () => this.focus({ preventScroll: true }));
  }

  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      box-sizing: border-box;
      font: 13px system-ui, sans-serif;
      color: #000;
      background: #c6c6c6;
      border: 1px solid #000;
      box-shadow:
        inset 1px 1px 0 #fff,
        inset -1px -1px 0 #808080;
      padding: 3px;
      outline: none;
    }
    :host(:focus-visible) .titlebar,
    :host(:focus-within) .titlebar {
      background: linear-gradient(#0000a8, #000080);
    }
    .titlebar {
      display: flex;
      align-items: center;
      gap: 6px;
      min-height: 22px;
      padding: 1px 2px 1px 3px;
      background: linear-gradient(#5a6b8c, #404d66);
      color: #fff;
      font-weight: bold;
      user-select: none;
    }
    .sysmenu {
      flex: none;
      width: 16px;
      height: 14px;
      background: #000;
      border: 1px solid #c6c6c6;
      color: #c6c6c6;
      font: bold 7px monospace;
      display: grid;
      place-items: center;
    }
    .title {
      flex: 1;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
    }
    button {
      font: inherit;
      font-weight: normal;
      color: #000;
      background: #c6c6c6;
      border: 1px solid #000;
      box-shadow:
        inset 1px 1px 0 #fff,
        inset -1px -1px 0 #808080;
      padding: 1px 8px;
      min-height: 22px;
      cursor: pointer;
    }
    button:active,
    button[aria-pressed='true'] {
      box-shadow:
        inset 1px 1px 0 #808080,
        inset -1px -1px 0 #fff;
      background: #b4b4b4;
    }
    button:disabled {
      color: #808080;
      cursor: default;
    }
    button:focus-visible {
      outline: 1px dotted #000;
      outline-offset: -4px;
    }
    .titlebar button {
      min-height: 18px;
      padding: 0 5px;
      line-height: 1;
    }
    .toolbar {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 3px;
      padding: 3px 0;
    }
    .toolbar .gap {
      width: 8px;
    }
    .screen {
      display: flex;
      align-items: center;
      justify-content: center;
      background: #000;
      border: 1px solid;
      border-color: #808080 #fff #fff #808080;
      overflow: hidden;
    }
    .picture {
      position: relative;
      flex: none;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
      /* Black until the first frame arrives (or when a session ends before sending one), as a screen is. */
      background: #000;
      image-rendering: pixelated;
      cursor: default;
    }
    .captured canvas {
      cursor: none;
    }
    .marking canvas {
      cursor: crosshair;
    }
    .ended canvas {
      filter: grayscale(1) brightness(0.6);
    }
    .cursor,
    .selection,
    .pointer {
      position: absolute;
      pointer-events: none;
    }
    /* The guest's mouse pointer: a white arrow with a dark edge, its tip at the pointer's pixel. */
    .pointer {
      width: 12px;
      height: 19px;
      filter: drop-shadow(1px 0 0 #000) drop-shadow(-1px 0 0 #000) drop-shadow(0 1px 0 #000) drop-shadow(0 -1px 0 #000);
    }
    .pointer::before {
      content: '';
      position: absolute;
      inset: 0;
      background: #fff;
      clip-path: polygon(0 0, 0 84%, 25% 65%, 42% 100%, 58% 93%, 42% 60%, 75% 60%);
    }
    .cursor {
      animation: blink 534ms steps(1, end) infinite;
    }
    @keyframes blink {
      50% {
        visibility: hidden;
      }
    }
    .selection {
      background: #fff;
      mix-blend-mode: difference;
    }
    [hidden] {
      display: none !important;
    }
    /* The screen as text: present for screen readers and find-by-text, invisible over the picture. */
    .text {
      position: absolute;
      inset: 0;
      overflow: hidden;
      color: transparent;
      user-select: none;
      pointer-events: none;
      font-family: monospace;
      white-space: pre;
    }
    .text > div {
      overflow: hidden;
    }
    .statusbar {
      display: flex;
      gap: 12px;
      padding: 3px 2px 0;
      min-height: 18px;
    }
    .status {
      flex: 1;
    }
    .ended-status {
      color: #800000;
      font-weight: bold;
    }
    .mode {
      color: #404040;
    }
    /* Full screen: the session covers the viewport, picture centred; the frame's controls slide in on hover.
       !important because the page's own size rules for the element would otherwise win over :host. */
    :host([fullscreen]) {
      position: fixed !important;
      inset: 0 !important;
      width: auto !important;
      height: auto !important;
      max-width: none !important;
      margin: 0 !important;
      z-index: 10000;
      background: #000;
      border: none;
      box-shadow: none;
      padding: 0;
    }
    :host([fullscreen]) .chrome {
      position: absolute;
      top: 0;
      left: 0;
      right: 0;
      z-index: 2;
      background: #c6c6c6;
      padding: 2px;
      opacity: 0;
      transition: opacity 150ms;
    }
    :host([fullscreen]) .chrome:hover,
    :host([fullscreen]) .chrome:focus-within {
      opacity: 1;
    }
    :host([fullscreen]) .screen {
      flex: 1;
      border: none;
      box-shadow: none;
    }
    :host([fullscreen]) .statusbar {
      position: absolute;
      left: 0;
      right: 0;
      bottom: 0;
      background: #c6c6c6;
      padding: 2px 4px;
    }
    :host([fullscreen]) .statusbar.quiet {
      display: none;
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('tabindex')) this.tabIndex = 0;
    document.addEventListener('pointerlockchange', this.pointerLockChanged);
    document.addEventListener('pointerlockerror', this.pointerLockRefused);
    document.addEventListener('fullscreenchange', this.fullscreenChanged);
    window.addEventListener('resize', this.viewportResized);
    window.addEventListener('blur', this.windowBlurred);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('pointerlockchange', this.pointerLockChanged);
    document.removeEventListener('pointerlockerror', this.pointerLockRefused);
    document.removeEventListener('fullscreenchange', this.fullscreenChanged);
    window.removeEventListener('resize', this.viewportResized);
    window.removeEventListener('blur', this.windowBlurred);
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
    this.releaseMouse();
    this.releaseKeys();
    if (this.paintRequest) cancelAnimationFrame(this.paintRequest);
    if (this.mouseRequest) cancelAnimationFrame(this.mouseRequest);
    this.paintRequest = this.mouseRequest = 0;
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    if (this.isNativeFullscreen()) void document.exitFullscreen().catch(() => undefined);
    void this.audio?.close().catch(() => undefined);
    this.audio = undefined;
  }

  // ---- the port

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('port')) this.attach(this.port);
  }

  private attach(port: SessionPort | undefined): void {
    this.endedReason = undefined;
    this.framesSeen = false;
    if (!port) return;
    // A port cannot take listeners back: each one checks it still belongs to the current port.
    port.onFrame((u) => {
      if (this.port === port) this.frame(u);
    });
    port.onEvent((e) => {
      if (this.port === port) this.sessionEvent(e);
    });
    port.onClose((reason) => {
      if (this.port === port) this.portClosed(reason);
    });
  }

  private frame(u: FrameUpdate): void {
    const resized = u.width !== this.copy.width || u.height !== this.copy.height;
    const redepthed = (u.depth ?? 8) !== this.copy.depth;
    try {
      applyUpdate(this.copy, u);
    } catch {
      this.port?.send({ type: 'refresh' });
      return;
    }
    if (!this.framesSeen) {
      this.framesSeen = true;
      this.requestUpdate();
    }
    if (u.palette) this.setColors(u.palette);
    if (resized || redepthed || u.palette) this.paintAll = true;
    else if (!this.paintAll) {
      for (const { rect } of u.rects) this.pendingRects.push(rect);
      if (this.pendingRects.length > MAX_PENDING_RECTS) this.paintAll = true;
    }
    if (u.text !== undefined) {
      this.screen = u.text;
      if (!u.text) {
        this.marking = false;
        this.selection = undefined;
      }
    }
    if (u.pointer) this.pointer = { ...u.pointer };
    if (resized) this.requestUpdate();
    this.paintSoon();
  }

  private sessionEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'title':
        this.sessionTitle = e.title;
        break;
      case 'state':
        // The VM says why it ends just before closing the port; not every carrier reports the close itself
        // (a MessagePort's 'close' event is recent), so this is the shield's surest word that it ended.
        if (e.state === 'stopped' || e.state === 'crashed') {
          this.portClosed(e.reason ?? (e.exitCode !== undefined ? `${e.state} (exit code ${e.exitCode})` : e.state));
        } else if (e.reason) this.showNotice(e.reason);
        break;
      case 'beep':
        this.beep(e.frequency, e.ms);
        break;
    }
  }

  private portClosed(reason: string): void {
    if (this.endedReason) return; // the VM's own word (a 'state' event) beats the carrier's close reason
    this.endedReason = reason || 'the connection closed';
    this.releaseMouse();
    this.releaseKeys();
  }

  private showNotice(text: string): void {
    this.notice = text;
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => (this.notice = undefined), NOTICE_MS);
  }

  private send(codes: number[]): void {
    if (codes.length > 0 && !this.endedReason) this.port?.send({ type: 'keys', codes });
  }

  // ---- painting

  private get canvas(): HTMLCanvasElement | null {
    return this.renderRoot.querySelector('canvas');
  }

  private setColors(palette: Uint32Array): void {
    for (let i = 0; i < 256; i++) this.colors[i] = palette[i] | 0xff000000;
  }

  /**
   * Paint a frame update now, so it reaches the screen at the next vsync rather than one animation frame
   * later; updates that follow one another within half a frame are gathered into one animation-frame paint.
   */
  private paintSoon(): void {
    if (!this.paintRequest && performance.now() - this.lastPaint > PAINT_GATHER_MS) this.paint();
    else this.paintRequest ||= requestAnimationFrame(() => this.paint());
  }

  /** Copy what changed since the last paint onto the canvas (at the surface's own resolution). */
  private paint(): void {
    if (this.paintRequest) cancelAnimationFrame(this.paintRequest); // called directly (screenshot)
    this.paintRequest = 0;
    this.lastPaint = performance.now();
    const canvas = this.canvas;
    if (!canvas) return;
    const { width, height, pixels } = this.copy;
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
      this.context = null;
      this.paintAll = true;
    }
    this.context ??= canvas.getContext('2d', { alpha: false });
    const ctx = this.context;
    if (!ctx) return;
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.image = new ImageData(width, height);
      // ImageData is RGBA bytes; palette words are 0xAABBGGRR, which is that order on a little-endian host.
      this.imageWords = new Uint32Array(this.image.data.buffer);
      this.paintAll = true;
    }
    const words = this.imageWords as Uint32Array;
    // True colour: the copy's R, G, B, A bytes are ImageData's own layout, copied row by row as words.
    const rgba = this.copy.depth === 32 ? new Uint32Array(pixels.buffer, pixels.byteOffset, width * height) : undefined;
    const rects = this.paintAll ? [{ x: 0, y: 0, w: width, h: height }] : this.pendingRects;
    for (const r of rects) {
      for (let y = r.y; y < r.y + r.h; y++) {
        const row = y * width;
        if (rgba) words.set(rgba.subarray(row + r.x, row + r.x + r.w), row + r.x);
        else for (let i = row + r.x, end = row + r.x + r.w; i < end; i++) words[i] = this.colors[pixels[i]];
      }
      ctx.putImageData(this.image, 0, 0, r.x, r.y, r.w, r.h);
    }
    this.pendingRects = [];
    this.paintAll = false;
    this.paintCursorColor();
  }

  /** The cursor takes the colour of the glyphs in its cell, which can change with any frame. */
  private paintCursorColor(): void {
    const screen = this.screen;
    const el = this.renderRoot.querySelector<HTMLElement>('.cursor');
    if (!screen || !el) return;
    const c = screen.cursor;
    const index = cursorColor(this.copy.pixels, this.copy.width, {
      x: c.col * screen.cellWidth,
      y: c.row * screen.cellHeight,
      w: screen.cellWidth,
      h: screen.cellHeight,
    });
    const rgba = this.colors[index];
    const css = `rgb(${rgba & 0xff} ${(rgba >>> 8) & 0xff} ${(rgba >>> 16) & 0xff})`;
    if (css !== this.cursorCss) {
      this.cursorCss = css;
      el.style.setProperty('background-color', css);
    }
  }

  // ---- layout: sizes go through the CSSOM, since the page's CSP refuses inline style attributes

  private readonly viewportResized = (): void => this.layout();

  private layout(): void {
    const area = this.renderRoot.querySelector<HTMLElement>('.screen');
    const picture = this.renderRoot.querySelector<HTMLElement>('.picture');
    if (!area || !picture) return;
    const box = this.fullscreen
      ? { width: area.clientWidth, height: area.clientHeight }
      : { width: area.clientWidth, height: Math.max(200, window.innerHeight - WINDOW_CHROME_PX) };
    const { width, height } = this.copy;
    const size = fitSize(this.scaleMode, { width, height }, box, DISPLAY_ASPECT, window.devicePixelRatio);
    picture.style.setProperty('width', `${size.width}px`);
    picture.style.setProperty('height', `${size.height}px`);

    const screen = this.screen;
    const percent = (v: number, of: number): string => `${(v / of) * 100}%`;
    const place = (el: HTMLElement | null, r: { x: number; y: number; w: number; h: number } | null): void => {
      if (!el || !r) return;
      el.style.setProperty('left', percent(r.x, width));
      el.style.setProperty('top', percent(r.y, height));
      el.style.setProperty('width', percent(r.w, width));
      el.style.setProperty('height', percent(r.h, height));
    };
    place(this.renderRoot.querySelector<HTMLElement>('.cursor'), screen ? cursorBox(screen) : null);
    const pointer = this.renderRoot.querySelector<HTMLElement>('.pointer');
    if (pointer && this.pointer) {
      pointer.style.setProperty('left', percent(this.pointer.x, width));
      pointer.style.setProperty('top', percent(this.pointer.y, height));
    }
    const sel = this.selection;
    if (screen && sel) {
      place(this.renderRoot.querySelector<HTMLElement>('.selection'), {
        x: sel.col0 * screen.cellWidth,
        y: sel.row0 * screen.cellHeight,
        w: (sel.col1 - sel.col0 + 1) * screen.cellWidth,
        h: (sel.row1 - sel.row0 + 1) * screen.cellHeight,
      });
    }
    const text = this.renderRoot.querySelector<HTMLElement>('.text');
    if (text && screen) {
      const rowHeight = size.height / screen.rows;
      text.style.setProperty('line-height', `${rowHeight}px`);
      text.style.setProperty('font-size', `${Math.max(1, rowHeight * 0.8)}px`);
      for (const row of text.children) (row as HTMLElement).style.setProperty('height', `${rowHeight}px`);
    }
  }

  // ---- keyboard

  private keyDown(e: KeyboardEvent): void {
    // A toolbar button with the focus keeps its own keys (Space, Enter).
    if (e.composedPath()[0] !== this) return;
    e.preventDefault();
    this.startAudio();
    if (e.code === 'Home' && e.altKey) {
      this.swallowed.add(e.code);
      if (!e.repeat) this.toggleFullscreen();
      return;
    }
    if (e.code === 'Insert' && e.shiftKey && !e.ctrlKey && !e.altKey) {
      this.swallowed.add(e.code);
      if (!e.repeat) void this.pasteFromClipboard();
      return;
    }
    if (this.marking) {
      this.swallowed.add(e.code);
      if (e.code === 'Escape') this.endMark();
      else if (e.code === 'Enter' || e.code === 'NumpadEnter') this.copySelection();
      return;
    }
    if (this.captured && e.ctrlKey && e.altKey && isModifierCode(e.code)) this.releaseMouse();
    const modifiers = this.held.get(e.code) ?? { ctrl: e.ctrlKey, alt: e.altKey };
    this.held.set(e.code, modifiers);
    // Auto-repeat sends the make code again, as a real keyboard's typematic does.
    this.send(scanCodes(e.code, true, modifiers));
  }

  private keyUp(e: KeyboardEvent): void {
    const swallowed = this.swallowed.delete(e.code);
    // A key that went down before mark mode (or a button took the focus) still owes the guest its break.
    const modifiers = this.held.get(e.code);
    if (modifiers) {
      this.held.delete(e.code);
      this.send(scanCodes(e.code, false, modifiers));
    }
    if (swallowed || modifiers) e.preventDefault();
  }

  /** Focus left: let go of every key the guest thinks is down, or it would stay down (Alt after Alt+Tab). */
  private releaseKeys(): void {
    const codes: number[] = [];
    for (const [code, modifiers] of this.held) codes.push(...scanCodes(code, false, modifiers));
    this.held.clear();
    this.swallowed.clear();
    for (let i = 0; i < codes.length; i += 256) this.send(codes.slice(i, i + 256));
  }

  private readonly windowBlurred = (): void => this.releaseKeys();

  // ---- mouse

  private pointerDown(e: PointerEvent): void {
    this.startAudio();
    if (this.marking && this.screen) {
      e.preventDefault();
      (e.target as Element).setPointerCapture?.(e.pointerId);
      this.dragAnchor = this.cellUnder(e);
      this.selection = cellRect(this.dragAnchor, this.dragAnchor, this.screen);
      return;
    }
    if (this.endedReason) return;
    if (!this.captured) {
      // A click on an inactive session only activates it, as on an inactive PM window: a user can click into
      // a DOS prompt to type and still reach the toolbar. A click on the active session captures the mouse.
      // (The host's own pointerdown handler, which focuses, runs after this one.)
      e.preventDefault();
      if (this.matches(':focus-within')) this.captureMouse();
      return;
    }
    this.mouseMoved(e);
  }

  private pointerMove(e: PointerEvent): void {
    if (this.dragAnchor && this.screen) {
      this.selection = cellRect(this.dragAnchor, this.cellUnder(e), this.screen);
      return;
    }
    if (this.captured) this.mouseMoved(e);
  }

  private pointerUp(e: PointerEvent): void {
    if (this.dragAnchor) {
      this.dragAnchor = undefined;
      (e.target as Element).releasePointerCapture?.(e.pointerId);
      return;
    }
    if (this.captured) this.mouseMoved(e);
  }

  /** Motion is gathered per animation frame; a button change goes out at once, so a quick click stays a click. */
  private mouseMoved(e: PointerEvent): void {
    e.preventDefault();
    this.mouseDx += e.movementX;
    this.mouseDy += e.movementY;
    const buttons = e.buttons & 7;
    if (buttons !== this.mouseButtons) {
      this.mouseButtons = buttons;
      this.sendMouse();
    } else if (this.mouseDx || this.mouseDy) {
      this.mouseRequest ||= requestAnimationFrame(() => this.sendMouse());
    }
  }

  /** DOM and wire agree: bit 0 left, 1 right, 2 middle; dy grows downwards, as mickeys do. */
  private sendMouse(): void {
    if (this.mouseRequest) cancelAnimationFrame(this.mouseRequest);
    this.mouseRequest = 0;
    // Whole mickeys go out; a fraction (high-resolution pointers report them) waits for the next motion.
    const clamp16 = (v: number): number => Math.max(-32768, Math.min(32767, Math.trunc(v)));
    const dx = clamp16(this.mouseDx);
    const dy = clamp16(this.mouseDy);
    this.mouseDx -= dx;
    this.mouseDy -= dy;
    if (!this.endedReason) this.port?.send({ type: 'mouse', dx, dy, buttons: this.mouseButtons });
  }

  private captureMouse(): void {
    const canvas = this.canvas;
    if (canvas && typeof canvas.requestPointerLock === 'function') {
      this.lockRequested = true;
      try {
        const result: unknown = canvas.requestPointerLock();
        if (result instanceof Promise) result.catch(() => this.pointerLockRefused());
      } catch {
        this.pointerLockRefused();
      }
    } else this.captured = true;
  }

  /** Without pointer lock (refused, or not offered) the mouse is still captured while over the picture. */
  private readonly pointerLockRefused = (): void => {
    if (!this.lockRequested) return;
    this.lockRequested = false;
    if (!this.endedReason) this.captured = true;
  };

  private readonly pointerLockChanged = (): void => {
    if (this.isPointerLocked()) {
      this.lockRequested = false;
      this.pointerLocked = true;
      this.captured = true;
    } else if (this.pointerLocked) {
      this.pointerLocked = false;
      this.uncapture();
    }
  };

  /**
   * The document names only its own top-level element for pointer lock and full screen (the desktop page,
   * when the shield sits in its shadow tree); each shadow root names the element inside it.
   */
  private isPointerLocked(): boolean {
    const root = this.renderRoot as ShadowRoot;
    return root.pointerLockElement !== null && root.pointerLockElement === this.canvas;
  }

  private isNativeFullscreen(): boolean {
    return (this.getRootNode() as Document | ShadowRoot).fullscreenElement === this;
  }

  private releaseMouse(): void {
    if (this.pointerLocked && this.isPointerLocked()) document.exitPointerLock();
    this.pointerLocked = false;
    this.uncapture();
  }

  private uncapture(): void {
    if (!this.captured) return;
    this.captured = false;
    if (this.mouseButtons) {
      this.mouseButtons = 0; // buttons held when the capture ends are released for the guest
      this.sendMouse();
    }
  }

  // ---- mark, copy, paste

  private cellUnder(e: PointerEvent): Cell {
    const screen = this.screen as ScreenText;
    const box = (e.currentTarget as Element).getBoundingClientRect();
    const x = ((e.clientX - box.left) / Math.max(1, box.width)) * this.copy.width;
    const y = ((e.clientY - box.top) / Math.max(1, box.height)) * this.copy.height;
    return cellAt(x, y, screen);
  }

  /** The text screen's rows as the VM sent them (full width), or [] in graphics modes. */
  screenLines(): string[] {
    return this.screen ? [...this.screen.lines] : [];
  }

  /** Mark mode: a drag on the picture selects a rectangle of character cells (text modes only). */
  startMark(): void {
    if (!this.screen) return;
    this.releaseMouse();
    this.marking = true;
    this.selection = undefined;
  }

  private endMark(): void {
    this.marking = false;
    this.selection = undefined;
    this.dragAnchor = undefined;
  }

  /** Select the cells between two corners (inclusive, any order, clipped to the screen) and show the mark. */
  selectCells(col0: number, row0: number, col1: number, row1: number): void {
    if (!this.screen) return;
    this.marking = true;
    this.selection = cellRect({ col: col0, row: row0 }, { col: col1, row: row1 }, this.screen);
  }

  /**
   * Copy the selected rectangle (the whole screen when nothing is selected): rows joined with "\n", trailing
   * blanks trimmed. Sets lastCopied, writes the clipboard when allowed, fires 'copy-text', leaves mark mode.
   */
  copySelection(): string {
    if (!this.screen) return '';
    const text = selectionText(this.screen, this.selection);
    this.lastCopied = text;
    void navigator.clipboard?.writeText(text).catch(() => undefined);
    this.dispatchEvent(new CustomEvent('copy-text', { detail: { text }, bubbles: true, composed: true }));
    this.endMark();
    return text;
  }

  /** Type `text` into the session (the VM puts it in the keyboard buffer; newlines become Enter). */
  pasteText(text: string): void {
    if (this.endedReason) return;
    for (const chunk of pasteChunks(text)) this.port?.send({ type: 'paste', text: chunk });
  }

  private async pasteFromClipboard(): Promise<void> {
    if (!navigator.clipboard?.readText) {
      this.showNotice('The clipboard cannot be read here');
      return;
    }
    try {
      this.pasteText(await navigator.clipboard.readText());
    } catch {
      this.showNotice('The clipboard cannot be read here');
    }
  }

  // ---- screenshot, scale, full screen, sound

  /** The picture as a PNG at the surface's own resolution (no cursor, no mark). */
  async screenshot(): Promise<Blob> {
    this.paint();
    const canvas = this.canvas;
    if (!canvas) throw new Error('the session is not shown yet');
    return new Promise((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('the picture could not be encoded'))), 'image/png'),
    );
  }

  private async saveScreenshot(): Promise<void> {
    try {
      const url = URL.createObjectURL(await this.screenshot());
      const a = document.createElement('a');
      a.href = url;
      a.download = screenshotName(this.sessionTitle || 'DOS session');
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      this.showNotice(e instanceof Error ? e.message : String(e));
    }
  }

  private toggleScale(): void {
    this.scaleMode = this.scaleMode === 'integer' ? '4:3' : 'integer';
  }

  /** Window ⇄ full screen. The browser's own full screen too when it allows it; the attribute either way. */
  toggleFullscreen(): void {
    const on = !this.fullscreen;
    this.fullscreen = on;
    try {
      if (on && !document.fullscreenElement && typeof this.requestFullscreen === 'function') {
        this.requestFullscreen().catch(() => undefined);
      } else if (!on && this.isNativeFullscreen()) {
        document.exitFullscreen().catch(() => undefined);
      }
    } catch {
      // Full screen by the attribute alone: the element still covers the page.
    }
  }

  private readonly fullscreenChanged = (): void => {
    if (this.isNativeFullscreen()) this.nativeFullscreen = true;
    else if (this.nativeFullscreen) {
      // The user left the browser's full screen (Esc): the session goes back to its window too.
      this.nativeFullscreen = false;
      this.fullscreen = false;
    }
  };

  /** Sound needs a user gesture to start: the first key or click in the session makes the AudioContext. */
  private startAudio(): void {
    if (!this.audio && typeof AudioContext === 'function') {
      try {
        this.audio = new AudioContext();
      } catch {
        // no sound device: beeps are silent
      }
    }
  }

  private beep(frequency: number, ms: number): void {
    const ctx = this.audio;
    if (!ctx || !(frequency >= 20 && frequency <= 20000) || !(ms > 0)) return;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'square';
    osc.frequency.value = frequency;
    gain.gain.value = 0.05;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + Math.min(ms, 2000) / 1000);
  }

  // ---- rendering

  private afterButton(action: () => void): () => void {
    return () => {
      action();
      // Back to the session, so typing goes to the guest again.
      this.focus({ preventScroll: true });
    };
  }

  protected override firstUpdated(): void {
    const area = this.renderRoot.querySelector('.screen');
    if (area && typeof ResizeObserver === 'function') {
      this.resizeObserver = new ResizeObserver(() => this.layout());
      this.resizeObserver.observe(area);
    }
    this.paintAll = true;
    this.paint();
  }

  protected override updated(): void {
    this.layout();
    if (this.screen) this.paintCursorColor();
  }

  override render() {
    const screen = this.screen;
    const title = this.sessionTitle || 'DOS session';
    const cursorShown = !!screen && !this.endedReason && cursorBox(screen) !== null;
    const status = this.endedReason ? `Session ended: ${this.endedReason}` : (this.notice ?? '');
    const mode = !this.framesSeen
      ? 'Waiting for the session…'
      : screen
        ? `${screen.columns}×${screen.rows} text`
        : `${this.copy.width}×${this.copy.height} graphics`;
    const pictureClass = [this.captured ? 'captured' : '', this.marking ? 'marking' : '', this.endedReason ? 'ended' : ''].join(' ');
    return html`
      <div class="chrome">
        <div class="titlebar">
          <span class="sysmenu" aria-hidden="true">DOS</span>
          <span class="title" data-testid="session-title">${title}${this.captured ? CAPTURE_HINT : ''}</span>
          <button data-testid="btn-close" title="Close" aria-label="Close the session" @click=${() => this.dispatchEvent(new Event('close'))}>
            ✕
          </button>
        </div>
        <div class="toolbar" role="toolbar" aria-label="Session">
          <button
            data-testid="btn-mark"
            aria-pressed=${this.marking ? 'true' : 'false'}
            title="Select text by dragging on the screen"
            ?disabled=${!screen}
            @click=${this.afterButton(() => (this.marking ? this.endMark() : this.startMark()))}
          >
            Mark
          </button>
          <button data-testid="btn-copy" title="Copy the marked text" ?disabled=${!screen} @click=${this.afterButton(() => this.copySelection())}>
            Copy
          </button>
          <button data-testid="btn-paste" title="Type the clipboard's text (Shift+Insert)" @click=${this.afterButton(() => void this.pasteFromClipboard())}>
            Paste
          </button>
          <span class="gap"></span>
          <button data-testid="btn-scale" title="Picture size: whole pixel multiples or 4:3" @click=${this.afterButton(() => this.toggleScale())}>
            Scale: ${this.scaleMode === 'integer' ? 'Integer' : '4:3'}
          </button>
          <button
            data-testid="btn-fullscreen"
            aria-pressed=${this.fullscreen ? 'true' : 'false'}
            title="Full screen (Alt+Home)"
            @click=${this.afterButton(() => this.toggleFullscreen())}
          >
            ${this.fullscreen ? 'Window' : 'Full screen'}
          </button>
          <button data-testid="btn-screenshot" title="Save the picture as PNG" @click=${this.afterButton(() => void this.saveScreenshot())}>
            Screenshot
          </button>
        </div>
      </div>
      <div class="screen">
        <div class="picture ${pictureClass}">
          <canvas
            data-testid="session-canvas"
            aria-label="Session screen"
            @pointerdown=${(e: PointerEvent) => this.pointerDown(e)}
            @pointermove=${(e: PointerEvent) => this.pointerMove(e)}
            @pointerup=${(e: PointerEvent) => this.pointerUp(e)}
            @contextmenu=${(e: Event) => e.preventDefault()}
          ></canvas>
          <div class="cursor" ?hidden=${!cursorShown}></div>
          <div class="pointer" data-testid="session-pointer" ?hidden=${!this.pointer?.visible}></div>
          <div class="selection" ?hidden=${!this.selection}></div>
          <!-- No whitespace inside: the layer's textContent is the rows, each ending in a newline. -->
          <div class="text" data-testid="session-text" aria-live="polite" aria-label="Screen text">${screen
            ? screen.lines.map((line) => html`<div>${line.trimEnd()}\n</div>`)
            : nothing}</div>
        </div>
      </div>
      <div class="statusbar ${status ? '' : 'quiet'}">
        <span class="status ${this.endedReason ? 'ended-status' : ''}" data-testid="session-status" role="status">${status}</span>
        <span class="mode">${mode}</span>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mvm-session': MvmSession;
  }
}

if (!customElements.get('mvm-session')) customElements.define('mvm-session', MvmSession);
