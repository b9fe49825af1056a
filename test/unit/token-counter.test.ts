import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRE_TOKENIZER_PATTERNS, type EncodingName } from '../../api/_lib/counting/encoding-patterns.js';
import { createPieceEncoder } from '../../api/_lib/counting/piece-encoder.mjs';
import { RankTable, buildRankTable } from '../../api/_lib/counting/rank-table.mjs';
import { LONG_TAIL_UNITS, createPieceSplitter } from '../../api/_lib/counting/token-counter.js';
import { createTokenizer, type Tokenizer } from '../../api/_lib/counting/tokenizer.js';
import { streamedText } from './token-text-arbitraries.js';

// Loaded once per file: o200k takes about half a second, cl100k a quarter.
const encodings = {
  o200k_base: { ranks: o200k, tiktoken: new Tiktoken(o200k) },
  cl100k_base: { ranks: cl100k, tiktoken: new Tiktoken(cl100k) },
};

// The counter production uses (answer-stream.ts: tokenizer.createCompletionCounter),
// over the tokenizer a worker thread loads, as on the server.
let tokenizer: Tokenizer;
beforeAll(async () => {
  tokenizer = createTokenizer();
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const counter = tokenizer.createCompletionCounter(name);
    await counter.count();
    counter.dispose();
  }
});
afterAll(() => tokenizer.close());

/** Whether every pre-tokenizer piece of `text` is short, so that `estimate()` is exact (see its doc). */
const allPiecesShort = (text: string, pattern: string): boolean =>
  [...text.matchAll(new RegExp(pattern, 'gu'))].every((match) => match[0].length < LONG_TAIL_UNITS / 2);

describe.each(Object.entries(encodings))('completion counter with %s', (name, { ranks, tiktoken }) => {
  const encoding = name as EncodingName;
  const fullCount = (text: string): number => tiktoken.encode(text, [], []).length;

  it('uses the same pre-tokenizer pattern as js-tiktoken', () => {
    expect(PRE_TOKENIZER_PATTERNS[encoding]).toBe(ranks.pat_str);
  });

  it('equals a full encode after every delta and at the end, for any text cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(streamedText(), async ({ text, deltas }) => {
        const counter = tokenizer.createCompletionCounter(encoding);
        const estimateIsExact = allPiecesShort(text, ranks.pat_str);
        let soFar = '';
        for (const delta of deltas) {
          counter.push(delta);
          soFar += delta;
          // What the metadata events show as the answer streams.
          if (estimateIsExact) expect(counter.estimate()).toBe(fullCount(soFar));
          expect(await counter.count()).toBe(fullCount(soFar));
        }
        expect(await counter.count()).toBe(fullCount(text));
        counter.dispose();
      }),
      { numRuns: 400 },
    );
  });

  it('equals a full encode when every code unit is its own delta', async () => {
    const texts = [
      "We'll see: HTTPServer's 12345 users don't\r\n\n  indent\tthis. 中文😀👩‍💻 <|endoftext|>",
      "x'\nsay  \n\n   y ǅa ʰb e\u0301\u0301 ...// --- \ud83d a\ud840\udc00b \ude00 don'T'LL",
    ];
    for (const text of texts) {
      const counter = tokenizer.createCompletionCounter(encoding);
      for (let end = 1; end <= text.length; end++) {
        counter.push(text.slice(end - 1, end));
        expect(await counter.count()).toBe(fullCount(text.slice(0, end)));
      }
      counter.dispose();
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

  it('stays exact at every step while long tails are re-matched only on doubling', async () => {
    const long = fc.tuple(fc.constantFrom('a', 'Q', ' ', '\n', '-', '7', '中', '😀'), fc.integer({ min: 100, max: 500 }));
    const text = fc
      .array(fc.oneof(long.map(([unit, times]) => unit.repeat(times)), fc.constantFrom("'ll", ' x', '. ', '\r\n', '12')), { maxLength: 6 })
      .map((parts) => parts.join(''));
    const deltas = fc.array(fc.integer({ min: 1, max: 150 }), { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(text, deltas, async (full, sizes) => {
        const counter = tokenizer.createCompletionCounter('o200k_base');
        let at = 0;
        for (let i = 0; at < full.length; i++) {
          const size = sizes[i % sizes.length] ?? 1;
          counter.push(full.slice(at, at + size));
          at += size;
          // The heap merge stands in for js-tiktoken here, which is quadratic in these runs.
          expect(await counter.count()).toBe(encoder.countText(full.slice(0, at)));
        }
        counter.dispose();
      }),
      { numRuns: 25 },
    );
  });

  it('commits the long piece once it ends, and the count stays exact', async () => {
    const counter = tokenizer.createCompletionCounter('o200k_base');
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
    expect(await counter.count()).toBe(encoder.countText(text));
    expect(await counter.count()).toBe(fullCountWithoutLongRun(text, tiktoken) + encoder.countPiece(` ${'x'.repeat(10_000)}`));
    counter.dispose();
  });
});

/** js-tiktoken's count of `text` with its one long run of x's taken out (and counted apart). */
function fullCountWithoutLongRun(text: string, tiktoken: Tiktoken): number {
  const [before = '', after = ''] = text.split(/ x{10000}/u);
  return tiktoken.encode(before, [], []).length + tiktoken.encode(after, [], []).length;
}
