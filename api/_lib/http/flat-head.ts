import type { OutgoingMessage } from 'node:http';

/**
 * Makes the head node:http keeps for a response one string again.
 *
 * node:http builds a response's head by appending each header to a string, and keeps
 * that string (`_header`, read for `headersSent`) until the response is gone: for an
 * answer, as long as the stream is open. V8 holds such a string as a rope, one piece
 * per append, about 1.8 KB for a head of nine headers against 270 bytes flat. Reading
 * one character makes V8 flatten the rope in place, and the next GC frees the pieces.
 * (Measured with heap snapshots of 1,000 open streams, when the upstream requests also
 * went through node:http: flattening both heads saved 1.3 KB per open stream.)
 *
 * `_header` is node:http's own field, not public API: when it is not a string (a
 * future Node), this does nothing, and only the memory is lost.
 */
export function flattenHead(message: OutgoingMessage): void {
  const head: unknown = (message as { _header?: unknown })._header;
  if (typeof head === 'string') head.charCodeAt(0);
}
