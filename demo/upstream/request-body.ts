import type { IncomingMessage } from 'node:http';

/** Largest request body accepted (1 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Past this, an oversized body is no longer drained but the connection is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/** A body read within the limit, or the news that it was too large. */
export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads a request body of at most `limit` bytes. An oversized body is drained and
 * dropped (up to a hard cap) rather than cut off, so the client can still read the
 * 413 instead of seeing a reset while it is sending.
 */
export function readRequestBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) chunks.push(chunk);
      else if (received > MAX_DRAIN_BYTES) req.destroy();
      else chunks.length = 0;
    });
    req.on('end', () => {
      resolve(received > limit ? { ok: false, reason: 'too-large' } : { ok: true, text: Buffer.concat(chunks).toString('utf8') });
    });
    req.on('error', () => resolve({ ok: false, reason: 'aborted' }));
    req.on('close', () => {
      if (!req.complete) resolve({ ok: false, reason: received > limit ? 'too-large' : 'aborted' });
    });
  });
}
