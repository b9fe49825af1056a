import { css, html, nothing, svg, type TemplateResult } from 'lit';
import type { LauncherShell } from './launcher-shell.js';

/**
 * The page corner of the launcher button (and of the panel above it). `bottom-end` and
 * `bottom-start` follow the page's writing direction (`bottom-end` is the bottom right
 * of a left-to-right page, the bottom left of a right-to-left one); `bottom-right` and
 * `bottom-left` are that corner whatever the direction.
 */
export type LauncherPosition = 'bottom-end' | 'bottom-start' | 'bottom-right' | 'bottom-left';

const positions: readonly string[] = ['bottom-end', 'bottom-start', 'bottom-right', 'bottom-left'] satisfies LauncherPosition[];

/** The launcher's panel opened or closed (by the visitor, Esc, or the page setting `open`). */
export class AiStreamToggleEvent extends Event {
  static readonly eventName = 'ai-stream-toggle';
  /** Whether the panel is now open. */
  readonly open: boolean;

  constructor(open: boolean) {
    super(AiStreamToggleEvent.eventName, { bubbles: true, composed: true });
    this.open = open;
  }
}

declare global {
  interface HTMLElementEventMap {
    'ai-stream-toggle': AiStreamToggleEvent;
  }
}

/** What the launcher shows and does. */
export interface LauncherOptions {
  open: boolean;
  /** A `launcher-position` value as the page wrote it; anything unknown is `bottom-end`. */
  position: string;
  /** The button's accessible name (its state is `aria-expanded`). */
  label: string;
  onToggle: () => void;
}

// Launcher mode's button and styles: undefined until loaded, null if the chunk cannot load.
let shell: LauncherShell | null | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads launcher mode's button and styles (widget/launcher-shell.ts), once per page, the
 * first time an element has `launcher` set; like the highlighter chunk, the `import()`
 * is relative to the element's own script, so it comes from wherever that came from.
 * Returns what is loaded: the shell, `undefined` while loading, `null` when the chunk
 * cannot load (a CSP or a missing file), and the element then stays an inline chat.
 */
export function launcherShell(onLoad: () => void): LauncherShell | null | undefined {
  loading ??= import('./launcher-shell.js').then(
    (chunk) => void (shell = chunk.launcherShell({ html, svg, css })),
    () => void (shell = null),
  );
  if (shell === undefined) void loading.then(onLoad);
  return shell;
}

/** Resolves once {@link launcherShell} has loaded or failed. */
export const launcherLoaded = (): Promise<void> | undefined => loading;

/**
 * The chat (`chat`, with `id="panel"`), and in launcher mode (`options` given) the round
 * button in a page corner that opens it as a panel above it; the panel is hidden while
 * closed but stays in the DOM, so the conversation and a streaming answer go on.
 * Everything is `position: fixed` inside the shadow root: nothing is added to the host
 * page. One template for both modes, so switching `launcher` keeps the chat's DOM (the
 * message box's text, the scroll position).
 */
export function renderLauncher(
  options: LauncherOptions | undefined,
  button: LauncherShell['button'] | undefined,
  chat: TemplateResult,
  dir?: 'ltr' | 'rtl',
): TemplateResult {
  const corner = options && positions.includes(options.position) ? options.position : 'bottom-end';
  // The button first: the panel it controls follows it in the reading order.
  return html`<div class=${options ? `launcher ${corner}${options.open ? ' open' : ''}` : 'inline'} dir=${dir ?? nothing}>
    ${options && button ? button(options) : nothing}
    ${chat}
  </div>`;
}
