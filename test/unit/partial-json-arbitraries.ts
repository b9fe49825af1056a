/**
 * fast-check generators of JSON *text* for the partial-JSON parser's property tests:
 * every way the grammar allows to write a value (escapes of all kinds, `\uXXXX` in
 * either case, surrogate pairs raw and escaped, exponents, odd whitespace), deep
 * nesting, and ways to cut the text into chunks.
 */
import fc from 'fast-check';

const whitespace = fc.constantFrom('', '', ' ', '\n', '\r\n  ', '\t', '  \n    ');

const hex4 = (code: number, upper: boolean): string => {
  const digits = code.toString(16).padStart(4, '0');
  return `\\u${upper ? digits.toUpperCase() : digits}`;
};

/** One character of a string literal, written raw or as one of JSON's escapes. */
const stringPiece: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }).map((s) =>
    // Raw `"`, `\` and control characters are not allowed inside a JSON string.
    s.replace(/["\\\u0000-\u001f]/g, (c) => hex4(c.charCodeAt(0), false)),
  ),
  fc.constantFrom('\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', 'é', '😀', '👩‍👩‍👧', '\u2028'),
  fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.boolean()).map(([code, upper]) => hex4(code, upper)),
  // An astral character as an escaped surrogate pair.
  fc.tuple(fc.integer({ min: 0x10000, max: 0x10ffff }), fc.boolean()).map(([code, upper]) => {
    const pair = String.fromCodePoint(code);
    return hex4(pair.charCodeAt(0), upper) + hex4(pair.charCodeAt(1), upper);
  }),
);

/** A string literal, quotes included. */
export const stringText: fc.Arbitrary<string> = fc
  .array(stringPiece, { maxLength: 8 })
  .map((pieces) => `"${pieces.join('')}"`);

const digits = (min: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: 5 });

/** A number in any form JSON allows: `-0`, `12`, `0.5`, `1E+400`, `-3.25e-7`. */
export const numberText: fc.Arbitrary<string> = fc
  .record({
    minus: fc.boolean(),
    int: fc.oneof(fc.constant('0'), fc.tuple(fc.constantFrom(...'123456789'), digits(0)).map(([a, b]) => a + b)),
    frac: fc.option(digits(1), { nil: '' }),
    exp: fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1)), { nil: undefined }),
  })
  .map(({ minus, int, frac, exp }) => {
    const fraction = frac === '' ? '' : `.${frac}`;
    return `${minus ? '-' : ''}${int}${fraction}${exp ? exp.join('') : ''}`;
  });

const keyText = fc.oneof(
  { weight: 6, arbitrary: stringText },
  { weight: 1, arbitrary: fc.constantFrom('"__proto__"', '"constructor"', '"toString"', '""', '"\\u005f_proto__"') },
);

/** Hand-formatted JSON text: every value, written every way the grammar allows. */
export const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringText,
    numberText,
    fc.constantFrom('true', 'false', 'null'),
    fc
      .array(fc.tuple(whitespace, tie('value'), whitespace), { maxLength: 5 })
      .chain((items) => whitespace.map((ws) => `[${items.length ? items.map((t) => t.join('')).join(',') : ws}]`)),
    fc
      // Unique decoded keys: a repeated key legitimately replaces an earlier value.
      .uniqueArray(fc.tuple(whitespace, keyText, whitespace, whitespace, tie('value'), whitespace), {
        maxLength: 5,
        selector: (entry) => JSON.parse(entry[1]) as string,
      })
      .chain((entries) =>
        whitespace.map(
          (ws) => `{${entries.length ? entries.map(([a, k, b, c, v, d]) => `${a}${k}${b}:${c}${v}${d}`).join(',') : ws}}`,
        ),
      ),
  ),
})).value.chain((value) => fc.tuple(whitespace, whitespace).map(([a, b]) => a + value + b));

/** `JSON.stringify` of random values, compact or pretty-printed. */
export const stringifiedJson: fc.Arbitrary<string> = fc
  .tuple(
    fc
      .constantFrom('grapheme', 'binary', 'grapheme-ascii')
      .chain((stringUnit) => fc.jsonValue({ maxDepth: 5, stringUnit })),
    fc.constantFrom(undefined, 2, '\t'),
  )
  .map(([value, indent]) => JSON.stringify(value, null, indent));

/** Arrays and objects nested hundreds deep, with a string at the bottom. */
export const deepJson: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.boolean(), { minLength: 50, maxLength: 400 }), stringText)
  .map(([kinds, leaf]) => {
    const opens = kinds.map((isArray) => (isArray ? '[' : '{"k":')).join('');
    const closes = kinds.map((isArray) => (isArray ? ']' : '}')).reverse().join('');
    return opens + leaf + closes;
  });

/** Any of the above. */
export const anyJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: jsonText },
  { weight: 3, arbitrary: stringifiedJson },
  { weight: 1, arbitrary: deepJson },
);

/** Chunk sizes, used in turn until the text runs out; all ones means char by char. */
export const chunkSizes: fc.Arbitrary<readonly number[]> = fc.oneof(
  fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 16 }),
  fc.constant([1]),
);

/** Cuts `text` into chunks of the given sizes, taken in turn. */
export function cut(text: string, sizes: readonly number[]): string[] {
  const chunks: string[] = [];
  for (let at = 0, k = 0; at < text.length; k++) {
    const size = sizes[k % sizes.length] ?? 1;
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}
