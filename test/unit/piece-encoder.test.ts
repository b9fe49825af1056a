import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import cl100k from 'js-tiktoken/ranks/cl100k_base';
import o200k from 'js-tiktoken/ranks/o200k_base';
import { describe, expect, it } from 'vitest';
import { createPieceEncoder } from '../../api/_lib/counting/piece-encoder.mjs';
import { RankTable, buildRankTable } from '../../api/_lib/counting/rank-table.mjs';
import { tokenText } from './token-text-arbitraries.js';

const encodings = {
  o200k_base: { ranks: o200k, tiktoken: new Tiktoken(o200k), table: new RankTable(buildRankTable(o200k.bpe_ranks)) },
  cl100k_base: { ranks: cl100k, tiktoken: new Tiktoken(cl100k), table: new RankTable(buildRankTable(cl100k.bpe_ranks)) },
};

describe.each(Object.entries(encodings))('piece encoder for %s', (_name, { ranks, tiktoken, table }) => {
  const encoder = createPieceEncoder(table, ranks.pat_str);

  it('holds every rank js-tiktoken loads, and nothing else', () => {
    // js-tiktoken's own (internal) map of comma-joined bytes → rank is the reference.
    const reference = Reflect.get(tiktoken, 'rankMap') as Map<string, number>;
    expect(table.size).toBe(reference.size);
    for (const [key, rank] of reference) {
      const bytes = Uint8Array.from(key.split(',').map(Number));
      if (table.rank(bytes, 0, bytes.length) !== rank) expect.fail(`rank of [${key}]: ${table.rank(bytes, 0, bytes.length)}, js-tiktoken ${rank}`);
    }
    // Inside a longer buffer too, and byte sequences that are no token.
    const padded = Uint8Array.from([7, 7, ...new TextEncoder().encode(' the'), 7]);
    expect(table.rank(padded, 2, 6)).toBe(tiktoken.encode(' the', [], [])[0]);
    for (const missing of [[0xff, 0xfe, 0xfd, 0xfc, 0xfb], [0x20, 0xff, 0xff, 0xff]]) {
      expect(table.rank(Uint8Array.from(missing), 0, missing.length)).toBe(-1);
    }
  });

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
});

describe('piece encoder on pathological input', () => {
  const { ranks, table } = encodings.o200k_base;
  const encoder = createPieceEncoder(table, ranks.pat_str);

  it('counts a 100 KB piece without a break in well under a second (js-tiktoken: minutes)', () => {
    const started = performance.now();
    const count = encoder.countText('abcdefghij'.repeat(10_000));
    expect(count).toBeGreaterThan(10_000);
    // Loose on purpose (shared machine): the quadratic merge would take about 500 s.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
