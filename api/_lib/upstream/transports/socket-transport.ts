import { StringDecoder } from 'node:string_decoder';
import { HEADER_NAME, ResponseParser, type ResponseParserEvents } from './http1-response-parser.js';
import { connectionFor, type ConnectionTarget, type ConnectionUser, type UpstreamConnection } from './upstream-connections.js';
import type { ByteSource, UpstreamCall, UpstreamReceiver, UpstreamRequestInit, UpstreamResponse, UpstreamTransport } from './upstream-transport.js';

/**
 * The transport on Node (Vercel's Node runtime, `npm start`): HTTP/1.1 over a socket
 * of our own (upstream-connections.ts says why not node:http), the response read by a
 * strict parser (http1-response-parser.ts). Chosen over fetch for cost as node:http
 * was: undici's body is a Web stream with a promise per chunk.
 */
export const socketTransport: UpstreamTransport = (url, init, receiver) => new SocketExchange(url, init, receiver);

type Handlers = Parameters<ByteSource['start']>[0];

interface Target extends ConnectionTarget {
  /** Path and query. */
  path: string;
  /** The Host header's value. */
  host: string;
}

/** Parsed URLs by their text; a full map is emptied rather than grown (URLs come from configuration, not requests). */
const targets = new Map<string, Target>();
const MAX_TARGETS = 64;

/** `url` parsed once: a deployment calls a handful of URLs, and parsing is on the path before the request leaves. */
function targetOf(url: string): Target {
  let target = targets.get(url);
  if (target) return target;
  const parsed = new URL(url);
  const secure = parsed.protocol === 'https:';
  if (!secure && parsed.protocol !== 'http:') throw new TypeError(`an upstream URL must be http or https, not ${parsed.protocol}`);
  // Brackets off an IPv6 literal, as node:http's own conversion does.
  const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const port = parsed.port ? Number(parsed.port) : secure ? 443 : 80;
  target = { secure, hostname, port, origin: `${parsed.protocol}//${parsed.host}`, path: `${parsed.pathname}${parsed.search}`, host: parsed.host };
  if (targets.size >= MAX_TARGETS) targets.clear();
  targets.set(url, target);
  return target;
}

/** A value we send: visible ASCII, spaces and tabs, nothing that could end a line (names are tokens, HEADER_NAME). */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;

/** The request as one string: its head, then the body. Throws on a header that cannot be sent as is. */
function requestText(target: Target, init: UpstreamRequestInit): string {
  let head = `${init.method} ${target.path} HTTP/1.1\r\nhost: ${target.host}\r\ncontent-length: ${Buffer.byteLength(init.body)}\r\n`;
  for (const [name, value] of Object.entries(init.headers)) {
    if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) throw new TypeError(`the upstream request header ${JSON.stringify(name.slice(0, 64))} has characters HTTP/1.1 cannot carry`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n${init.body}`;
}

/**
 * One request and its answer as one object: the call, the response and its body
 * source, the parser's listener and the connection's user. A network read's body
 * bytes are decoded and handed on as one chunk of text, so that pausing between
 * reads leaves nothing half-delivered in the shared read buffer.
 */
class SocketExchange implements UpstreamCall, UpstreamResponse, ByteSource, ResponseParserEvents, ConnectionUser {
  readonly #parser = new ResponseParser(this);
  #connection: UpstreamConnection | undefined;
  /** Hears the outcome until the response head arrives; cleared then or on abort. */
  #receiver: UpstreamReceiver | undefined;
  #handlers: Handlers | undefined;
  #status = 0;
  #headers: readonly string[] = [];
  /** Text of the current read, or text that came before `start`. */
  #text = '';
  /** Used from the first read that ends inside a character on (rare): before it, reads decode without one. */
  #decoder: StringDecoder | undefined;
  /** The body ended; told to the handlers once they have taken the text before it. */
  #ended = false;
  #paused = false;
  /** No callback fires any more: the body ended, failed, or was destroyed. */
  #done = false;
  /** A failure between the response and `start`, delivered by `start`. */
  #early: unknown;

  constructor(url: string, init: UpstreamRequestInit, receiver: UpstreamReceiver) {
    const target = targetOf(url);
    const text = requestText(target, init);
    this.#receiver = receiver;
    this.#connection = connectionFor(target, this);
    this.#connection.send(text);
  }

  // UpstreamCall

  abort(): void {
    this.#receiver = undefined;
    this.destroy();
  }

  release(): void {
    this.#receiver = undefined;
    this.#done = true;
    this.#letGo();
  }

  // UpstreamResponse

  get status(): number {
    return this.#status;
  }

  header(name: string): string | null {
    const wanted = name.toLowerCase();
    let value: string | null = null;
    const headers = this.#headers;
    for (let i = 0; i < headers.length; i += 2) if (headers[i] === wanted) value = value === null ? headers[i + 1]! : `${value}, ${headers[i + 1]!}`;
    return value;
  }

  get body(): ByteSource {
    return this;
  }

  // ByteSource

  start(handlers: Handlers): void {
    this.#handlers = handlers;
    if (this.#done) return;
    // The text that arrived before a failure is delivered before it.
    this.#deliver();
    if (this.#done) return;
    if (this.#early !== undefined) return this.#fail(this.#early);
    if (!this.#paused) this.#connection?.resume();
  }

  pause(): void {
    this.#paused = true;
    this.#connection?.pause();
  }

  resume(): void {
    this.#paused = false;
    if (this.#handlers && !this.#done) this.#connection?.resume();
  }

  destroy(): void {
    this.#done = true;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
  }

  // ResponseParserEvents

  onHead(status: number, headers: readonly string[]): void {
    // Told to the receiver once the read is parsed (`onRead`).
    this.#status = status;
    this.#headers = headers;
  }

  onBody(bytes: Buffer, start: number, end: number): void {
    if (this.#decoder === undefined && endsOnCharacter(bytes, start, end)) this.#text += bytes.toString('utf8', start, end);
    else this.#text += (this.#decoder ??= new StringDecoder('utf8')).write(bytes.subarray(start, end));
  }

  onEnd(): void {
    if (this.#decoder) this.#text += this.#decoder.end();
    this.#ended = true;
  }

  // ConnectionUser

  /**
   * Returns whether the connection reads on: not while the consumer is paused, nor
   * while a head's text waits for `start`. Bytes after the end are left unread until
   * `release` or `destroy` decides the connection's fate (a released one reads on, to
   * hear the server close it while it is idle).
   *
   * Nothing outside this object runs while the parser reads the shared buffer: the head
   * is told to the receiver, and text to the handlers, only once the whole read is
   * parsed, so no other connection's read can overwrite bytes still to be parsed.
   */
  onRead(bytes: Buffer, length: number): boolean {
    if (this.#done) return this.#connection === undefined;
    let failure: unknown;
    try {
      this.#parser.feed(bytes, 0, length);
    } catch (error) {
      failure = error;
    }
    const receiver = this.#status === 0 ? undefined : this.#receiver;
    if (receiver) {
      this.#receiver = undefined;
      receiver.onResponse(this);
    }
    if (this.#done) return this.#connection === undefined;
    // The text before bytes that could not be read is still the provider's.
    if (this.#handlers) this.#deliver();
    if (failure !== undefined) {
      this.#connectionFailed(failure);
      return false;
    }
    if (this.#done) return this.#connection === undefined;
    if (!this.#handlers) return this.#status === 0;
    return !this.#paused;
  }

  onClosed(error: Error | undefined): void {
    this.#connection = undefined;
    if (this.#done) return;
    if (this.#status === 0) return this.#connectionFailed(error ?? new Error('the upstream closed the connection before its response'));
    try {
      this.#parser.close();
    } catch (closedEarly) {
      return this.#fail(error ?? closedEarly);
    }
    if (this.#handlers) this.#deliver();
  }

  /** Hands the text read so far to the handlers, then the end if it came. */
  #deliver(): void {
    const handlers = this.#handlers!;
    if (this.#text !== '') {
      const text = this.#text;
      this.#text = '';
      handlers.data(text);
      if (this.#done) return;
    }
    if (this.#ended) {
      this.#done = true;
      // As node:http does: a response read whole gives its connection back by itself.
      this.#letGo();
      handlers.end();
    }
  }

  /** The connection back to the pool if the response was read whole and it may be reused; else closed. */
  #letGo(): void {
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    if (this.#parser.reusable) connection.release(this.#parser.keepAliveHintMs);
    else connection.destroy();
  }

  /** The connection cannot go on: before the head a network failure, after it a body failure. */
  #connectionFailed(error: unknown): void {
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.destroy();
    const receiver = this.#receiver;
    this.#receiver = undefined;
    if (receiver) {
      this.#done = true;
      return receiver.onFailure(error);
    }
    this.#fail(error);
  }

  #fail(error: unknown): void {
    if (this.#done) return;
    if (!this.#handlers) {
      this.#early = error;
      return;
    }
    this.#done = true;
    this.#handlers.error(error);
  }
}

/** `bytes[start, end)` does not end inside a UTF-8 sequence (invalid bytes count as whole: they decode to U+FFFD either way). */
function endsOnCharacter(bytes: Buffer, start: number, end: number): boolean {
  let at = end - 1;
  let continuations = 0;
  while (at >= start && continuations < 3 && (bytes[at]! & 0xc0) === 0x80) {
    at--;
    continuations++;
  }
  if (at < start) return continuations === 0;
  const lead = bytes[at]!;
  const needs = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return continuations >= needs;
}
