import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { translate, type LocaleStrings } from '../../widget/i18n.js';
import { strings as english } from '../../widget/strings.js';

const localesDir = fileURLToPath(new URL('../../widget/locales/', import.meta.url));
const shipped = readdirSync(localesDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => name.slice(0, -'.ts'.length))
  .sort();

async function load(lang: string): Promise<LocaleStrings> {
  const module = (await import(`../../widget/locales/${lang}.ts`)) as { default: LocaleStrings };
  return module.default;
}

describe('the shipped locales', () => {
  it('are at least de, fr, es, ja and ar', () => {
    expect(shipped).toEqual(expect.arrayContaining(['ar', 'de', 'es', 'fr', 'ja']));
  });

  it.each(shipped)('%s has exactly the keys of the English table', async (lang) => {
    const table = await load(lang);
    const keys = new Set(Object.keys(table));
    const missing = Object.keys(english).filter((key) => !keys.has(key));
    const extra = [...keys].filter((key) => !(key in english));
    // The message names the keys, so whoever adds an English string sees what each locale lacks.
    expect(
      { missing, extra },
      `widget/locales/${lang}.ts: missing ${missing.length ? missing.join(', ') : 'none'}; not in English: ${extra.length ? extra.join(', ') : 'none'}`,
    ).toEqual({ missing: [], extra: [] });
  });

  it.each(shipped)('%s gives each key the same kind of value as English (text, or a function returning text)', async (lang) => {
    const table = await load(lang);
    for (const [key, value] of Object.entries(table)) {
      const model = english[key as keyof typeof english];
      expect(typeof value, `${lang}.${key}`).toBe(typeof model);
      const text = typeof value === 'function' ? (value as (...args: string[]) => string)('12', 'other', 'upstream_error') : value;
      expect(typeof text === 'string' && text.trim().length > 0, `${lang}.${key} is non-empty text`).toBe(true);
    }
  });

  it.each(shipped)('%s registers itself under its file name when imported', async (lang) => {
    const table = await load(lang);
    expect(translate(lang).strings.send).toBe(table.send);
    expect(translate(lang).locale).toBe(lang);
  });
});

describe('translate', () => {
  it('uses the locale of the primary language for a regional tag, formatting numbers for the region', async () => {
    await load('de');
    const t = translate('de-CH');
    expect(t.strings.send).toBe('Senden');
    expect(t.count(12345)).toBe(new Intl.NumberFormat('de-CH').format(12345));
  });

  it('falls back to English, with English numbers, for a language without a locale and for a malformed tag', () => {
    for (const tag of ['xx', 'sw-KE', 'not a tag!', '']) {
      const t = translate(tag);
      expect(t.strings, tag).toEqual(english);
      expect(t.locale, tag).toBe('en');
      expect(t.count(1234), tag).toBe('1,234');
    }
  });

  it("lets a site's own strings win over the locale, key by key", async () => {
    await load('fr');
    const t = translate('fr', { send: 'Go' });
    expect(t.strings.send).toBe('Go');
    expect(t.strings.cancel).toBe('Annuler');
  });

  it('picks plural forms with Intl.PluralRules (English one/other, Arabic two and few)', async () => {
    const en = translate('en');
    expect(en.strings.completionTokens(en.count(1), en.plural(1))).toBe('1 completion token');
    expect(en.strings.completionTokens(en.count(2000), en.plural(2000))).toBe('2,000 completion tokens');
    await load('ar');
    const ar = translate('ar');
    expect(ar.plural(2)).toBe('two');
    expect(ar.plural(5)).toBe('few');
    expect(ar.strings.completionTokens(ar.count(2), ar.plural(2))).toContain('رمزان');
    expect(ar.strings.completionTokens(ar.count(5), ar.plural(5))).toContain('رموز');
    await load('fr');
    const fr = translate('fr');
    // French treats 0 as singular, English does not.
    expect(fr.strings.completionTokens(fr.count(0), fr.plural(0))).toBe('0 jeton de réponse');
  });

  it('knows which languages are written right to left', () => {
    expect(translate('ar').rightToLeft).toBe(true);
    expect(translate('he-IL').rightToLeft).toBe(true);
    expect(translate('fa').rightToLeft).toBe(true);
    expect(translate('de').rightToLeft).toBe(false);
    expect(translate('en').rightToLeft).toBe(false);
  });
});
