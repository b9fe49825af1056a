/**
 * The wire protocol between the browser and the stream functions.
 *
 * Types only: imported by the server (`api/_lib`) and the widget alike, so it must
 * never import anything at run time. See `docs/protocol.md` for the prose version.
 */

/** A chat message as the browser sends it. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Body of `POST /api/chat/stream`. */
export interface StreamRequest {
  messages: ChatMessage[];
  /** A model alias the server allows; the server's default when absent. */
  model?: string;
  /** `json` asks the model for a JSON document (optionally matching `schema`). */
  mode?: 'text' | 'json';
  /** A JSON Schema the answer must follow (only with `mode: 'json'`). */
  schema?: Record<string, unknown>;
  temperature?: number;
  maxTokens?: number;
}

/** Why an answer ended, in provider-neutral words. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'refusal' | 'tool_calls' | 'cancelled' | 'error' | 'other';

/** Token usage of one answer. `source` says whether the provider reported it or we counted. */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  source: 'provider' | 'estimate';
  /** Of `completionTokens`, those spent reasoning; present only when the provider reports more than 0. */
  reasoningTokens?: number;
  /** Of `promptTokens`, those read from the provider's prompt cache; present only when the provider reports more than 0. */
  cachedPromptTokens?: number;
}

/** First event of every stream. */
export interface StartEvent {
  type: 'start';
  streamId: string;
  model: string;
  provider: string;
  /**
   * `true` when the server logs the answer for resume, so a dropped connection can
   * follow it again with `GET ?id=` (docs/protocol.md, "Resume"); absent otherwise
   * (resume off, or a server older than resume).
   */
  resumable?: boolean;
}

/** A piece of the answer's text (one or more upstream deltas, coalesced). */
export interface TokenEvent {
  type: 'token';
  content: string;
}

/**
 * A piece of the model's reasoning (its thinking, or a summary of it), coalesced like
 * tokens. Always before or between answer text, never part of it: `token` events alone
 * make the answer.
 */
export interface ReasoningEvent {
  type: 'reasoning';
  content: string;
}

/** Running token counts while the answer streams (estimates until `done`). */
export interface MetadataEvent {
  type: 'metadata';
  promptTokens?: number;
  completionTokens: number;
}

/** The server is about to try the upstream again; nothing of the failed attempt reached the client. */
export interface RetryEvent {
  type: 'retry';
  attempt: number;
  delayMs: number;
  reason: string;
  /** Set when the server falls back to another provider of the model's chain: the one it tries next. */
  provider?: string;
}

/** The answer is complete. */
export interface DoneEvent {
  type: 'done';
  finishReason: FinishReason;
  usage: Usage;
}

/** The stream ended with an error; text already sent stays valid. `message` is safe to show. */
export interface ErrorEvent {
  type: 'error';
  code: ErrorCode;
  message: string;
  retryable: boolean;
  /** For schema mismatches in JSON mode: where the document broke the schema (JSON Pointer). */
  path?: string;
}

/** Every event a stream can carry, in the order start, (reasoning | token | metadata | retry)*, done | error. */
export type StreamEvent = StartEvent | ReasoningEvent | TokenEvent | MetadataEvent | RetryEvent | DoneEvent | ErrorEvent;

/** Error codes, shared by HTTP error bodies and `error` events. */
export type ErrorCode =
  | 'bad_request'
  | 'schema_too_complex'
  | 'unsafe_pattern'
  | 'invalid_json'
  | 'invalid_encoding'
  | 'request_timeout'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'method_not_allowed'
  | 'unknown_model'
  | 'context_length_exceeded'
  | 'origin_not_allowed'
  | 'host_not_allowed'
  | 'rate_limited'
  | 'not_found'
  | 'no_provider'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'invalid_output'
  | 'schema_mismatch'
  | 'cancelled'
  | 'internal_error';

/** Which limit refused a request: the `limit` field of a `rate_limited` error body. */
export type RateLimitKind = 'requests' | 'streams' | 'tokens';

/** Body of every HTTP error response (4xx/5xx before a stream starts). */
export interface ErrorBody {
  /** `limit` is set on `rate_limited` (429) bodies only. */
  error: { code: ErrorCode; message: string; limit?: RateLimitKind };
}
