import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BodySink } from '../answer/body-sink.js';
import { BODY_HIGH_WATER_BYTES } from '../answer/answer-reader.js';
import { payloadTooLarge, within, type BodyLimits } from '../request/read-body.js';
import { StreamError } from '../stream-error.js';
import { flattenHead } from './flat-head.js';
import type { ClientGone, IncomingCall } from './incoming-call.js';
import { concat } from './web-mount.js';
import { isAnswerReply, type AnswerReply, type Reply } from './reply.js';

/** A Node request listener, for `node:http`, Express and the like; resolves once the reply is handed to the response (not when a stream ends). */
export type NodeListener = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** What Express adds to Node's request that matters here. */
export interface MountedRequest extends IncomingMessage {
  /** Express's URL before a router stripped its mount path. */
  originalUrl?: string;
  /** Set by a body parser that has already read the body. */
  body?: unknown;
}

/**
 * The handler on Node's own request and response: no Web `Request`, `Headers`, body
 * stream or `Response` per request (what `@hono/node-server` and other adapters build),
 * which on a cold process cost about 0.5 ms before the upstream call and a promise per
 * chunk after it (docs/server-design.md, "Mounts"). The body is read from the
 * `IncomingMessage` as it arrives, an answer's frames go to `res.write` with Node's own
 * backpressure, and a client that disconnects aborts the call's signal.
 */
export function nodeListener(serve: (call: IncomingCall) => Promise<Reply>): NodeListener {
  return (req, res) => {
    // Writing to a response whose socket is gone emits 'error'; the reader sees the close instead.
    res.on('error', ignore);
    const call = new NodeCall(req as MountedRequest, res);
    return serve(call)
      .then(
        (reply) => (isAnswerReply(reply) ? writeAnswer(reply, res) : writeWhole(reply, call, res)),
        () => writeWhole(Response.json({ error: { code: 'internal_error', message: 'The server hit an unexpected error.' } }, { status: 500 }), call, res),
      )
      // A reply Node refuses to write (a header it rejects) ends this response, never the process.
      .catch(() => void res.destroy());
  };
}

/** A client that went away, as a flag and its listeners (usually one: the answer's reader). */
class GoneFlag implements ClientGone {
  aborted = false;
  #listeners: Array<{ handleEvent(): void }> = [];

  addEventListener(_type: 'abort', listener: { handleEvent(): void }): void {
    if (!this.#listeners.includes(listener)) this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: { handleEvent(): void }): void {
    const at = this.#listeners.indexOf(listener);
    if (at >= 0) this.#listeners.splice(at, 1);
  }

  /** Each listener hears it once, as with `{ once: true }`. */
  fire(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener.handleEvent();
  }
}

class NodeCall implements IncomingCall {
  readonly #req: MountedRequest;
  readonly signal = new GoneFlag();
  #stopRead: (() => void) | undefined;

  constructor(req: MountedRequest, res: ServerResponse) {
    this.#req = req;
    // 'close' on the response: the request side closes as soon as its body is read.
    res.on('close', () => {
      if (!res.writableFinished) this.signal.fire();
    });
  }

  get method(): string {
    return this.#req.method ?? 'GET';
  }

  get url(): string {
    return `http://localhost${this.#req.originalUrl ?? this.#req.url ?? '/'}`;
  }

  get socketAddress(): string | undefined {
    return this.#req.socket.remoteAddress;
  }

  readonly headers = {
    get: (name: string): string | null => {
      const value = this.#req.headers[name];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };

  /** True once the body was read to its end (or there was none): the connection can serve another request. */
  get bodyDone(): boolean {
    return this.#req.complete;
  }

  readBody({ maxBytes, timeoutMs }: BodyLimits): Promise<Uint8Array> {
    const req = this.#req;
    if (req.readableEnded) {
      if (req.body !== undefined) {
        return Promise.reject(new StreamError('internal_error', BODY_ALREADY_READ, { status: 500 }));
      }
      return Promise.resolve(new Uint8Array(0));
    }
    // A body that came with the headers is parsed in the same read, after the 'request'
    // event; once that read's callbacks are done it is all buffered, and taken in one read
    // without the stream's events or a deadline's timer. Not a tick: each parser callback
    // is its own native call, which runs the tick queue as it returns, before the parser
    // goes on to the body (a tick never found it: every request took the slow path).
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      req.complete && !req.readableEnded ? this.#takeBuffered(maxBytes) : within(this.#readArriving(maxBytes), timeoutMs, () => this.#stopRead?.()),
    );
  }

  #takeBuffered(maxBytes: number): Uint8Array {
    const req = this.#req;
    const chunks: Buffer[] = [];
    let size = 0;
    for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) {
      size += chunk.byteLength;
      if (size > maxBytes) throw payloadTooLarge(maxBytes);
      chunks.push(chunk);
    }
    return concat(chunks, size);
  }

  #readArriving(maxBytes: number): Promise<Uint8Array> {
    const req = this.#req;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const stop = (): void => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('aborted', onError);
        this.#stopRead = undefined;
      };
      const onData = (chunk: Buffer): void => {
        size += chunk.byteLength;
        if (size > maxBytes) {
          stop();
          req.pause();
          return reject(payloadTooLarge(maxBytes));
        }
        chunks.push(chunk);
      };
      const onEnd = (): void => {
        stop();
        resolve(concat(chunks, size));
      };
      const onError = (): void => {
        stop();
        reject(new StreamError('bad_request', 'The request body was cut off.', { status: 400 }));
      };
      this.#stopRead = () => {
        stop();
        req.pause();
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('aborted', onError);
    });
  }

  asRequest(): Request {
    // The body is the handler's to read: the hook sees the method, URL and headers.
    const aborter = new AbortController();
    if (this.signal.aborted) aborter.abort();
    else this.signal.addEventListener('abort', { handleEvent: () => aborter.abort() });
    return new Request(requestUrl(this.#req), { method: this.method, headers: webHeaders(this.#req), signal: aborter.signal });
  }
}

/** A whole response (an error, a 204, a list): small, written at once. */
function writeWhole(response: Response, call: NodeCall, res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return void res.end();
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) if (name !== 'set-cookie') headers[name] = value;
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  // A body left unread (refused, or past its deadline) cannot be followed by another request.
  if (!call.bodyDone) res.shouldKeepAlive = false;
  res.writeHead(response.status, headers);
  if (!response.body) return void res.end();
  response.arrayBuffer().then(
    (bytes) => res.end(new Uint8Array(bytes)),
    () => res.destroy(),
  );
}

/**
 * An answer's frames straight to the response. The head goes out with the first frame
 * (one write); the reader pulls again after each 'drain' (live: the producer resumes
 * the upstream; from the store: the next read), and leaves when the client does.
 */
function writeAnswer({ status, headers, reader }: AnswerReply, res: ServerResponse): void {
  if (res.destroyed) return reader.cancel();
  res.writeHead(status, headers);
  flattenHead(res);
  let pulling = false;
  const pump = (): void => {
    if (pulling) return;
    pulling = true;
    const again = (): void => {
      pulling = false;
      if (reader.readsStore && !res.destroyed && !res.writableNeedDrain) pump();
    };
    reader.pull().then(again, () => res.destroy());
  };
  res.on('drain', pump);
  res.on('close', () => {
    if (!res.writableFinished) reader.cancel();
  });
  reader.attach(new ResponseSink(res));
  pump();
}

/** A Node response as a reader's sink. "Behind" is Node's own: `write` said wait for 'drain'. */
class ResponseSink implements BodySink {
  readonly #res: ServerResponse;
  /** A write already left in this turn: later ones wait for Node's uncork and leave together. */
  #wroteThisTurn = false;
  readonly #newTurn = (): void => {
    this.#wroteThisTurn = false;
  };

  constructor(res: ServerResponse) {
    this.#res = res;
  }

  enqueue(chunk: Uint8Array): void {
    const res = this.#res;
    if (res.destroyed || res.writableEnded) throw new Error('The client has gone.');
    // The first write of a turn leaves at once: Node corks a chunked response until the
    // next tick, and the turn may go on to parse the rest of a provider's network chunk
    // before that (the first token waited for the whole chunk). Later writes of the same
    // turn are left to Node's cork, so that many small frames (coalescing off, a fast
    // provider) still leave as one write.
    const socket = res.socket;
    if (!this.#wroteThisTurn && socket && !socket.writableCorked) {
      this.#wroteThisTurn = true;
      process.nextTick(this.#newTurn);
      socket.cork();
      res.write(chunk);
      socket.uncork();
      return;
    }
    res.write(chunk);
  }

  close(): void {
    const res = this.#res;
    if (!res.destroyed && !res.writableEnded) res.end();
  }

  get desiredSize(): number {
    const res = this.#res;
    return res.writableNeedDrain ? 0 : Math.max(1, BODY_HIGH_WATER_BYTES - res.writableLength);
  }
}

/** What a route mounted after a body parser answers (500): the handler reads and bounds its own body. */
export const BODY_ALREADY_READ = 'A body parser read the request before the chat handler: mount the chat route before express.json() and the like.';

/** A Node request's URL as a Web one (before an Express router stripped its mount path). */
export function requestUrl(req: MountedRequest): URL {
  return new URL(req.originalUrl ?? req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
}

/** A Node request's headers as Web `Headers`, repeated ones kept. */
export function webHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

const ignore = (): void => {};
