import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { PRE_TOKENIZER_PATTERNS } from '../../api/_lib/encoding-patterns.js';
import { createPieceEncoder } from '../../api/_lib/piece-encoder.mjs';
import { RankTable, buildRankTable } from '../../api/_lib/rank-table.mjs';
import {
  LONG_TAIL_UNITS,
  createPieceSplitter,
  createTokenCounter,
  type TokenEncoder,
} from '../../api/_lib/token-counter.js';
import { streamedText } from './token-text-arbitraries.js';

// Loaded once per file: o200k takes about half a second, cl100k a quarter.
const encodings = {
  o200k_base: { ranks: o200k, tiktoken: new Tiktoken(o200k) },
  cl100k_base: { ranks: cl100k, tiktoken: new Tiktoken(cl100k) },
};

/** The reference: js-tiktoken's own encode, special-token text as plain text. */
const referenceEncoder = (tiktoken: Tiktoken, pattern: string): TokenEncoder => ({
  pattern,
  countText: (text) => tiktoken.encode(text, [], []).length,
});

describe.each(Object.entries(encodings))('incremental counter with %s', (name, { ranks, tiktoken }) => {
  const encoder = referenceEncoder(tiktoken, ranks.pat_str);
  const fullCount = (text: string): number => tiktoken.encode(text, [], []).length;

  it('uses the same pre-tokenizer pattern as js-tiktoken', () => {
    expect(PRE_TOKENIZER_PATTERNS[name as keyof typeof encodings]).toBe(ranks.pat_str);
  });

  it('equals a full encode after every delta, for any text cut anywhere', () => {
    fc.assert(
      fc.property(streamedText(), ({ deltas }) => {
        const counter = createTokenCounter(encoder);
        let soFar = '';
        for (const delta of deltas) {
          counter.push(delta);
          soFar += delta;
          expect(counter.count()).toBe(fullCount(soFar));
        }
      }),
      { numRuns: 400 },
    );
  });

  it('equals a full encode when every code unit is its own delta', () => {
    const texts = [
      "We'll see: HTTPServer's 12345 users don't\r\n\n  indent\tthis. 中文😀👩‍💻 <|endoftext|>",
      "x'\nsay  \n\n   y ǅa ʰb e\u0301\u0301 ...// --- \ud83d a\ud840\udc00b \ude00 don'T'LL",
    ];
    for (const text of texts) {
      const counter = createTokenCounter(encoder);
      for (let end = 1; end <= text.length; end++) {
        counter.push(text.slice(end - 1, end));
        expect(counter.count()).toBe(fullCount(text.slice(0, end)));
      }
    }
  });

  it('commits pieces as it goes, keeping only a short tail', () => {
    const splitter = createPieceSplitter(ranks.pat_str);
    const committed: string[] = [];
    const text = 'The quick brown fox jumps over the lazy dog, again and again. '.repeat(20);
    for (let i = 0; i < text.length; i += 3) committed.push(...splitter.push(text.slice(i, i + 3)));
    expect(committed.join('') + splitter.tail()).toBe(text);
    expect(splitter.tail().length).toBeLessThan(20);
  });
});

describe('a pathological piece', () => {
  const { ranks, tiktoken } = encodings.o200k_base;
  const encoder = createPieceEncoder(new RankTable(buildRankTable(ranks.bpe_ranks)), ranks.pat_str);

  it('costs amortised O(1) regex work per character while 20,000 letters stream without a break', () => {
    const splitter = createPieceSplitter(ranks.pat_str);
    const letters = 'abcdefghijklmnopqrstuvwxyz'.repeat(800).slice(0, 20_000);
    for (let i = 0; i < letters.length; i += 4) splitter.push(letters.slice(i, i + 4));
    // Re-matching the whole tail on every delta would scan about n²/8 = 50 million units.
    expect(splitter.scannedUnits()).toBeLessThan(4 * letters.length + 4 * LONG_TAIL_UNITS);
    expect(splitter.tail()).toBe(letters);
  });

  it('stays exact at every step while long tails are re-matched only on doubling', () => {
    const long = fc.tuple(fc.constantFrom('a', 'Q', ' ', '\n', '-', '7', '中', '😀'), fc.integer({ min: 100, max: 500 }));
    const text = fc
      .array(fc.oneof(long.map(([unit, times]) => unit.repeat(times)), fc.constantFrom("'ll", ' x', '. ', '\r\n', '12')), { maxLength: 6 })
      .map((parts) => parts.join(''));
    const deltas = fc.array(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(text, deltas, (full, sizes) => {
        const counter = createTokenCounter(encoder);
        let at = 0;
        for (let i = 0; at < full.length; i++) {
          const size = sizes[i % sizes.length] ?? 1;
          counter.push(full.slice(at, at + size));
          at += size;
          // The heap merge stands in for js-tiktoken here, which is quadratic in these runs.
          expect(counter.count()).toBe(encoder.countText(full.slice(0, at)));
        }
      }),
      { numRuns: 25 },
    );
  });

  it('commits the long piece once it ends, and the count stays exact', () => {
    const counter = createTokenCounter(encoder);
    const splitter = createPieceSplitter(ranks.pat_str);
    const text = `Before ${'x'.repeat(10_000)} after, and the answer goes on.`;
    for (let i = 0; i < text.length; i += 5) {
      counter.push(text.slice(i, i + 5));
      splitter.push(text.slice(i, i + 5));
    }
    splitter.push(' More text follows here, and here, and here.'.repeat(300));
    expect(splitter.tail().length).toBeLessThan(LONG_TAIL_UNITS);
    // js-tiktoken needs seconds for a 10 KB piece, so check against the heap merge
    // (itself checked against js-tiktoken in piece-encoder.test.ts) piece by piece.
    expect(counter.count()).toBe(encoder.countText(text));
    expect(counter.count()).toBe(fullCountWithoutLongRun(text, tiktoken) + encoder.countPiece(` ${'x'.repeat(10_000)}`));
  });
});

/** js-tiktoken's count of `text` with its one long run of x's taken out (and counted apart). */
function fullCountWithoutLongRun(text: string, tiktoken: Tiktoken): number {
  const [before = '', after = ''] = text.split(/ x{10000}/u);
  return tiktoken.encode(before, [], []).length + tiktoken.encode(after, [], []).length;
}
