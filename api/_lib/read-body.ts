import { StreamError } from './stream-error.js';

/**
 * Reads a JSON request body, refusing more than `maxBytes` without buffering past it
 * (a lying or absent Content-Length is caught while reading).
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new StreamError('unsupported_media_type', 'Send the body as application/json.', { status: 415 });
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // With a declared length the HTTP layer cannot deliver more than it, so the body is
  // read in one call. Not touching `request.body` matters: on Node adapters (Hono's)
  // that getter builds a full Web Request and stream, ~9 KB held per open stream.
  if (Number.isInteger(declared) && declared >= 0) return parse(new Uint8Array(await request.arrayBuffer()));
  if (!request.body) throw new StreamError('bad_request', 'The request has no body.', { status: 400 });

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return parse(concat(chunks, size));
}

function parse(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  } catch {
    throw new StreamError('invalid_json', 'The request body is not valid JSON.', { status: 400 });
  }
}

function tooLarge(maxBytes: number): StreamError {
  return new StreamError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`, { status: 413 });
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
