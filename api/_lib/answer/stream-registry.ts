/** What the registry keeps of one live stream: a way to stop it, and its gauges. */
export interface StreamEntry {
  /** Stops the stream: the upstream is closed and the client gets its last event. */
  abort(reason: unknown): void;
  /** Bytes framed but not yet taken by the HTTP layer (for backpressure checks). */
  bufferedBytes(): number;
  /** Body characters read from the upstream so far. */
  upstreamChars(): number;
}

/**
 * The streams this instance is serving, by id, so `DELETE ?id=` can stop one. Every
 * ending (done, error, cancel, disconnect, timeout) removes the entry; tests assert
 * that the registry is empty afterwards.
 */
export class StreamRegistry {
  readonly #streams = new Map<string, StreamEntry>();

  add(id: string, entry: StreamEntry): void {
    this.#streams.set(id, entry);
  }

  get(id: string): StreamEntry | undefined {
    return this.#streams.get(id);
  }

  delete(id: string): void {
    this.#streams.delete(id);
  }

  /** Stops a stream; false when this instance does not serve it. */
  cancel(id: string, reason: unknown): boolean {
    const entry = this.#streams.get(id);
    if (!entry) return false;
    entry.abort(reason);
    return true;
  }

  get size(): number {
    return this.#streams.size;
  }
}
