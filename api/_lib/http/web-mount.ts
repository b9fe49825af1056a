import { payloadTooLarge, within } from '../request/read-body.js';
import type { IncomingCall } from './incoming-call.js';
import { isAnswerReply, type Reply } from './reply.js';

/**
 * What a Web mount may pass beside the request. `@hono/node-server`'s `getRequestListener`
 * passes `{ incoming, outgoing }`, whose socket gives the client's address (what
 * `getConnInfo(c)` reads); another mount passes `{ socketAddress }` itself. Vercel and
 * Next.js pass other things, which are ignored (on Vercel the address comes from
 * `x-forwarded-for`, which its edge writes).
 */
export interface HandlerContext {
  incoming?: { socket?: { remoteAddress?: string | undefined } | undefined } | undefined;
  socketAddress?: string | undefined;
}

/** A Web `Request` as the handler reads it. */
export function webCall(request: Request, context: unknown): IncomingCall {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    signal: request.signal,
    socketAddress: socketAddressOf(context),
    asRequest: () => request,
    readBody({ maxBytes, timeoutMs }) {
      // With a declared length the HTTP layer cannot deliver more than it (the handler
      // refused a length over the bound), so the body is read in one call. Not touching
      // `request.body` matters: on Node adapters (Hono's) that getter builds a full Web
      // Request and stream, ~9 KB held per open stream. That read cannot be cancelled;
      // past the deadline it is left to end with the connection, which the 408 closes.
      const declared = Number(request.headers.get('content-length') ?? NaN);
      if (Number.isInteger(declared) && declared >= 0) {
        return within(
          request.arrayBuffer().then((bytes) => new Uint8Array(bytes)),
          timeoutMs,
          () => {},
        );
      }
      if (!request.body) return Promise.resolve(new Uint8Array(0));
      const reader = request.body.getReader();
      return within(readAll(reader, maxBytes), timeoutMs, () => void reader.cancel().catch(() => {}));
    },
  };
}

/** The handler's reply as a `Response`. */
export function toResponse(reply: Reply): Response {
  if (!isAnswerReply(reply)) return reply;
  return new Response(reply.reader.webBody(), { status: reply.status, headers: reply.headers });
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

export function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** The client's socket address, from what the mount passed (see {@link HandlerContext}). */
function socketAddressOf(context: unknown): string | undefined {
  if (typeof context !== 'object' || context === null) return undefined;
  const { socketAddress, incoming } = context as HandlerContext;
  return socketAddress ?? incoming?.socket?.remoteAddress;
}
