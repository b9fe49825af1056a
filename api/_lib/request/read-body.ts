import { StreamError } from '../stream-error.js';

/** Bounds of one request body. */
export interface BodyLimits {
  maxBytes: number;
  /** Time to receive the whole body; a client that stops sending gets 408 then. */
  timeoutMs: number;
}

/** Rejects bytes that are not UTF-8 instead of replacing them with U+FFFD. Stateless with `fatal` and one-shot decodes, so one instance serves every request. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a JSON request body, refusing more than `maxBytes` without buffering past it
 * (a lying or absent Content-Length is caught while reading), bytes that are not
 * UTF-8, and a body still unfinished after `timeoutMs` (without this deadline Node
 * would hold a stalled upload for its own `requestTimeout`, 300 s).
 */
export async function readJsonBody(request: Request, { maxBytes, timeoutMs }: BodyLimits): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new StreamError('unsupported_media_type', 'Send the body as application/json.', { status: 415 });
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  // With a declared length the HTTP layer cannot deliver more than it, so the body is
  // read in one call. Not touching `request.body` matters: on Node adapters (Hono's)
  // that getter builds a full Web Request and stream, ~9 KB held per open stream.
  // That read cannot be cancelled; past the deadline it is left to end with the
  // connection, which the 408 closes.
  if (Number.isInteger(declared) && declared >= 0) {
    return parse(await within(request.arrayBuffer().then((b) => new Uint8Array(b)), timeoutMs, () => {}));
  }
  if (!request.body) throw new StreamError('bad_request', 'The request has no body.', { status: 400 });
  const reader = request.body.getReader();
  return parse(await within(readAll(reader, maxBytes), timeoutMs, () => void reader.cancel().catch(() => {})));
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
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, size);
}

/** `read`, or a 408 StreamError after `ms` (calling `stop` to release the read). */
function within<T>(read: Promise<T>, ms: number, stop: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop();
      reject(new StreamError('request_timeout', `The request body did not arrive within ${ms} ms.`, { status: 408 }));
    }, ms);
  });
  // A read abandoned at the deadline fails later, when its connection closes.
  read.catch(() => {});
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

function parse(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new StreamError('invalid_encoding', 'The request body is not valid UTF-8.', { status: 400 });
  }
  try {
    return JSON.parse(text) as unknown;
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
