import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { createPieceEncoder } from '../../api/_lib/piece-encoder.mjs';
import { tokenText } from './token-text-arbitraries.js';

const encodings = {
  o200k_base: { ranks: o200k, tiktoken: new Tiktoken(o200k) },
  cl100k_base: { ranks: cl100k, tiktoken: new Tiktoken(cl100k) },
};

describe.each(Object.entries(encodings))('piece encoder for %s', (_name, { ranks, tiktoken }) => {
  const encoder = createPieceEncoder(tiktoken, ranks.pat_str);

  it('counts any text exactly as js-tiktoken encodes it', () => {
    fc.assert(
      fc.property(tokenText(80), (text) => {
        expect(encoder.countText(text)).toBe(tiktoken.encode(text, [], []).length);
      }),
      { numRuns: 600 },
    );
  });

  it('merges long pieces exactly as js-tiktoken does', () => {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz';
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...alphabet, 'a', 'a', 'e', 'é', '中'), minLength: 200, maxLength: 600 }),
        (piece) => {
          expect(encoder.countPiece(piece)).toBe(tiktoken.encode(piece, [], []).length);
        },
      ),
      { numRuns: 15 },
    );
    for (const piece of ['a'.repeat(700), '-'.repeat(700), ' '.repeat(700), '😀'.repeat(200)]) {
      expect(encoder.countText(piece)).toBe(tiktoken.encode(piece, [], []).length);
    }
  });

  it('falls back to the public encode when js-tiktoken hides its rank map', () => {
    // Only the encoder's own lookup is hidden; encode still runs on the real instance.
    const hidden = new Proxy(tiktoken, {
      get: (target, key) => (key === 'rankMap' ? undefined : key === 'encode' ? target.encode.bind(target) : Reflect.get(target, key)),
    });
    const fallback = createPieceEncoder(hidden, ranks.pat_str);
    const text = "Don't panic: 42 tokens, 中文 and 😀.\n\n  done";
    expect(fallback.countText(text)).toBe(tiktoken.encode(text, [], []).length);
  });
});

describe('piece encoder on pathological input', () => {
  const { ranks, tiktoken } = encodings.o200k_base;
  const encoder = createPieceEncoder(tiktoken, ranks.pat_str);

  it('counts a 100 KB piece without a break in well under a second (js-tiktoken: minutes)', () => {
    const started = performance.now();
    const count = encoder.countText('abcdefghij'.repeat(10_000));
    expect(count).toBeGreaterThan(10_000);
    // Loose on purpose (shared machine): the quadratic merge would take about 500 s.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
