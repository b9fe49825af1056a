import { strings as english, type Strings } from './strings.js';

/** A locale's strings: the keys of the English table (`strings.ts`); one it lacks shows in English. */
export type LocaleStrings = Partial<Strings>;

const locales = new Map<string, LocaleStrings>();
const listeners = new Set<() => void>();
let version = 0;

/**
 * Makes a language available to every `<ai-stream-chat>` on the page: an element whose
 * language (its `lang`, the page's, or `navigator.language`) is `lang`, or a regional
 * variant of it (`pt-BR` uses `pt` when there is no `pt-BR`), shows these strings.
 * Elements already on the page switch at once. The shipped locale files call it when
 * imported (`import 'ai-stream-chat/locales/de.js'`).
 *
 * @example
 * registerLocale('nl', { send: 'Verstuur', cancel: 'Annuleer', … });
 */
export function registerLocale(lang: string, table: LocaleStrings): void {
  locales.set(lang.toLowerCase(), table);
  version += 1;
  for (const listener of listeners) listener();
}

/** Calls `listener` after each {@link registerLocale}; returns the unsubscribe function. */
export function onLocaleRegistered(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Counts up with each registration, so a cached {@link Translation} knows it is stale. */
export function localeVersion(): number {
  return version;
}

// Languages written right to left (primary subtags), for `dir`.
const rightToLeft = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'iw', 'ps', 'sd', 'ug', 'ur', 'yi']);

/** The strings and number formats of one language, as the element uses them. */
export interface Translation {
  /** The table: English, under the matched locale, under the site's overrides. */
  readonly strings: Strings;
  /** The BCP 47 tag numbers are formatted for: the requested one when a locale matched, else `en`. */
  readonly locale: string;
  /** Whether the requested language is written right to left. */
  readonly rightToLeft: boolean;
  /** A whole count (tokens), formatted for the locale. */
  count(value: number): string;
  /** A measure with one decimal at most (tokens per second), formatted for the locale. */
  decimal(value: number): string;
  /** The plural category of `value` in the locale (`one`, `few`, `other`…). */
  plural(value: number): Intl.LDMLPluralRule;
}

/**
 * The translation for a requested language tag: the registered locale for the tag, else
 * for its primary language, else English; `overrides` (a site's own strings) win over it.
 */
export function translate(requested: string, overrides: LocaleStrings = {}): Translation {
  const tag = canonical(requested);
  const primary = tag?.split('-')[0];
  const table = (tag && locales.get(tag.toLowerCase())) ?? (primary ? locales.get(primary) : undefined);
  const locale = table && tag ? tag : 'en';
  const count = new Intl.NumberFormat(locale);
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const plurals = new Intl.PluralRules(locale);
  return {
    strings: { ...english, ...table, ...overrides },
    locale,
    rightToLeft: primary !== undefined && rightToLeft.has(primary),
    count: (value) => count.format(value),
    decimal: (value) => decimal.format(value),
    plural: (value) => plurals.select(value),
  };
}

/** The tag in its canonical form, or undefined when it is not a valid BCP 47 tag. */
function canonical(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag.trim())[0];
  } catch {
    return undefined;
  }
}
