import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ByteSource, UpstreamCall, UpstreamReceiver, UpstreamRequestInit, UpstreamResponse, UpstreamTransport } from './upstream-transport.js';

// Keep-alive so that consecutive answers reuse connections (and TLS sessions) to a provider.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: Infinity });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity });

/**
 * The transport on Node (Vercel's Node runtime, `npm start`): node:http(s). Chosen over
 * fetch for cost: undici's body is a Web stream with a promise per chunk and about
 * 34 KB of state per open request; an IncomingMessage pushes chunks and pauses natively.
 */
export const nodeHttpTransport: UpstreamTransport = (url, init, receiver) => new NodeHttpExchange(url, init, receiver);

type Handlers = Parameters<ByteSource['start']>[0];

/** A provider URL as node:http wants it, parsed once: a deployment calls a handful of them. */
interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
  host: string;
}

/** Parsed URLs by their text; a full map is emptied rather than grown (URLs come from configuration, not requests). */
const targets = new Map<string, Target>();
const MAX_TARGETS = 64;

/**
 * `url` as node:http's options, parsed once per URL: `new URL` and node:http's own
 * conversion of a URL object cost about a quarter of opening a request, on the path
 * before the upstream request is sent (docs/server-design.md).
 */
function targetOf(url: string): Target {
  let target = targets.get(url);
  if (target) return target;
  const parsed = new URL(url);
  // Brackets off an IPv6 literal, as node:http's own conversion does.
  const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  target = { secure: parsed.protocol === 'https:', hostname, port: parsed.port, path: `${parsed.pathname}${parsed.search}`, host: parsed.host };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/**
 * One request and its answer as one object: the call, the response and its body
 * source. Four listeners, made once per request and added with `on`, not `once`: each
 * `once` costs a wrapper and its state per open stream, and the flags below already
 * make every callback fire at most once. A body's 'error' is always followed by its
 * 'close', which reads the outcome (`readableEnded`, `errored`); so 'end' and 'error'
 * need no listener of their own beyond a shared no-op (an 'error' without a listener
 * would throw).
 */
class NodeHttpExchange implements UpstreamCall, UpstreamResponse, ByteSource {
  readonly #req: ClientRequest;
  #res: IncomingMessage | undefined;
  /** Hears the outcome until the response headers arrive; cleared then or on abort. */
  #receiver: UpstreamReceiver | undefined;
  #handlers: Handlers | undefined;
  /** No callback fires any more: the body ended, failed, or was destroyed. */
  #done = false;
  /** A failure between the response and `start`, delivered by `start`. */
  #early: unknown;

  constructor(url: string, init: UpstreamRequestInit, receiver: UpstreamReceiver) {
    const { secure, hostname, port, path, host } = targetOf(url);
    // Headers as a flat list: node:http then writes them once instead of keeping a
    // header map per request (the Host header is ours to send in that form). The body
    // goes as a string, encoded once as it is written, not copied into a Buffer first.
    const headers = ['host', host, 'content-length', String(Buffer.byteLength(init.body))];
    for (const [name, value] of Object.entries(init.headers)) headers.push(name, value);
    this.#receiver = receiver;
    const options = { protocol: secure ? 'https:' : 'http:', hostname, path, method: init.method, headers, agent: secure ? httpsAgent : httpAgent, ...(port ? { port } : {}) };
    const req = (secure ? httpsRequest : httpRequest)(options);
    this.#req = req;
    req.on('error', this.#onRequestError);
    req.on('response', this.#onResponse);
    req.end(init.body, 'utf8');
  }

  // UpstreamCall

  abort(): void {
    this.#receiver = undefined;
    this.destroy();
  }

  release(): void {
    const res = this.#res;
    // The whole response has arrived (its 'end' may still be a tick away): let it end,
    // so the agent takes the socket back for the next request.
    if (res?.complete && !res.errored) {
      this.#receiver = undefined;
      this.#done = true;
      res.resume();
      return;
    }
    this.abort();
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
    // Already over (it cannot be in practice: start follows the headers synchronously).
    if (res.closed) return this.#onClose();
    // Node's own streaming UTF-8 decoder: lighter per stream than a TextDecoder.
    res.setEncoding('utf8');
    res.on('data', this.#onData);
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
    res.on('error', ignore);
    const receiver = this.#receiver;
    this.#receiver = undefined;
    receiver?.onResponse(this);
  };

  // Before the response: a network failure. After it: the body failed.
  readonly #onRequestError = (err: unknown): void => {
    const receiver = this.#receiver;
    if (!receiver) return this.#fail(err);
    this.#receiver = undefined;
    receiver.onFailure(err);
  };

  readonly #onData = (chunk: string): void => {
    if (!this.#done) this.#handlers?.data(chunk);
  };

  // A body that ended was read to its end; anything else (a connection cut mid-body,
  // a parse error) closes without ending.
  readonly #onClose = (): void => {
    const res = this.#res;
    if (res?.readableEnded && !res.errored) {
      if (this.#done) return;
      this.#done = true;
      return this.#handlers?.end();
    }
    this.#fail(res?.errored ?? new Error('upstream connection closed before the body ended'));
  };

  #fail(err: unknown): void {
    if (this.#done) return;
    this.#done = true;
    const error = err ?? new Error('upstream body failed');
    if (this.#handlers) this.#handlers.error(error);
    else this.#early = error;
  }
}

const ignore = (): void => {};
