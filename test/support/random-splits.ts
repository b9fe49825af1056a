/** A small seeded generator (mulberry32), so a failing split can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts bytes at random points (including inside multi-byte characters), 1..maxPiece long. */
export function randomSplits(bytes: Uint8Array, random: () => number, maxPiece = 16): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(random() * maxPiece);
    pieces.push(bytes.slice(i, i + n));
    i += n;
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
