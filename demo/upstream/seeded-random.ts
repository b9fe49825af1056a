import { createHash } from 'node:crypto';

/** Hex SHA-256 of a string: the stable key for "the same conversation". */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A deterministic pseudo-random generator (mulberry32) seeded from a string, so the
 * same prompt always yields the same answer, byte for byte.
 *
 * @example
 * const random = seededRandom('hello');
 * random(); // same number in [0, 1) on every run
 */
export function seededRandom(seed: string): () => number {
  let state = Number.parseInt(hashText(seed).slice(0, 8), 16) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one element of a non-empty list with the given generator. */
export function pick<T>(random: () => number, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}
