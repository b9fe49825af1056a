/**
 * One HTTP request as the handler reads it, whatever mounted it: a Web `Request`
 * (web-mount.ts: Vercel, Next.js, Hono) or Node's `IncomingMessage` read directly
 * (node-mount.ts: `npm start`, Express, `node:http`), so that a Node mount builds no
 * Web `Request`, `Headers` or body stream per request.
 */
import type { BodyLimits } from '../request/read-body.js';

/**
 * Whether the client went away, and word when it does: what an answer needs of a
 * request's signal. A Web `AbortSignal` is one; the Node mount's is a flag and a
 * listener list, not an `AbortController` per request (about 1.4 KB with its
 * `EventTarget`, allocated on every request's path to the upstream call).
 */
export interface ClientGone {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: { handleEvent(): void }, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: { handleEvent(): void }): void;
}

/** What reads only a request's headers takes: an {@link IncomingCall} or a Web `Request`. */
export interface WithHeaders {
  readonly headers: { get(name: string): string | null };
}

export interface IncomingCall extends WithHeaders {
  readonly method: string;
  /** Absolute; only its path and query are read (its host is whatever the mount saw). */
  readonly url: string;
  /** Fires when the client goes away. */
  readonly signal: ClientGone;
  /** The client's socket address, when the mount knows it. */
  readonly socketAddress: string | undefined;
  /**
   * The whole body, refusing more than `maxBytes` (a `payload_too_large` StreamError)
   * without buffering past it, and a body still unfinished after `timeoutMs` (a
   * `request_timeout` StreamError; the response then closes the connection).
   */
  readBody(limits: BodyLimits): Promise<Uint8Array>;
  /** The request as a Web `Request`, for the site's `identify` hook. */
  asRequest(): Request;
}
