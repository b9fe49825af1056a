/**
 * The tiktoken encodings the server counts with, and their pre-tokenizer patterns.
 *
 * The patterns are copied from js-tiktoken's ranks files (`pat_str`), so that the main
 * thread can split streamed text into pieces without importing the 2 MB ranks modules;
 * `test/unit/token-counter.test.ts` checks that they still match.
 */

/** A tiktoken encoding: `o200k_base` (GPT-4o, 4.1, 5, o-series) or `cl100k_base` (GPT-4, 3.5). */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** The encoding used when the caller names none. */
export const DEFAULT_ENCODING: EncodingName = 'o200k_base';

const CONTRACTIONS = "'s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D";
const UPPER = '[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]';
const LOWER = '[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]';

/** Pre-tokenizer regex source of each encoding, to be compiled with the `gu` flags. */
export const PRE_TOKENIZER_PATTERNS: Readonly<Record<EncodingName, string>> = {
  o200k_base: [
    `[^\\r\\n\\p{L}\\p{N}]?${UPPER}*${LOWER}+(${CONTRACTIONS})?`,
    `[^\\r\\n\\p{L}\\p{N}]?${UPPER}+${LOWER}*(${CONTRACTIONS})?`,
    '\\p{N}{1,3}',
    ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
    '\\s*[\\r\\n]+',
    '\\s+(?!\\S)',
    '\\s+',
  ].join('|'),
  cl100k_base: [
    `(${CONTRACTIONS})`,
    '[^\\r\\n\\p{L}\\p{N}]?\\p{L}+',
    '\\p{N}{1,3}',
    ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*',
    '\\s*[\\r\\n]+',
    '\\s+(?!\\S)',
    '\\s+',
  ].join('|'),
};
