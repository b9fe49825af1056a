// Bidi overrides and isolates could make a label read as something else; controls never show.
const unsafe = /[\p{Cc}\p{Cf}]/gu;
const longest = 24;

/**
 * The language label of a fenced code block, from its info string (the text after the
 * opening fence): its first word, without control or format characters, at most
 * 24 characters. `undefined` when nothing is left (no label). The result is only ever
 * shown as text (an attribute that CSS draws), so `"><img …>` or `javascript:` stays
 * those characters.
 * @example codeLanguage('python title="a.py"') // 'python'
 */
export function codeLanguage(info: string): string | undefined {
  const word = info.replace(unsafe, '').trim().split(/\s/, 1)[0] ?? '';
  return word ? word.slice(0, longest) : undefined;
}
