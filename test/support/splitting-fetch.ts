import { randomSplits, seededRandom } from './random-splits.js';

/**
 * A `fetch` for the official clients that hands them the real response of the local
 * upstream cut into pieces of 1..maxPiece bytes (inside multi-byte characters, inside
 * CRLF pairs and `event:`/`data:` lines), each piece its own read, so their parsers are
 * tested on split reads rather than on whole frames.
 */
export function splittingFetch(seed: number, maxPiece = 7): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.body === null) return response;
    const random = seededRandom(seed);
    const body = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (const piece of randomSplits(chunk, random, maxPiece)) controller.enqueue(piece);
        },
      }),
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}
