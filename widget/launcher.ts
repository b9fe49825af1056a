import { html, nothing, svg, type TemplateResult } from 'lit';

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

// A speech bubble when closed, a cross when open; drawn with currentColor, no file fetched.
const bubble = svg`<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>`;
const cross = svg`<path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z"/>`;

/**
 * The chat (`chat`, with `id="panel"`), and in launcher mode (`options` given) the round
 * button in a page corner that opens it as a panel above it; the panel is hidden while
 * closed but stays in the DOM, so the conversation and a streaming answer go on.
 * Everything is `position: fixed` inside the shadow root: nothing is added to the host
 * page. One template for both modes, so switching `launcher` keeps the chat's DOM (the
 * message box's text, the scroll position).
 */
export function renderLauncher(options: LauncherOptions | undefined, chat: TemplateResult, dir?: 'ltr' | 'rtl'): TemplateResult {
  const corner = options && positions.includes(options.position) ? options.position : 'bottom-end';
  // The button first: the panel it controls follows it in the reading order.
  return html`<div class=${options ? `launcher ${corner}${options.open ? ' open' : ''}` : 'inline'} dir=${dir ?? nothing}>
    ${options
      ? html`<button
          class="launcher-button"
          part="launcher-button"
          type="button"
          aria-label=${options.label}
          aria-expanded=${options.open ? 'true' : 'false'}
          aria-controls="panel"
          @click=${options.onToggle}
        >
          <svg viewBox="0 0 24 24" aria-hidden="true">${options.open ? cross : bubble}</svg>
        </button>`
      : nothing}
    ${chat}
  </div>`;
}
