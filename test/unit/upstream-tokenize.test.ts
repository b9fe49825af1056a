import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_CHARS, splitIntoTokens } from '../../demo/upstream/tokenize.js';

const SAMPLES = [
  'Hello, world',
  '# Title\n\n- item one\n- item two\n\n```ts\nconst x = 1;\n```\n',
  'naïve café — 東京 🚀 and 👩🏽‍💻 emoji',
  '    indented\n\n\n\ttabs  and   spaces ',
  '{"a":[1,2,3],"b":{"c":"d"}}',
  '',
];

describe('splitIntoTokens', () => {
  it.each(SAMPLES)('joins back to exactly the input: %j', (text) => {
    expect(splitIntoTokens(text).join('')).toBe(text);
  });

  it('keeps every token between 1 and MAX_TOKEN_CHARS code points', () => {
    for (const text of SAMPLES) {
      for (const token of splitIntoTokens(text)) {
        const length = Array.from(token).length;
        expect(length).toBeGreaterThanOrEqual(1);
        expect(length).toBeLessThanOrEqual(MAX_TOKEN_CHARS);
      }
    }
  });

  it('never splits a surrogate pair, so every delta is well-formed UTF-16', () => {
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const token of splitIntoTokens('🚀🚀🚀🚀🚀 x 𝒳𝒴𝒵 🎉')) {
      expect(token).not.toMatch(loneSurrogate);
    }
    expect('\uD83D').toMatch(loneSurrogate);
  });

  it('keeps a leading space with its word, like real tokenizers', () => {
    expect(splitIntoTokens('a big cat')).toEqual(['a', ' big', ' cat']);
    expect(splitIntoTokens('Hello, world')).toEqual(['Hell', 'o', ',', ' wor', 'ld']);
  });
});
