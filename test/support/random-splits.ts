import { mulberry32 } from '../../demo/upstream/mulberry32.js';

/** A small seeded generator, so a failing split can be replayed from its seed. */
export const seededRandom: (seed: number) => () => number = mulberry32;

/** Cuts text into pieces of 1..maxPiece UTF-16 units (so some split surrogate pairs), as deltas arrive. */
export function randomChunks(text: string, random: () => number, maxPiece: number): string[] {
  return randomPieces(text, random, maxPiece);
}

/** Cuts `text` at the given offsets (those inside it, each once), as a stream's reads would arrive. */
export function splitAt(text: string, offsets: readonly number[]): string[] {
  const inside = [...new Set(offsets)].filter((at) => at > 0 && at < text.length).sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const at of inside) {
    pieces.push(text.slice(from, at));
    from = at;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** Cuts bytes at random points (including inside multi-byte characters), 1..maxPiece long. */
export function randomSplits(bytes: Uint8Array, random: () => number, maxPiece = 16): Uint8Array[] {
  return randomPieces(bytes, random, maxPiece);
}

function randomPieces<T extends { length: number; slice(start: number, end: number): T }>(whole: T, random: () => number, maxPiece: number): T[] {
  const pieces: T[] = [];
  for (let at = 0; at < whole.length; ) {
    const size = 1 + Math.floor(random() * maxPiece);
    pieces.push(whole.slice(at, at + size));
    at += size;
  }
  return pieces;
}

/** A byte stream that delivers the given pieces one by one. */
export function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  let i = 0;
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      const piece = pieces[i++];
      if (piece) controller.enqueue(piece as Uint8Array<ArrayBuffer>);
      else controller.close();
    },
  });
}
