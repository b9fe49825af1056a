/**
 * Splits text into "tokens" the way the local upstream streams them: word-ish pieces
 * of at most {@link MAX_TOKEN_CHARS} code points, a leading space kept with its word
 * (" the", " str", "eam"), punctuation and whitespace runs on their own.
 *
 * Real tokenizers differ (this is not tiktoken); what matters for a stand-in is that
 * deltas are small, vary in size, never split a code point (real APIs buffer until a
 * whole character), and join back to exactly the input.
 */

/** Longest token, in code points. */
export const MAX_TOKEN_CHARS = 4;

// Order matters: a word with its leading space must win over a bare whitespace run.
const PIECE = / ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+/gu;

/**
 * @example
 * splitIntoTokens('Hello, world'); // ['Hell', 'o', ',', ' wor', 'ld']
 */
export function splitIntoTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(PIECE)) {
    const chars = Array.from(match[0]);
    for (let i = 0; i < chars.length; i += MAX_TOKEN_CHARS) {
      tokens.push(chars.slice(i, i + MAX_TOKEN_CHARS).join(''));
    }
  }
  return tokens;
}
