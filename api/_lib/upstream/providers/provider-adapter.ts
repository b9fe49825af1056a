import type { FinishReason } from '../../../../widget/shared/protocol.js';
import type { ProviderConfig } from '../../config/config.js';
import type { NormalizedRequest } from '../../request/request-schema.js';
import type { StreamError } from '../../stream-error.js';
import type { UpstreamRequestInit } from '../transports/upstream-transport.js';

/** What an adapter makes of the upstream's stream: provider-neutral, nothing else downstream knows who spoke. */
export type UpstreamEvent =
  | { type: 'text'; text: string }
  /** The model's reasoning (thinking, or a summary of it): never part of the answer's text. */
  | { type: 'reasoning'; text: string }
  /** Provider-reported usage; fields present are cumulative totals that overwrite earlier ones. */
  | { type: 'usage'; promptTokens?: number; completionTokens?: number; reasoningTokens?: number; cachedPromptTokens?: number }
  | { type: 'finish'; reason: FinishReason }
  /** The stream is over (e.g. OpenAI's `[DONE]`); anything after it is ignored. */
  | { type: 'end' }
  | { type: 'error'; error: StreamError };

/** One framed message of an upstream body: an SSE event (`event` is its name, if any) or one NDJSON line. */
export interface UpstreamMessage {
  event?: string | undefined;
  data: string;
}

/** Reads one upstream stream's messages, in order. */
export interface UpstreamStreamReader {
  read(message: UpstreamMessage): UpstreamEvent[];
  /**
   * The body ended. Providers whose stream ends with the connection (Gemini) say here
   * whether that was the answer's end; returning nothing makes it a lost connection.
   */
  bodyEnded?(): UpstreamEvent[];
}

/** Response headers, read by name (a `Headers` is one). */
export interface HeaderReader {
  get(name: string): string | null;
}

/** How an upstream body is cut into messages: Server-Sent Events (any line ending) or newline-delimited JSON. */
export type UpstreamFraming = 'sse' | 'ndjson';

/** One provider's wire format: how to ask, and how to read the answer. */
export interface ProviderAdapter {
  readonly framing: UpstreamFraming;
  /** Builds the upstream HTTP request, keys included. */
  buildRequest(request: NormalizedRequest, provider: ProviderConfig): { url: string; init: UpstreamRequestInit };
  /** A reader for one upstream stream; it may learn from earlier messages to read later ones faster. */
  createStreamReader(): UpstreamStreamReader;
  /** Turns a non-2xx upstream answer into an error whose message is safe to show. */
  parseHttpError(status: number, headers: HeaderReader, body: string): StreamError;
}
