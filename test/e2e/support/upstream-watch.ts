import type { LocalUpstream, StreamClosed } from '../../../demo/upstream/server.js';
import { waitFor } from './wait-for.js';

/**
 * How the upstream request whose prompt holds `nonce` ended: waits for its
 * `stream-closed` record (the upstream keeps the last 500).
 */
export async function upstreamClosed(upstream: LocalUpstream, nonce: string, timeoutMs = 15_000): Promise<StreamClosed> {
  return waitFor(`the upstream stream of "${nonce}" to close`, () => {
    const requestIds = new Set(
      upstream.stats.requests.filter((request) => JSON.stringify(request.body).includes(nonce)).map((request) => request.requestId),
    );
    return upstream.stats.closedStreams.findLast((closed) => requestIds.has(closed.requestId));
  }, timeoutMs);
}

/** The upstream requests whose body holds `nonce` (a server-side retry makes more than one). */
export function upstreamRequests(upstream: LocalUpstream, nonce: string): unknown[] {
  return upstream.stats.requests.filter((request) => JSON.stringify(request.body).includes(nonce)).map((request) => request.body);
}

/** A string unique to one test's prompt, to find its requests at the upstream. */
export function nonce(): string {
  return `n${Math.random().toString(36).slice(2, 10)}`;
}
