import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ByteSource, UpstreamCall, UpstreamResponse, UpstreamTransport } from './upstream-transport.js';

// Keep-alive so that consecutive answers reuse connections (and TLS sessions) to a provider.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: Infinity });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity });

/**
 * The transport on Node (Vercel's Node runtime, `npm start`): node:http(s). Chosen over
 * fetch for cost: undici's body is a Web stream with a promise per chunk and about
 * 34 KB of state per open request; an IncomingMessage pushes chunks and pauses natively.
 */
export const nodeHttpTransport: UpstreamTransport = (url, init) => new NodeHttpExchange(url, init);

type Handlers = Parameters<ByteSource['start']>[0];
type Settle = { resolve: (response: UpstreamResponse) => void; reject: (reason: unknown) => void };

/**
 * One request and its answer as one object: the call, the response and its body
 * source. Its listeners are methods bound once and added with `on`, not `once`: each
 * `once` costs a wrapper and its state per open stream, and the flags below already
 * make every callback fire at most once.
 */
class NodeHttpExchange implements UpstreamCall, UpstreamResponse, ByteSource {
  readonly response: Promise<UpstreamResponse>;
  readonly #req: ClientRequest;
  #res: IncomingMessage | undefined;
  /** Until the response headers arrive (or the request fails or is aborted). */
  #settle: Settle | undefined;
  #handlers: Handlers | undefined;
  /** No callback fires any more: the body ended, failed, or was destroyed. */
  #done = false;
  /** A failure between the response and `start`, delivered by `start`. */
  #early: unknown;

  constructor(url: string, init: Parameters<UpstreamTransport>[1]) {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const body = Buffer.from(init.body);
    // Headers as a flat list: node:http then writes them once instead of keeping a
    // header map per request (the Host header is ours to send in that form).
    const headers = ['host', target.host, 'content-length', String(body.byteLength)];
    for (const [name, value] of Object.entries(init.headers)) headers.push(name, value);
    this.response = new Promise<UpstreamResponse>((resolve, reject) => (this.#settle = { resolve, reject }));
    const req = (secure ? httpsRequest : httpRequest)(target, { method: init.method, headers, agent: secure ? httpsAgent : httpAgent });
    this.#req = req;
    req.on('error', this.#onRequestError);
    req.on('response', this.#onResponse);
    req.end(body);
  }

  // UpstreamCall

  abort(reason: unknown): void {
    this.#settle?.reject(reason);
    this.#settle = undefined;
    this.destroy();
  }

  // UpstreamResponse

  get status(): number {
    return this.#res?.statusCode ?? 0;
  }

  header(name: string): string | null {
    const value = this.#res?.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  get body(): ByteSource {
    return this;
  }

  // ByteSource

  start(handlers: Handlers): void {
    this.#handlers = handlers;
    if (this.#early !== undefined) return handlers.error(this.#early);
    const res = this.#res;
    if (!res || this.#done) return;
    // Node's own streaming UTF-8 decoder: lighter per stream than a TextDecoder.
    res.setEncoding('utf8');
    res.on('data', this.#onData);
    res.on('end', this.#onEnd);
    res.on('error', this.#onError);
    // A connection cut mid-body ends as 'close' without 'end'.
    res.on('close', this.#onClose);
  }

  pause(): void {
    this.#res?.pause();
  }

  resume(): void {
    this.#res?.resume();
  }

  destroy(): void {
    this.#done = true;
    this.#res?.destroy();
    this.#req.destroy();
  }

  readonly #onResponse = (res: IncomingMessage): void => {
    this.#res = res;
    this.#settle?.resolve(this);
    this.#settle = undefined;
  };

  // Before the response: a network failure. After it: the body failed.
  readonly #onRequestError = (err: unknown): void => {
    if (!this.#settle) return this.#onError(err);
    this.#settle.reject(err);
    this.#settle = undefined;
  };

  readonly #onData = (chunk: string): void => {
    if (!this.#done) this.#handlers?.data(chunk);
  };

  readonly #onEnd = (): void => {
    if (this.#done) return;
    this.#done = true;
    this.#handlers?.end();
  };

  readonly #onClose = (): void => {
    if (!this.#res?.complete) this.#onError(new Error('upstream connection closed before the body ended'));
  };

  readonly #onError = (err: unknown): void => {
    if (this.#done) return;
    this.#done = true;
    if (this.#handlers) this.#handlers.error(err);
    else this.#early = err ?? new Error('upstream body failed');
  };
}
