import { StreamError } from '../stream-error.js';

/** A stream id as this server makes them (`crypto.randomUUID()`); anything else is no stream of ours. */
export const STREAM_ID = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/;

/** Largest seq a Last-Event-ID may name: beyond any event log's bound. */
const MAX_SEQ = 1_000_000;

/** What a resume asks for: the stream, and the seq after which to send its events. */
export interface ResumeRequest {
  streamId: string;
  /** Events with a seq above this one are sent; -1 without a `Last-Event-ID` (from the start). */
  afterSeq: number;
}

/**
 * Reads `GET ?id=<streamId>` with an optional `Last-Event-ID: <streamId>:<seq>`.
 * Returns undefined for an id this server cannot have made (the caller answers 404, as
 * for any unknown stream); throws a 400 `bad_request` for a missing id, or a
 * Last-Event-ID that is malformed or names another stream.
 *
 * @example parseResumeRequest(new URL('https://x/api/chat/stream?id=7f3c…'), '7f3c…:12') // { streamId: '7f3c…', afterSeq: 12 }
 */
export function parseResumeRequest(url: URL, lastEventId: string | null): ResumeRequest | undefined {
  const streamId = url.searchParams.get('id');
  if (!streamId) throw new StreamError('bad_request', 'Name the stream to resume with ?id=.', { status: 400 });
  const last = lastEventId?.trim();
  if (!STREAM_ID.test(streamId)) {
    if (last) lastEventSeq(streamId, last);
    return undefined;
  }
  return { streamId, afterSeq: last ? lastEventSeq(streamId, last) : -1 };
}

function lastEventSeq(streamId: string, lastEventId: string): number {
  const colon = lastEventId.lastIndexOf(':');
  const seqText = lastEventId.slice(colon + 1);
  const seq = Number(seqText);
  if (colon < 0 || !/^\d{1,7}$/.test(seqText) || seq > MAX_SEQ) {
    throw new StreamError('bad_request', 'Last-Event-ID must be "<stream id>:<event number>", as the stream sent it.', { status: 400 });
  }
  if (lastEventId.slice(0, colon) !== streamId) {
    throw new StreamError('bad_request', 'Last-Event-ID names another stream than ?id=.', { status: 400 });
  }
  return seq;
}
