import type { IncomingCall } from '../http/incoming-call.js';
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
export async function readJsonBody(call: IncomingCall, { maxBytes, timeoutMs }: BodyLimits): Promise<unknown> {
  const type = call.headers.get('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new StreamError('unsupported_media_type', 'Send the body as application/json.', { status: 415 });
  }
  const declared = Number(call.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw payloadTooLarge(maxBytes);
  return parse(await call.readBody({ maxBytes, timeoutMs }));
}

/** `read`, or a 408 StreamError after `ms` (calling `stop` to release the read): a mount's deadline for a body still arriving. */
export function within<T>(read: Promise<T>, ms: number, stop: () => void): Promise<T> {
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

/** The refusal of a body over the bound, from whichever mount read it. */
export function payloadTooLarge(maxBytes: number): StreamError {
  return new StreamError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`, { status: 413 });
}
