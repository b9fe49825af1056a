import fc from 'fast-check';
import { splitAt } from '../support/random-splits.js';

/**
 * Fragments that sit on the pre-tokenizer's edges: contractions cut short, case
 * changes, marks, digits in threes, whitespace before letters and newlines, `/` after
 * punctuation (o200k), CJK, emoji (surrogate pairs, ZWJ and skin tones), lone
 * surrogates, non-ASCII spaces and digits, and a special token's text.
 */
const FRAGMENTS = [
  'a', 'Z', 'the', ' the', 'HTTPServer', 'iPhone', 'ǅ', 'ʰ', 'ß', 'é', 'e\u0301', '\u0301',
  "'", "'s", "'S", "'l", "'ll", "'LL", "'r", "'re", "'v", "'ve", "'d", "'t", "'m", "don't", "WE'RE",
  ' ', '  ', '   ', '\t', '\n', '\n\n', '\r', '\r\n', ' \n ', '\u00a0', '\u3000',
  '0', '7', '12', '123', '12345', '٣', '½',
  '.', ',', '!?', '...', '/', '//', '-', '---', '==', '(', ')', '{', '}', '<', '>', '#', '*', '`', '```',
  '中', '中文', '한국어', 'Привет', 'مرحبا', 'नमस्ते',
  '😀', '👍🏽', '👩‍💻', '\ud83d', '\ude00', '\ud840\udc00',
  '<|endoftext|>',
];

/** One fragment: mostly the tricky ones above, sometimes arbitrary strings. */
const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\n', '\t', 'a', '1', '.'), maxLength: 8 }) },
);

/** Texts up to a few hundred code units built from edge-case fragments. */
export const tokenText = (maxFragments = 40): fc.Arbitrary<string> =>
  fc.array(fragment, { maxLength: maxFragments }).map((parts) => parts.join(''));

/**
 * A text and the deltas it arrives in: cut at random code-unit positions, so cuts
 * fall inside surrogate pairs, CRLFs, contractions and digit runs.
 */
export const streamedText = (maxFragments = 40): fc.Arbitrary<{ text: string; deltas: string[] }> =>
  tokenText(maxFragments).chain((text) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, text.length - 1) }), { maxLength: Math.min(text.length, 40) })
      .map((cuts) => ({ text, deltas: splitAt(text, cuts) })),
  );
