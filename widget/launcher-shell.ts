import type { css as litCss, CSSResult, html as litHtml, svg as litSvg, TemplateResult } from 'lit';
import type { LauncherOptions } from './launcher.js';

/** Lit's template tags, handed in by the element: the chunk imports nothing, so no Lit code is split out of the script-tag file. */
export interface LitTags {
  html: typeof litHtml;
  svg: typeof litSvg;
  css: typeof litCss;
}

/** What launcher mode adds to the chat: the button in the page corner and the styles that make the chat a panel above it. */
export interface LauncherShell {
  button(options: LauncherOptions): TemplateResult;
  styles: CSSResult;
  /**
   * On a phone, where the open panel covers the whole page: Tab from the panel's last
   * control goes to its first, Shift+Tab from its first to its last, instead of to the
   * page hidden behind it. Elsewhere the panel is non-modal, and Tab leaves it.
   */
  wrapFocus(event: KeyboardEvent, root: ShadowRoot): void;
  /**
   * Whether the open panel fills the screen (a phone), so it is modal: the element sets
   * `aria-modal` from it, and a screen reader no longer reads the page hidden behind.
   * The host re-renders when that changes (a phone turned, a window resized).
   */
  modal(host: { requestUpdate(): void }): boolean;
}

/**
 * Launcher mode's button and styles, in a chunk of their own that the element loads
 * the first time `launcher` is set (widget/launcher.ts): inline chats never fetch them.
 */
export function launcherShell({ html, svg, css }: LitTags): LauncherShell {
  // A speech bubble when closed, a cross when open; drawn with currentColor, no file fetched.
  const bubble = svg`<path d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/>`;
  // The media query of the full-screen panel in the styles below.
  const phone = matchMedia('(max-width: 30em)');
  const hosts = new WeakSet<object>();
  const cross = svg`<path d="M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z"/>`;
  return {
    button: (options) => html`<button
      class="launcher-button"
      part="launcher-button"
      type="button"
      aria-label=${options.label}
      aria-expanded=${options.open ? 'true' : 'false'}
      aria-controls="panel"
      @click=${options.onToggle}
    >
      <svg viewBox="0 0 24 24" aria-hidden="true">${options.open ? cross : bubble}</svg>
    </button>`,
    modal(host) {
      if (!hosts.has(host)) {
        hosts.add(host);
        phone.addEventListener('change', () => host.requestUpdate());
      }
      return phone.matches;
    },
    wrapFocus(event, root) {
      if (event.key !== 'Tab' || !phone.matches) return;
      // The panel's first control is always its close button, its last a button of the form.
      const buttons = [...root.querySelectorAll<HTMLElement>('#panel button')];
      const [first, last] = [buttons[0], buttons.at(-1)];
      const active = root.activeElement;
      const next = event.shiftKey ? active === first && last : active === last && first;
      if (next) {
        event.preventDefault();
        next.focus();
      }
    },
    styles: css`
  .launcher {
    --_offset: var(--ai-stream-chat-launcher-offset, 1.25rem);
  }
  .launcher-button,
  .panel {
    position: fixed;
    z-index: var(--ai-stream-chat-z-index, 2147483000);
    inset-inline-end: var(--_offset);
    box-shadow: 0 6px 24px rgb(0 0 0 / 22%);
  }
  .launcher-button {
    inset-block-end: var(--_offset);
    display: grid;
    place-items: center;
    width: 3.5em;
    height: 3.5em;
    padding: 0;
    border-radius: 50%;
  }
  .launcher-button svg {
    width: 1.6em;
    height: 1.6em;
    fill: currentColor;
  }
  .panel {
    inset-block-end: calc(var(--_offset) + 4.25em);
    width: min(var(--ai-stream-chat-panel-width, 25rem), 100vw - 2 * var(--_offset));
    height: min(var(--ai-stream-chat-panel-height, 40rem), 100dvh - 4.25em - 3 * var(--_offset));
  }
  .panel .transcript {
    max-height: none;
    /* The page under the panel does not scroll when the transcript reaches its end. */
    overscroll-behavior: contain;
  }
  .bottom-start > * {
    inset-inline: var(--_offset) auto;
  }
  .bottom-left > * {
    left: var(--_offset);
    right: auto;
  }
  .bottom-right > * {
    left: auto;
    right: var(--_offset);
  }
  /* A phone: the panel takes the whole screen, over its button (closed from its title bar). */
  @media (max-width: 30em) {
    .panel {
      inset: 0;
      width: auto;
      height: auto;
      border: 0;
      border-radius: 0;
    }
    .open .launcher-button {
      display: none;
    }
  }
  `,
  };
}
