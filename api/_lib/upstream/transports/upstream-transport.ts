/**
 * How the server core reaches a provider: one HTTP request whose body arrives as a
 * push source with pause/resume. Push with explicit pause is what keeps a stream cheap
 * (no promise per network chunk) while a slow client still makes the upstream wait.
 */

/** A request to a provider. */
export interface UpstreamRequestInit {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/**
 * The body of a provider's answer, as UTF-8-decoded text (a character split across
 * network chunks is held back by the decoder). `start` is called once; callbacks then
 * fire until end, error or destroy.
 */
export interface ByteSource {
  start(handlers: { data(chunk: string): void; end(): void; error(error: unknown): void }): void;
  /** Stops delivering chunks until `resume` (the client is behind). */
  pause(): void;
  resume(): void;
  /** Closes the connection; no callback fires afterwards. */
  destroy(): void;
}

/** A provider's answer, headers first. */
export interface UpstreamResponse {
  status: number;
  header(name: string): string | null;
  body: ByteSource;
}

/**
 * Hears how one request went: exactly one of the two, unless the call was aborted
 * first (then neither). Callbacks on an object rather than a promise: an upstream
 * request waits on its headers for as long as the model takes to start, and a promise
 * chain held that long is garbage the collector has already moved to the old
 * generation by the time it dies (measured, docs/server-design.md).
 */
export interface UpstreamReceiver {
  onResponse(response: UpstreamResponse): void;
  /** The request failed before its response headers (a network failure). */
  onFailure(error: unknown): void;
}

/** One request in flight. */
export interface UpstreamCall {
  /**
   * Stops the request at any stage: before the headers, no receiver callback fires any
   * more; a streaming body closes. The caller owns cancellation (its stream's one
   * signal), so a call needs no AbortController of its own where the platform does not
   * require one.
   */
  abort(): void;
  /**
   * Ends the call once the caller has read all it wants (the provider's end marker): no
   * receiver or body callback fires any more. A connection whose response has fully
   * arrived is kept for the next request (keep-alive); any other is closed at once, as
   * `abort` would, so an upstream that holds the connection open after its end marker
   * is not waited on.
   */
  release(): void;
}

/** Sends one request; its outcome goes to `receiver`. */
export type UpstreamTransport = (url: string, init: UpstreamRequestInit, receiver: UpstreamReceiver) => UpstreamCall;
