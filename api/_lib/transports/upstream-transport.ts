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

/** Sends one request; rejects on network failure or when `signal` aborts. */
export type UpstreamTransport = (url: string, init: UpstreamRequestInit, signal: AbortSignal) => Promise<UpstreamResponse>;
