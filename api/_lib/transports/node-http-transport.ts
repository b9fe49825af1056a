import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ByteSource, UpstreamResponse, UpstreamTransport } from './upstream-transport.js';

// Keep-alive so that consecutive answers reuse connections (and TLS sessions) to a provider.
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: Infinity });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity });

/**
 * The transport on Node (Vercel's Node runtime, `npm start`): node:http(s). Chosen over
 * fetch for cost: undici's body is a Web stream with a promise per chunk and about
 * 34 KB of state per open request; an IncomingMessage pushes chunks and pauses natively.
 */
export const nodeHttpTransport: UpstreamTransport = (url, init, signal) =>
  new Promise<UpstreamResponse>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const body = Buffer.from(init.body);
    const req = (secure ? httpsRequest : httpRequest)(target, {
      method: init.method,
      headers: { ...init.headers, 'content-length': String(body.byteLength) },
      agent: secure ? httpsAgent : httpAgent,
    });
    // One abort listener of our own, removed when the exchange ends: cheaper per open
    // stream than the `signal` option (about 4 KB of listeners and closures each).
    const onAbort = (): void => void req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    const forget = (): void => signal.removeEventListener('abort', onAbort);
    req.once('error', (err) => {
      forget();
      reject(signal.aborted ? signal.reason : err);
    });
    req.once('response', (res) => {
      res.once('close', forget);
      resolve({ status: res.statusCode ?? 0, header: (name) => headerOf(res, name), body: sourceOf(res, req) });
    });
    req.end(body);
  });

function headerOf(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function sourceOf(res: IncomingMessage, req: ReturnType<typeof httpRequest>): ByteSource {
  return new IncomingSource(res, req);
}

type Handlers = Parameters<ByteSource['start']>[0];

/** An IncomingMessage as a ByteSource; one object per answer, its listeners made once. */
class IncomingSource implements ByteSource {
  readonly #res: IncomingMessage;
  readonly #req: ReturnType<typeof httpRequest>;
  #handlers: Handlers | undefined;
  #done = false;

  constructor(res: IncomingMessage, req: ReturnType<typeof httpRequest>) {
    this.#res = res;
    this.#req = req;
  }

  start(handlers: Handlers): void {
    this.#handlers = handlers;
    const res = this.#res;
    // Node's own streaming UTF-8 decoder: lighter per stream than a TextDecoder.
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (!this.#done) handlers.data(chunk);
    });
    res.once('end', () => {
      if (this.#done) return;
      this.#done = true;
      handlers.end();
    });
    const fail = (err: unknown): void => this.#fail(err);
    res.once('error', fail);
    this.#req.once('error', fail);
    // A connection cut mid-body ends as 'close' without 'end'.
    res.once('close', () => {
      if (!res.complete) this.#fail(new Error('upstream connection closed before the body ended'));
    });
  }

  pause(): void {
    this.#res.pause();
  }

  resume(): void {
    this.#res.resume();
  }

  destroy(): void {
    this.#done = true;
    this.#res.destroy();
    this.#req.destroy();
  }

  #fail(err: unknown): void {
    if (this.#done) return;
    this.#done = true;
    this.#handlers?.error(err);
  }
}
