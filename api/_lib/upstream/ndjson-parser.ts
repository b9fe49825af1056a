import type { SseReceiver } from './sse-parser.js';

/**
 * The server's reader of newline-delimited JSON bodies (Ollama's native API): one
 * message per non-blank line, LF or CRLF, handed to the same receiver as the SSE
 * parser's so the upstream side reads both framings alike. A line longer than
 * `maxChars` means a broken upstream: the parser reports it once and ignores the rest.
 * Hand-written: a line splitter is a dozen lines, and the libraries for it are Web or
 * Node stream transforms, which cost a stream and its promises per open answer.
 */
export class NdjsonParser {
  readonly #receiver: SseReceiver;
  readonly #maxChars: number;
  #pending = '';
  #terminated = false;

  constructor(receiver: SseReceiver, maxChars: number) {
    this.#receiver = receiver;
    this.#maxChars = maxChars;
  }

  feed(chunk: string): void {
    if (this.#terminated) return;
    let from = 0;
    for (let lf = chunk.indexOf('\n'); lf !== -1; lf = chunk.indexOf('\n', from)) {
      const line = this.#pending === '' ? chunk.slice(from, lf) : this.#pending + chunk.slice(from, lf);
      this.#pending = '';
      from = lf + 1;
      if (line.length > this.#maxChars) return this.#overflow();
      this.#dispatch(line);
      if (this.#terminated) return;
    }
    this.#pending += chunk.slice(from);
    if (this.#pending.length > this.#maxChars) this.#overflow();
  }

  /** The body ended: a last line without its newline still counts. */
  end(): void {
    if (this.#terminated) return;
    const line = this.#pending;
    this.#pending = '';
    this.#dispatch(line);
  }

  #dispatch(line: string): void {
    const data = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (data.trim() === '') return;
    this.#receiver.onSseMessage({ data, event: undefined, id: undefined });
  }

  #overflow(): void {
    this.#terminated = true;
    this.#pending = '';
    this.#receiver.onSseOverflow(this.#maxChars);
  }
}
