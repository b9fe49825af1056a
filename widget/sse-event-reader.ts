import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { StreamEvent } from './shared/protocol.js';
import { StreamError } from './stream-error.js';

/** One protocol event as it came off the wire, with its SSE `id` (used to resume). */
export interface ReceivedEvent {
  id: string | undefined;
  event: StreamEvent;
}

const knownTypes = new Set(['start', 'reasoning', 'token', 'metadata', 'retry', 'done', 'error']);

// Bounds the parser's buffer: a line this long is not the protocol, and a hostile or
// broken server must not make the page hold unbounded memory.
const maxBufferSize = 1024 * 1024;

/** What else the reader reports besides events. */
export interface ReadCallbacks {
  /** The server's `retry:` field (its reconnection delay, in ms). */
  onRetry?: (ms: number) => void;
  /** A comment line (the server's `: keep-alive` heartbeat): the connection is alive. */
  onComment?: () => void;
}

/**
 * Reads an SSE response body as protocol events. Unknown event types are skipped (the
 * protocol may grow); data that is not JSON is a `protocol_error`. Stopping the
 * iteration early cancels the body, which closes the connection.
 */
export async function* readStreamEvents(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  callbacks: ReadCallbacks = {},
): AsyncGenerator<ReceivedEvent, void, undefined> {
  const reader = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream({ maxBufferSize, ...callbacks }))
    .getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const event = parseEvent(value.data);
      if (event) yield { id: value.id, event };
    }
  } finally {
    // Swallowed: the stream may already be errored (aborted or dropped), which is why we are here.
    reader.cancel().catch(() => undefined);
  }
}

function parseEvent(data: string): StreamEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (cause) {
    throw new StreamError('protocol_error', 'The server sent an event that is not JSON.', { retryable: false, cause });
  }
  if (typeof parsed !== 'object' || parsed === null) {
    throw new StreamError('protocol_error', 'The server sent an event that is not an object.', { retryable: false });
  }
  const type = (parsed as { type?: unknown }).type;
  if (typeof type !== 'string' || !knownTypes.has(type)) return undefined;
  return parsed as StreamEvent;
}
