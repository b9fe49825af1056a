/**
 * A strict, incremental parser of one HTTP/1.1 response, over bytes that are only
 * valid while it is called (the socket transport reads every connection into one
 * shared buffer). The body is handed on as byte ranges of that buffer, so a token's
 * chunk costs no allocation here; the head is read once, as Latin-1 text.
 *
 * Strict where a lax parser would guess (RFC 9112): a malformed status line, header
 * line, chunk size or framing header is an error, not a best effort, because a
 * response framed wrongly would hand the next request's bytes to this one. Bounded:
 * the head and the trailers are at most {@link MAX_HEAD_BYTES}, {@link MAX_HEADERS}
 * lines, a chunk-size line {@link MAX_CHUNK_LINE_BYTES}.
 */

/** What the parser reports, in this order: one head, body ranges, one end. */
export interface ResponseParserEvents {
  /** The final response's status and its headers as name/value pairs, names lower-cased. */
  onHead(status: number, headers: readonly string[]): void;
  /** Body bytes `[start, end)` of `bytes`, valid only during the call. */
  onBody(bytes: Buffer, start: number, end: number): void;
  /** The body is complete. */
  onEnd(): void;
}

/** A response this client will not read: the connection must be closed. */
export class MalformedResponseError extends Error {
  override readonly name = 'MalformedResponseError';
  constructor(reason: string) {
    super(`the upstream sent a malformed HTTP response: ${reason}`);
  }
}

/** Node's own default for a response head (`--max-http-header-size`). */
export const MAX_HEAD_BYTES = 16 * 1024;
export const MAX_HEADERS = 100;
/** A chunk size and its extensions; real ones are a few bytes. */
export const MAX_CHUNK_LINE_BYTES = 1024;
/** Twelve hex digits: 256 TiB, past any body, and exact in a double. */
const MAX_CHUNK_SIZE_DIGITS = 12;

const enum State {
  Head,
  Sized,
  ChunkSize,
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  Trailers,
  UntilClose,
  Done,
}

const CR = 0x0d;
const LF = 0x0a;
const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
/** A header name: an RFC 9110 token. The socket transport checks the names it sends with it too. */
export const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** One quantifier over one class: linear on any line (a lazy value between optional spaces backtracks in cubic time). */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** An LF that does not end a CRLF: refused at once rather than waited on as if the head were unfinished. */
const BARE_LF = /(?:^|[^\r])\n/;
const CONTENT_LENGTH = /^\d{1,15}$/;

export class ResponseParser {
  readonly #events: ResponseParserEvents;
  #state = State.Head;
  /** The head (or the trailers) read so far, as Latin-1 text. */
  #text = '';
  /** Body bytes still due: of a sized body, or of the current chunk. */
  #remaining = 0;
  #chunkDigits = 0;
  #chunkLineBytes = 0;
  /** HTTP/1.1, no `Connection: close`, framed by length or chunks: the socket may serve another request. */
  #keepAlive = false;
  /** Bytes came after the end of the response. */
  #trailing = false;
  /** The server's `Keep-Alive: timeout=N`, in ms, if it sent one. */
  #keepAliveHintMs: number | undefined;

  constructor(events: ResponseParserEvents) {
    this.#events = events;
  }

  /** The whole response has been read. */
  get complete(): boolean {
    return this.#state === State.Done;
  }

  /** Complete, and the connection may carry another request. */
  get reusable(): boolean {
    return this.#state === State.Done && this.#keepAlive && !this.#trailing;
  }

  /** How long the server said it keeps an idle connection, if it did. */
  get keepAliveHintMs(): number | undefined {
    return this.#keepAliveHintMs;
  }

  /** Parses `bytes[start, end)`. Throws {@link MalformedResponseError}; events' own errors pass through. */
  feed(bytes: Buffer, start: number, end: number): void {
    let at = start;
    while (at < end) {
      switch (this.#state) {
        case State.Head:
          at = this.#readSection(bytes, at, end, false);
          break;
        case State.Sized:
          at = this.#takeBody(bytes, at, end);
          if (this.#remaining === 0) this.#finish();
          break;
        case State.ChunkSize:
          at = this.#readChunkSize(bytes, at, end);
          break;
        case State.ChunkExtension:
          // Extensions are ignored (RFC 9112 §7.1.1); only their length is bounded.
          while (at < end && bytes[at] !== CR) {
            if (bytes[at] === LF) throw new MalformedResponseError('a bare LF in a chunk size line');
            at++;
            this.#countChunkLine();
          }
          if (at < end) {
            at++;
            this.#state = State.ChunkSizeLf;
          }
          break;
        case State.ChunkSizeLf:
          if (bytes[at++] !== LF) throw new MalformedResponseError('a chunk size line not ended by CRLF');
          this.#chunkLineBytes = 0;
          if (this.#remaining === 0) {
            this.#state = State.Trailers;
            this.#text = '';
          } else this.#state = State.ChunkData;
          break;
        case State.ChunkData:
          at = this.#takeBody(bytes, at, end);
          if (this.#remaining === 0) this.#state = State.ChunkDataCr;
          break;
        case State.ChunkDataCr:
          if (bytes[at++] !== CR) throw new MalformedResponseError('a chunk longer than its size');
          this.#state = State.ChunkDataLf;
          break;
        case State.ChunkDataLf:
          if (bytes[at++] !== LF) throw new MalformedResponseError('a chunk not ended by CRLF');
          this.#state = State.ChunkSize;
          this.#chunkDigits = 0;
          break;
        case State.Trailers:
          at = this.#readSection(bytes, at, end, true);
          break;
        case State.UntilClose:
          this.#events.onBody(bytes, at, end);
          at = end;
          break;
        case State.Done:
          this.#trailing = true;
          return;
      }
    }
  }

  /** The connection closed: the end of a body read until close; for any other, an error. */
  close(): void {
    if (this.#state === State.Done) return;
    if (this.#state !== State.UntilClose) throw new MalformedResponseError('the connection closed before the response ended');
    this.#finish();
  }

  /** Hands on what is here of the `#remaining` bytes due; returns where it stopped. */
  #takeBody(bytes: Buffer, start: number, end: number): number {
    const stop = Math.min(end, start + this.#remaining);
    this.#remaining -= stop - start;
    this.#events.onBody(bytes, start, stop);
    return stop;
  }

  #finish(): void {
    this.#state = State.Done;
    this.#text = '';
    this.#events.onEnd();
  }

  /**
   * Reads a head, or a trailer section, up to the empty line that ends it: returns
   * where the bytes after it start, or `end` while it is still coming. The bound is
   * on the section without its final CRLF CRLF, however the reads cut it.
   */
  #readSection(bytes: Buffer, start: number, end: number, trailers: boolean): number {
    const before = this.#text.length;
    // Latin-1: one character per byte, so an index in the text is one in the bytes.
    const text = this.#text + bytes.toString('latin1', start, Math.min(end, start + MAX_HEAD_BYTES + 4 - before));
    const empty = trailers && text.startsWith('\r\n');
    const stop = empty ? 0 : text.indexOf('\r\n\r\n', Math.max(0, before - 3));
    if (BARE_LF.test(stop < 0 ? text : text.slice(0, stop + 2))) throw new MalformedResponseError('a line ended by a bare LF');
    if (stop < 0) {
      // Up to three bytes of the end marker may already be here.
      if (text.length > MAX_HEAD_BYTES + 3) throw new MalformedResponseError(`a head or trailers over ${MAX_HEAD_BYTES} bytes`);
      this.#text = text;
      return end;
    }
    if (stop > MAX_HEAD_BYTES) throw new MalformedResponseError(`a head or trailers over ${MAX_HEAD_BYTES} bytes`);
    this.#text = '';
    if (trailers) this.#onTrailers(text.slice(0, stop));
    else this.#onHead(text.slice(0, stop));
    return start + (empty ? 2 : stop + 4) - before;
  }

  #onHead(head: string): void {
    const lines = head.split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (!status) throw new MalformedResponseError('a malformed status line');
    if (lines.length - 1 > MAX_HEADERS) throw new MalformedResponseError(`more than ${MAX_HEADERS} header lines`);
    const code = Number(status[2]);
    const headers = headerPairs(lines);
    // An interim response (103 Early Hints, a 100 no one asked for): the real one follows.
    if (code < 200) {
      if (code === 101) throw new MalformedResponseError('a protocol switch no request asked for');
      return;
    }
    this.#frame(status[1] === '1', code, headers);
    this.#events.onHead(code, headers);
    if (this.#state === State.Done) this.#events.onEnd();
  }

  /** Sets how the body is delimited (RFC 9112 §6.3) and whether the connection can be reused. */
  #frame(http11: boolean, status: number, headers: readonly string[]): void {
    let transferEncoding: string | undefined;
    let contentLength: number | undefined;
    let close = !http11;
    for (let i = 0; i < headers.length; i += 2) {
      const value = headers[i + 1]!;
      switch (headers[i]) {
        case 'transfer-encoding':
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`;
          break;
        case 'content-length':
          for (const part of value.split(',')) {
            const trimmed = part.trim();
            if (!CONTENT_LENGTH.test(trimmed)) throw new MalformedResponseError('an invalid Content-Length');
            const length = Number(trimmed);
            if (contentLength !== undefined && contentLength !== length) throw new MalformedResponseError('conflicting Content-Length values');
            contentLength = length;
          }
          break;
        case 'connection':
          if (/(?:^|,)[\t ]*close[\t ]*(?:,|$)/i.test(value)) close = true;
          break;
        case 'keep-alive': {
          const seconds = /(?:^|[,;])[\t ]*timeout[\t ]*=[\t ]*(\d{1,6})/i.exec(value)?.[1];
          if (seconds !== undefined) this.#keepAliveHintMs = Number(seconds) * 1000;
          break;
        }
      }
    }
    this.#keepAlive = !close;
    if (status === 204 || status === 304) {
      this.#state = State.Done;
      return;
    }
    if (transferEncoding !== undefined) {
      // Only chunked is read: no content coding is asked for, so none may come.
      if (transferEncoding.split(',').map((coding) => coding.trim().toLowerCase()).join(',') !== 'chunked') {
        throw new MalformedResponseError(`an unsupported Transfer-Encoding (${transferEncoding.slice(0, 64)})`);
      }
      // Both framings at once is a smuggling signature: read as chunked, never reuse.
      if (contentLength !== undefined) this.#keepAlive = false;
      this.#state = State.ChunkSize;
      this.#chunkDigits = 0;
      this.#remaining = 0;
      return;
    }
    if (contentLength !== undefined) {
      this.#remaining = contentLength;
      this.#state = contentLength === 0 ? State.Done : State.Sized;
      return;
    }
    this.#keepAlive = false;
    this.#state = State.UntilClose;
  }

  #readChunkSize(bytes: Buffer, start: number, end: number): number {
    let at = start;
    while (at < end) {
      const byte = bytes[at]!;
      const digit = hexValue(byte);
      if (digit < 0) {
        if (this.#chunkDigits === 0) throw new MalformedResponseError('a chunk size that is not hexadecimal');
        if (byte === CR) this.#state = State.ChunkSizeLf;
        else if (byte === 0x3b /* ; */ || byte === 0x20 || byte === 0x09) this.#state = State.ChunkExtension;
        else throw new MalformedResponseError('a chunk size that is not hexadecimal');
        this.#countChunkLine();
        return at + 1;
      }
      if (++this.#chunkDigits > MAX_CHUNK_SIZE_DIGITS) throw new MalformedResponseError('a chunk size too large to read');
      this.#remaining = this.#remaining * 16 + digit;
      this.#countChunkLine();
      at++;
    }
    return at;
  }

  #countChunkLine(): void {
    if (++this.#chunkLineBytes > MAX_CHUNK_LINE_BYTES) throw new MalformedResponseError(`a chunk size line over ${MAX_CHUNK_LINE_BYTES} bytes`);
  }

  /** Trailer lines: checked and bounded like the head's, then dropped. */
  #onTrailers(section: string): void {
    if (section !== '') {
      const lines = section.split('\r\n');
      if (lines.length > MAX_HEADERS) throw new MalformedResponseError(`more than ${MAX_HEADERS} trailer lines`);
      headerPairs(['', ...lines]);
    }
    this.#finish();
  }
}

/** Header lines (after the first line) as lower-cased name/value pairs; throws on a malformed one. */
function headerPairs(lines: readonly string[]): string[] {
  const pairs: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    // Also refuses obsolete line folding (a line that starts with a space) and a bare CR.
    if (colon <= 0 || !HEADER_NAME.test(line.slice(0, colon)) || !HEADER_VALUE.test(line)) throw new MalformedResponseError('a malformed header line');
    pairs.push(line.slice(0, colon).toLowerCase(), trimSpaces(line, colon + 1));
  }
  return pairs;
}

/** `line` from `from`, without the spaces and tabs around it (by hand: a regex for the end is quadratic on a run of spaces). */
function trimSpaces(line: string, from: number): string {
  let start = from;
  let end = line.length;
  while (start < end && isSpace(line.charCodeAt(start))) start++;
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--;
  return line.slice(start, end);
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
