import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { localeVersion, onLocaleRegistered, translate, type LocaleStrings, type Translation } from './i18n.js';

/**
 * The language of an element: its own `lang`, else the nearest ancestor's (across
 * shadow roots, so an element inside another component follows the page), else the
 * browser's (`navigator.language`).
 */
export function requestedLanguage(element: Element): string {
  for (let node: Node | null = element; node; node = node instanceof ShadowRoot ? node.host : node.parentNode) {
    const lang = node instanceof Element ? node.getAttribute('lang') : null;
    // `lang=""` means "unknown": keep looking, as the browser itself does not.
    if (lang) return lang;
  }
  return navigator.language || 'en';
}

/**
 * Keeps an element's {@link Translation} current: it follows the element's `lang` and
 * `dir` attributes and locale registrations (re-rendering the host when either
 * changes); the page's `lang` is read again at each render.
 */
export class I18nController implements ReactiveController {
  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #overrides: () => LocaleStrings | undefined;
  readonly #observer = new MutationObserver(() => this.#host.requestUpdate());
  #unsubscribe: (() => void) | undefined;
  #cache: { lang: string; overrides: LocaleStrings | undefined; version: number; translation: Translation } | undefined;

  constructor(host: ReactiveControllerHost & HTMLElement, overrides: () => LocaleStrings | undefined) {
    this.#host = host;
    this.#overrides = overrides;
    host.addController(this);
  }

  hostConnected(): void {
    this.#observer.observe(this.#host, { attributes: true, attributeFilter: ['lang', 'dir'] });
    this.#unsubscribe = onLocaleRegistered(() => this.#host.requestUpdate());
  }

  hostDisconnected(): void {
    this.#observer.disconnect();
    this.#unsubscribe?.();
  }

  /** The translation for the element's language now (cached until the language, the overrides or the locales change). */
  get current(): Translation {
    const lang = requestedLanguage(this.#host);
    const overrides = this.#overrides();
    const version = localeVersion();
    const cache = this.#cache;
    if (cache?.lang === lang && cache.overrides === overrides && cache.version === version) return cache.translation;
    const translation = translate(lang, overrides);
    this.#cache = { lang, overrides, version, translation };
    return translation;
  }

  /**
   * The `dir` for the element's content: `rtl` for a right-to-left language; `ltr` when
   * the element's own `lang` names a left-to-right one (a German chat on an Arabic
   * page); otherwise undefined, so the page's direction is inherited. An explicit
   * `dir` on the element always wins (undefined too).
   */
  get dir(): 'ltr' | 'rtl' | undefined {
    if (this.#host.hasAttribute('dir')) return undefined;
    if (this.current.rightToLeft) return 'rtl';
    return this.#host.getAttribute('lang') ? 'ltr' : undefined;
  }
}
