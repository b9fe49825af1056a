import { createHash } from 'node:crypto';
import { mulberry32 } from './mulberry32.js';

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
  return mulberry32(Number.parseInt(hashText(seed).slice(0, 8), 16));
}

/** Picks one element of a non-empty list with the given generator. */
export function pick<T>(random: () => number, items: readonly [T, ...T[]]): T {
  return items[Math.floor(random() * items.length)] ?? items[0];
}
