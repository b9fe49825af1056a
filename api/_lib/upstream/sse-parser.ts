import type { EventSourceMessage } from 'eventsource-parser';

/** Hears what one upstream stream's parser finds. Methods, so a parser holds one reference, not closures. */
export interface SseReceiver {
  onSseMessage(message: EventSourceMessage): void;
  /** An event or line outgrew the parser's bound; the parser ignores all further input. */
  onSseOverflow(maxChars: number): void;
}

const LF = 10;
const CR = 13;
const SPACE = 32;

/**
 * The server's reader of an upstream's Server-Sent Events, as the HTML standard parses
 * them ("Interpreting an event stream"): lines end in LF, CR or CRLF; a blank line
 * dispatches an event when it has data; `data`, `event` and `id` fields (an id with
 * NUL is ignored); comments, `retry` and unknown fields are skipped; a leading BOM is
 * dropped.
 *
 * Hand-written instead of eventsource-parser's `createParser`, which the widget and
 * the tests still use and against which a property test holds this one
 * (test/unit/sse-parser.test.ts). The algorithm is the same; the difference is
 * memory: `createParser` makes seven closures and their scope for every parser, about
 * 0.8 KB per open stream, against this one object (about 0.1 KB), and the stream
 * budget is 60 KB with the Web stream and the HTTP layer taking most of it
 * (docs/server-design.md).
 */
export class SseParser {
  readonly #receiver: SseReceiver;
  readonly #maxChars: number;
  /** The start of a line that has not ended yet. */
  #pending = '';
  #first = true;
  #terminated = false;
  /** The last read ended with a CR: an LF that starts the next one belongs to it. */
  #afterCr = false;
  #id: string | undefined;
  #event: string | undefined;
  #data = '';
  #dataLines = 0;

  constructor(receiver: SseReceiver, maxChars: number) {
    this.#receiver = receiver;
    this.#maxChars = maxChars;
  }

  feed(chunk: string): void {
    if (this.#terminated) return;
    if (this.#first) {
      this.#first = false;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.#pending !== '') {
      // Only the pending line's end is joined to it, not the whole network read.
      const lf = chunk.indexOf('\n');
      const cr = chunk.indexOf('\r');
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        this.#pending += chunk;
        return this.#checkSize();
      }
      const head = this.#pending + chunk.slice(0, end + 1);
      this.#pending = '';
      const rest = this.#lines(head);
      chunk = rest === '' ? chunk.slice(end + 1) : rest + chunk.slice(end + 1);
    }
    this.#pending = this.#lines(chunk);
    this.#checkSize();
  }

  #checkSize(): void {
    if (this.#pending.length + this.#data.length <= this.#maxChars) return;
    this.#terminated = true;
    this.#pending = '';
    this.#data = '';
    this.#receiver.onSseOverflow(this.#maxChars);
  }

  /** Parses the complete lines of `chunk`; returns what is left of it (an unended line). */
  #lines(chunk: string): string {
    let start = 0;
    if (this.#afterCr && chunk !== '') {
      // The read before ended with a CR, already taken as a line end: an LF now is its other half.
      this.#afterCr = false;
      if (chunk.charCodeAt(0) === LF) start = 1;
    }
    if (chunk.indexOf('\r', start) === -1) {
      // Lines ending in LF only: what providers send.
      for (let lf = chunk.indexOf('\n', start); lf !== -1; lf = chunk.indexOf('\n', start)) {
        // `data: …` then a blank line, the usual event, in one step.
        if (this.#dataLines === 0 && isDataField(chunk, start) && chunk.charCodeAt(lf + 1) === LF) {
          this.#data = chunk.slice(chunk.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, lf);
          this.#dataLines = 1;
          this.#dispatch();
          start = lf + 2;
          continue;
        }
        this.#line(chunk, start, lf);
        start = lf + 1;
      }
      return chunk.slice(start);
    }
    while (start < chunk.length) {
      const cr = chunk.indexOf('\r', start);
      const lf = chunk.indexOf('\n', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      if (end === -1) break;
      this.#line(chunk, start, end);
      start = end + 1;
      if (chunk.charCodeAt(end) !== CR) continue;
      if (chunk.charCodeAt(start) === LF) start++;
      // A CR that ends the read ends its line now, as the standard's parser does: waiting
      // to see whether an LF follows held back the last event of a bare-CR stream for
      // good (nothing follows it). An LF that starts the next read is skipped instead.
      else if (start === chunk.length) this.#afterCr = true;
    }
    return chunk.slice(start);
  }

  #line(chunk: string, start: number, end: number): void {
    if (start === end) return this.#dispatch();
    if (isDataField(chunk, start)) return this.#addData(chunk.slice(chunk.charCodeAt(start + 5) === SPACE ? start + 6 : start + 5, end));
    const first = chunk.charCodeAt(start);
    // A comment (": keep-alive").
    if (first === 58) return;
    const colon = chunk.indexOf(':', start);
    const nameEnd = colon === -1 || colon > end ? end : colon;
    const valueStart = nameEnd === end ? end : chunk.charCodeAt(nameEnd + 1) === SPACE ? nameEnd + 2 : nameEnd + 1;
    const value = chunk.slice(valueStart, end);
    switch (chunk.slice(start, nameEnd)) {
      case 'data':
        return this.#addData(value);
      case 'event':
        this.#event = value || undefined;
        return;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        return;
      // `retry` and unknown fields mean nothing to a server reading a provider.
    }
  }

  #addData(value: string): void {
    this.#data = this.#dataLines === 0 ? value : `${this.#data}\n${value}`;
    this.#dataLines++;
  }

  /** Ends the event at a blank line: delivered when it has data, forgotten otherwise. */
  #dispatch(): void {
    const message: EventSourceMessage | undefined = this.#dataLines > 0 ? { id: this.#id, event: this.#event, data: this.#data } : undefined;
    this.#id = undefined;
    this.#event = undefined;
    this.#data = '';
    this.#dataLines = 0;
    if (message) this.#receiver.onSseMessage(message);
  }
}

function isDataField(chunk: string, i: number): boolean {
  return (
    chunk.charCodeAt(i) === 100 && chunk.charCodeAt(i + 1) === 97 && chunk.charCodeAt(i + 2) === 116 && chunk.charCodeAt(i + 3) === 97 && chunk.charCodeAt(i + 4) === 58
  );
}
